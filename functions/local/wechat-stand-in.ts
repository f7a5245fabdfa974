/**
 * A local stand-in for api.weixin.qq.com: the two calls the WeChat channel makes, checked as WeChat
 * documents them, on 127.0.0.1. The local platform sends its `wechat` messages here when no real API is
 * configured, and the tests read what it received.
 *
 * - `POST /cgi-bin/stable_token` (getStableAccessToken): `grant_type` client_credential, the configured appid
 *   and secret (else errcode 40013 / 40125); a token good 7200 s, the same until `force_refresh` replaces it.
 *   https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-access-token/getStableAccessToken.html
 * - `POST /cgi-bin/message/subscribe/send?access_token=` (subscribeMessage.send): the current token (else
 *   40001), `touser`, `template_id`, `data` as `{ "<keyword>": { "value": "..." } }` with every value
 *   keeping its type's rule (else 47003), `page` a string if given; a template the user refused: 43101.
 *   https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { keywordProblem } from "../language/wechat-rules.ts";

export interface SubscribeRequest {
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogram_state?: string;
  lang?: string;
}

/** The credentials of the local platform's app: the stand-in takes these (nothing secret: it is local). */
export const LOCAL_WECHAT_APP = { appId: "wx0000000000local", appSecret: "local-stand-in-app-secret" } as const;

export interface WechatStandInOptions {
  appId: string;
  appSecret: string;
}

export class WechatStandIn {
  /** The messages WeChat would have delivered, in order. */
  readonly sent: SubscribeRequest[] = [];
  /** How many times a token was asked for (stable_token calls). */
  tokenRequests = 0;
  private token = "";
  private generation = 0;
  private readonly refused = new Set<string>();
  private readonly faults: number[] = [];
  private server: Server | undefined;

  constructor(private readonly options: WechatStandInOptions) {
    this.rotate();
  }

  /** Listens on 127.0.0.1 (a free port); resolves with the base URL to give the channel. */
  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.handle(request).then(
        (answer) => {
          response.writeHead(200, { "Content-Type": "application/json" });
          response.end(JSON.stringify(answer));
        },
        () => {
          response.writeHead(500);
          response.end();
        },
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The user turned the template's messages off: sends answer 43101. */
  refuse(openid: string, templateId: string): void {
    this.refused.add(`${openid}/${templateId}`);
  }

  /** The next sends answer these errcodes, in order, before being looked at (a fault WeChat may give). */
  failNext(...errcodes: number[]): void {
    this.faults.push(...errcodes);
  }

  /** The current token stops being good, as when another app server forced a refresh: sends answer 40001. */
  invalidateToken(): void {
    this.rotate();
  }

  private rotate(): void {
    this.generation += 1;
    this.token = `stand-in-token-${this.generation}`;
  }

  private async handle(request: IncomingMessage): Promise<Record<string, unknown>> {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const body = await readJson(request);
    if (request.method === "POST" && url.pathname === "/cgi-bin/stable_token") return this.stableToken(body);
    if (request.method === "POST" && url.pathname === "/cgi-bin/message/subscribe/send")
      return this.subscribeSend(url.searchParams.get("access_token"), body);
    return { errcode: 40066, errmsg: "invalid url" };
  }

  private stableToken(body: unknown): Record<string, unknown> {
    this.tokenRequests += 1;
    const { grant_type, appid, secret, force_refresh } = (body ?? {}) as Record<string, unknown>;
    if (grant_type !== "client_credential") return { errcode: 40002, errmsg: "invalid grant_type" };
    if (appid !== this.options.appId) return { errcode: 40013, errmsg: "invalid appid" };
    if (secret !== this.options.appSecret) return { errcode: 40125, errmsg: "invalid appsecret" };
    if (force_refresh === true) this.rotate();
    return { access_token: this.token, expires_in: 7200 };
  }

  private subscribeSend(token: string | null, body: unknown): Record<string, unknown> {
    if (token !== this.token) return { errcode: 40001, errmsg: "invalid credential, access_token is invalid" };
    const fault = this.faults.shift();
    if (fault !== undefined) return { errcode: fault, errmsg: "stand-in fault" };
    const problem = requestProblem(body);
    if (problem !== undefined) return { errcode: 47003, errmsg: `argument invalid! ${problem}` };
    const message = body as SubscribeRequest;
    if (this.refused.has(`${message.touser}/${message.template_id}`))
      return { errcode: 43101, errmsg: "user refuse to accept the msg" };
    this.sent.push(message);
    return { errcode: 0, errmsg: "ok", msgid: this.sent.length };
  }
}

/** What WeChat would find wrong in a subscribe/send body; undefined when nothing. */
export function requestProblem(body: unknown): string | undefined {
  const { touser, template_id, page, data } = (body ?? {}) as Record<string, unknown>;
  if (typeof touser !== "string" || touser === "") return "touser: required";
  if (typeof template_id !== "string" || template_id === "") return "template_id: required";
  if (page !== undefined && typeof page !== "string") return "page: a string";
  if (data === null || typeof data !== "object") return "data: required";
  for (const [name, entry] of Object.entries(data)) {
    const value = (entry as { value?: unknown } | null)?.value;
    if (typeof value !== "string") return `data.${name}.value: a string`;
    const problem = keywordProblem(name, value);
    if (problem !== undefined) return `data.${name}.value: ${problem}`;
  }
  return undefined;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}
