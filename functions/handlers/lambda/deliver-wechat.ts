import { createDeliverHandler } from "../deliver.ts";
import { wechatDeliverDependencies } from "../deliver-wechat.ts";

/** The WeChat subscribe message deliver function's entry (lib/channels.ts): adapters built once per instance, at init. */
export const handler = createDeliverHandler(wechatDeliverDependencies(process.env));
