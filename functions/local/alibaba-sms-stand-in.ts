/**
 * A local stand-in for Alibaba Cloud SMS's endpoint (dysmsapi.aliyuncs.com), on 127.0.0.1: the SMS channel's
 * real SDK is pointed at it (its endpoint setting) by the local platform and by the tests. It checks each
 * request as the provider documents it and answers as the provider does:
 *
 * - the RPC protocol: Action SendSms, Version 2017-05-25, Format JSON, a SignatureNonce and Timestamp, and a
 *   signature (HMAC-SHA1, SignatureVersion 1.0) that verifies with the AccessKey it was given, else
 *   `SignatureDoesNotMatch` / `InvalidAccessKeyId.NotFound` (HTTP 400/404);
 *   https://help.aliyun.com/document_detail/315526.html (RPC signature)
 * - SendSms's parameters: PhoneNumbers (a mainland number with or without +86/0086/86, or an international
 *   one), SignName, TemplateCode, TemplateParam (a JSON object of strings, each at most 35 characters),
 *   OutId; https://help.aliyun.com/document_detail/55284.html
 * - the answer: `{"Code": "OK", "Message": "OK", "BizId", "RequestId"}`, or the provider's error code:
 *   isv.MOBILE_NUMBER_ILLEGAL, isv.INVALID_JSON_PARAM, isv.PARAM_LENGTH_LIMIT, isv.SMS_TEMPLATE_ILLEGAL...
 *   https://help.aliyun.com/document_detail/101346.html
 *
 * `refuse` answers a code of the caller's choosing for a request that passed the checks (the local platform's
 * unsubscribed numbers; a test's throttling): faults the real service cannot be made to produce on demand.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SMS_PARAM_MAX_CHARACTERS, SMS_TEMPLATE_CODE, smsCharacters } from "../language/sms-rules.ts";

/** One SendSms the stand-in took: its business parameters, and the id it answered. */
export interface StandInSms {
  phoneNumbers: string;
  signName: string;
  templateCode: string;
  templateParam: Record<string, string>;
  outId: string;
  bizId: string;
}

export interface AlibabaSmsStandInOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** A code to answer for a request that passed the checks (undefined: take it). */
  refuse?: (sms: Omit<StandInSms, "bizId">) => string | undefined;
  /** Called with each message it took. */
  onSms?: (sms: StandInSms) => void;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const percentEncode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The request's signature as the provider computes it (RPC, SignatureVersion 1.0). */
export function rpcSignature(method: string, params: URLSearchParams, secret: string): string {
  const canonical = [...params.entries()]
    .filter(([key]) => key !== "Signature")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`)
    .join("&");
  const toSign = `${method}&${percentEncode("/")}&${percentEncode(canonical)}`;
  return createHmac("sha1", `${secret}&`).update(toSign).digest("base64");
}

const error = (status: number, code: string, message: string): Answer => ({
  status,
  body: { Code: code, Message: message, RequestId: randomUUID() },
});

const sameText = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** A mainland mobile number (+86/0086/86 or none, then 11 digits from 1), or an international one. */
export function isSmsNumber(text: string): boolean {
  return /^(?:\+?86|0086)?1\d{10}$/.test(text) || /^(?:\+|00)?[1-9]\d{7,14}$/.test(text);
}

function protocolProblem(
  method: string,
  params: URLSearchParams,
  options: AlibabaSmsStandInOptions,
): Answer | undefined {
  if (params.get("Action") !== "SendSms") return error(400, "InvalidAction.NotFound", "expected Action SendSms");
  if (params.get("Version") !== "2017-05-25") return error(400, "InvalidVersion", "expected Version 2017-05-25");
  if (params.get("Format") !== "JSON") return error(400, "InvalidParameter", "expected Format JSON");
  for (const name of ["SignatureNonce", "Timestamp", "AccessKeyId", "Signature"]) {
    if (!params.get(name)) return error(400, "MissingParameter", `${name} is mandatory for this action`);
  }
  if (params.get("SignatureMethod") !== "HMAC-SHA1" || params.get("SignatureVersion") !== "1.0") {
    return error(400, "InvalidParameter", "expected SignatureMethod HMAC-SHA1 and SignatureVersion 1.0");
  }
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(params.get("Timestamp") ?? "")) {
    return error(400, "InvalidTimeStamp.Format", "expected Timestamp as yyyy-MM-ddTHH:mm:ssZ");
  }
  if (params.get("AccessKeyId") !== options.accessKeyId) {
    return error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
  }
  const expected = rpcSignature(method, params, options.accessKeySecret);
  if (!sameText(expected, params.get("Signature") ?? "")) {
    return error(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.");
  }
  return undefined;
}

/** The business parameters, or the provider's code for what is wrong with them. */
function smsOf(params: URLSearchParams): Omit<StandInSms, "bizId"> | Answer {
  for (const name of ["PhoneNumbers", "SignName", "TemplateCode"]) {
    if (!params.get(name)) return error(400, "MissingParameter", `${name} is mandatory for this action`);
  }
  const phoneNumbers = params.get("PhoneNumbers") ?? "";
  if (!phoneNumbers.split(",").every(isSmsNumber)) return error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号");
  const templateCode = params.get("TemplateCode") ?? "";
  if (!SMS_TEMPLATE_CODE.test(templateCode))
    return error(200, "isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)");
  let templateParam: unknown;
  try {
    templateParam = JSON.parse(params.get("TemplateParam") ?? "{}");
  } catch {
    return error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值");
  }
  if (
    templateParam === null ||
    typeof templateParam !== "object" ||
    Array.isArray(templateParam) ||
    !Object.values(templateParam).every((value) => typeof value === "string")
  ) {
    return error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值");
  }
  const values = templateParam as Record<string, string>;
  if (Object.values(values).some((value) => smsCharacters(value) > SMS_PARAM_MAX_CHARACTERS)) {
    return error(200, "isv.PARAM_LENGTH_LIMIT", "参数超出长度限制");
  }
  return {
    phoneNumbers,
    signName: params.get("SignName") ?? "",
    templateCode,
    templateParam: values,
    outId: params.get("OutId") ?? "",
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export class AlibabaSmsStandIn {
  readonly taken: StandInSms[] = [];
  private server: Server | undefined;

  constructor(private readonly options: AlibabaSmsStandInOptions) {}

  /** Listens on 127.0.0.1 (`port` 0: any free port); resolves with the endpoint to give the SDK. */
  async start(port = 0): Promise<string> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch(() => {
        response.writeHead(500).end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? "GET";
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const body = await readBody(request);
    // The SDK sends GET with the query, or POST with the same parameters as a form.
    const params = method === "POST" ? new URLSearchParams(body) : url.searchParams;
    const answer = this.answer(method, params);
    response.writeHead(answer.status, { "content-type": "application/json;charset=utf-8" });
    response.end(JSON.stringify(answer.body));
  }

  private answer(method: string, params: URLSearchParams): Answer {
    const problem = protocolProblem(method, params, this.options);
    if (problem !== undefined) return problem;
    const sms = smsOf(params);
    if ("status" in sms) return sms;
    const refusal = this.options.refuse?.(sms);
    if (refusal !== undefined) return error(200, refusal, `refused by the stand-in: ${refusal}`);
    const taken = { ...sms, bizId: `${Date.now()}^${randomUUID().slice(0, 8)}` };
    this.taken.push(taken);
    this.options.onSms?.(taken);
    return { status: 200, body: { Code: "OK", Message: "OK", BizId: taken.bizId, RequestId: randomUUID() } };
  }
}
