import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { SQSRecord } from "aws-lambda";
import type { ShopEvent } from "../../events/catalog.ts";
import { startEndpoint } from "../../functions/local/endpoint.ts";
import { LocalQueue } from "../../functions/local/local-queue.ts";
import { localQueueUrl, localSqsClient } from "../../functions/local/local-sqs.ts";
import { recordOf } from "../../functions/local/pump.ts";

/**
 * What the channel tests share: message requests as the ingest function queues them, a receiver on a
 * loopback HTTP server, and a channel's queue and dead-letter queue as local queues (the SQS semantics
 * the deliver function relies on: receipts, visibility, message attributes) behind the handlers' SQSClient.
 */

/** A message request as the ingest function puts it on a channel's queue: a `message.sent` effect. */
export function messageRequest(user: string, extra: Record<string, unknown> = {}) {
  return {
    at: "2026-11-18T02:14:14Z",
    journey: "new-user-coupon",
    version: 1,
    user,
    run: `new-user-coupon:${user}:1`,
    type: "message.sent" as const,
    id: `new-user-coupon:${user}:1:2:message`,
    channel: "push",
    template: "welcome",
    category: "marketing",
    locale: "zh-CN",
    text: "欢迎加入！送你一张新人专享券：立减 20 元，全场包邮。券码 NEWVGWY67GW",
    ...extra,
  };
}

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A receiver on 127.0.0.1 (a random port) answering each request with `answer`; it keeps what it got. */
export async function receiver(
  answer: (request: Received, index: number) => Promise<[number, string]> | [number, string],
) {
  const received: Received[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const got = {
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      received.push(got);
      const [status, body] = await answer(got, received.length - 1);
      if (response.destroyed) return;
      response.writeHead(status, { "content-type": "text/plain" });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/nudge/messages`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A channel's queue and its dead-letter queue, in memory, and the SQSClient the handlers use on them. */
export function channelQueues(name = "delivery-push") {
  const options = { clock: Date.now, visibilityTimeoutMs: 60_000 };
  const deadLetter = new LocalQueue({ ...options, name: `${name}-dead-letters` });
  const queue = new LocalQueue({ ...options, name, maxReceiveCount: 5, deadLetter });
  const sqs = localSqsClient([queue, deadLetter]);
  return {
    queue,
    deadLetter,
    sqs,
    env: { QUEUE_URL: localQueueUrl(queue.name), DEAD_LETTER_QUEUE_URL: localQueueUrl(deadLetter.name) },
    /** Sends message requests to the queue and receives them as the event source would: SQS records. */
    receive(bodies: unknown[]): SQSRecord[] {
      if (bodies.length > 0) queue.send(bodies.map((body) => ({ body: JSON.stringify(body) })));
      return queue.receive(10).map((message) => recordOf(message, queue));
    },
    /** Ends the backoff of the messages received (their visibility timeout) and receives them again. */
    redeliver(): SQSRecord[] {
      for (const message of queue.peek()) queue.changeVisibility(`${message.id}#${message.receiveCount}`, 0);
      return queue.receive(10).map((message) => recordOf(message, queue));
    },
  };
}

/**
 * The stack's bus on loopback: the local platform's EventBridge endpoint (which takes PutEvents as AWS does and
 * refuses a bus it does not have), the events it accepts kept in `published`, and the real EventBridge client
 * pointed at it, as a function on AWS publishes. `busName`: the bus the endpoint serves (another than the
 * functions' `nudge-dev`, and it refuses what they publish).
 */
export async function loopbackBus(now: number, options: { busName?: string } = {}) {
  const published: ShopEvent[] = [];
  const { server, url } = await startEndpoint(0, {
    accept: (event) => published.push(event),
    clock: () => now,
    busNames: [options.busName ?? "nudge-dev"],
  });
  const eventBridge = new EventBridgeClient({
    endpoint: url,
    region: "cn-north-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  const close = () => new Promise<void>((resolve) => (server as Server).close(() => resolve()));
  return { published, eventBridge, close };
}
