/**
 * The local platform's dynalite in a worker thread of its own: the same server on a random 127.0.0.1 port
 * with its LevelDB kept on disk, but its request parsing, item encoding and LevelDB calls run beside the
 * handlers rather than between them, on the machine's second core. In the platform's thread a campaign's
 * send spent a third of its time in dynalite (member day, 5,000 members, `node --cpu-prof`, 2026-12-04).
 * https://nodejs.org/api/worker_threads.html
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { NudgeError } from "../shared/errors.ts";

/** What the thread is given: where dynalite is (resolved here: the bundle keeps it in node_modules) and its options. */
interface ThreadData {
  dynalite: string;
  options: Record<string, unknown>;
}

/**
 * The thread's code, plain CommonJS evaluated by the worker (no file to find from the sources or the CLI's
 * bundle, no TypeScript loader needed): it starts dynalite, says its port, and on "stop" closes the server,
 * which closes the database, then lets the thread end.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const server = require(workerData.dynalite)(workerData.options);
server.once("error", (error) => parentPort.postMessage({ error: String(error && error.message) }));
server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }));
parentPort.on("message", () => {
  server.close(() => parentPort.close());
  server.closeAllConnections();
});
`;

/** Starts dynalite, its data kept in the LevelDB directory `path`, in a worker thread. */
export async function startDynaliteThread(options: {
  path: string;
}): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const workerData: ThreadData = {
    dynalite: createRequire(import.meta.url).resolve("dynalite"),
    options: { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: options.path },
  };
  const worker = new Worker(THREAD_SOURCE, { eval: true, workerData });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const failed = (cause: unknown) => {
      void worker.terminate();
      reject(new NudgeError("the local DynamoDB (dynalite) did not start", { cause }));
    };
    worker.once("error", failed);
    worker.once("exit", (code) => failed(new Error(`its thread exited with code ${code}`)));
    worker.once("message", (message: { port?: number; error?: string }) => {
      if (message.port === undefined) failed(new Error(message.error));
      else resolve(message.port);
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      worker.postMessage("stop");
      await exited;
    },
  };
}
