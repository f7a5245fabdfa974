/**
 * The part of Alibaba Cloud's Node.js SDK for SMS (`@alicloud/dysmsapi-2017-05-25`, a client on
 * `@alicloud/pop-core`'s RPCClient) that Nudge uses; the package ships no types.
 * https://www.npmjs.com/package/@alicloud/dysmsapi-2017-05-25
 */
declare module "@alicloud/dysmsapi-2017-05-25" {
  export interface DysmsapiConfig {
    accessKeyId: string;
    accessKeySecret: string;
    /** `https://dysmsapi.aliyuncs.com`, or another endpoint (a local stand-in at `http://127.0.0.1:<port>`). */
    endpoint: string;
    apiVersion?: string;
  }

  /** The request options pop-core passes to httpx: the method, and the connect and read timeout in ms. */
  export interface DysmsapiRequestOptions {
    method?: "GET" | "POST";
    timeout?: number;
  }

  export default class Dysmsapi {
    constructor(config: DysmsapiConfig);
    sendSms(params: Record<string, string>, options?: DysmsapiRequestOptions): Promise<Record<string, unknown>>;
  }
}
