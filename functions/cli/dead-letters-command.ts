/**
 * `nudge dead-letters list|show <id>|redrive [<id>...]`: what failed for good, why, and sending it back
 * once the cause is fixed. Locally (`--dir`, default .nudge) the local platform's dead-letter queue; on
 * AWS (`--stack <name>`, or `--table <name>` whose name names the stack) every dead-letter queue of the
 * stack (`--queue <name>`: the ones whose name contains it), redriven with SQS's StartMessageMoveTask.
 * docs/dead-letters.md.
 */
import { resolve } from "node:path";
import { SQSClient } from "@aws-sdk/client-sqs";
import { type DeadLetter, formatList, formatShow, reasonOf } from "../local/dead-letter-view.ts";
import { listLocalDeadLetters, redriveLocal } from "../local/local-dead-letters.ts";
import { countOption, formatOption, UsageError } from "./args.ts";
import {
  receiveDeadLetters,
  redriveQueue,
  type StackQueue,
  stackDeadLetterQueues,
  stackOfTable,
} from "./dead-letters.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { parseCommandArgs } from "./usage.ts";

/** How many messages `list` reads from each queue on AWS at most (default). */
const DEFAULT_MAX = 100;

type Source =
  | { kind: "local"; dir: string }
  | { kind: "aws"; stack: string; sqs: SQSClient; queue: string | undefined; max: number };

function sourceOf(values: Map<string, string>, cwd: string): Source {
  const table = values.get("table");
  const stack = values.get("stack") ?? (table === undefined ? undefined : stackOfTable(table));
  if (table !== undefined && stack === undefined) {
    throw new UsageError(`the table's name "${table}" names no stack: give --stack <name>`);
  }
  if (stack === undefined) {
    for (const name of ["queue", "region", "max"]) {
      if (values.has(name)) throw new UsageError(`--${name} is for a stack on AWS: give --stack <name>`);
    }
    return { kind: "local", dir: resolve(cwd, values.get("dir") ?? ".nudge") };
  }
  const max = countOption(values, "max", DEFAULT_MAX);
  const region = values.get("region");
  return {
    kind: "aws",
    stack,
    sqs: new SQSClient(region === undefined ? {} : { region }),
    queue: values.get("queue"),
    max,
  };
}

async function queuesOf(source: Extract<Source, { kind: "aws" }>): Promise<StackQueue[]> {
  const queues = (await stackDeadLetterQueues(source.sqs, source.stack)).filter(
    (queue) => source.queue === undefined || queue.name.toLowerCase().includes(source.queue.toLowerCase()),
  );
  if (queues.length === 0) {
    throw new UsageError(
      `no dead-letter queue of stack ${source.stack}${source.queue === undefined ? "" : ` matches "${source.queue}"`}`,
    );
  }
  return queues;
}

async function lettersOf(source: Source): Promise<DeadLetter[]> {
  if (source.kind === "local") return listLocalDeadLetters(source.dir);
  const queues = await queuesOf(source);
  return (await Promise.all(queues.map((queue) => receiveDeadLetters(source.sqs, queue, source.max)))).flat();
}

async function redrive(source: Source, ids: readonly string[], io: CliIo): Promise<number> {
  if (source.kind === "local") {
    const moved = redriveLocal(source.dir, ids.length === 0 ? undefined : ids);
    if (moved.size === 0) io.stdout("No dead letters to redrive.");
    for (const [queue, count] of moved) io.stdout(`${count} redriven to ${queue}.`);
    return ExitCode.ok;
  }
  if (ids.length > 0) throw new UsageError("on AWS a redrive moves a whole queue: give --queue <name>, not ids");
  for (const queue of await queuesOf(source)) {
    const task = await redriveQueue(source.sqs, queue);
    io.stdout(`${queue.name}: moving its messages to ${task.destination} (task ${task.taskHandle ?? "?"}).`);
  }
  return ExitCode.ok;
}

export async function deadLettersCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positional } = parseCommandArgs("dead-letters", args);
  const [action, ...rest] = positional;
  if (action !== "list" && action !== "show" && action !== "redrive") {
    throw new UsageError(
      `expected list, show <id> or redrive, got ${action === undefined ? "nothing" : `"${action}"`}`,
    );
  }
  const format = formatOption(values);
  const source = sourceOf(values, io.cwd);
  try {
    if (action === "redrive") return await redrive(source, rest, io);
    if (action === "list" && rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    if (action === "show" && rest.length !== 1) throw new UsageError("expected one dead letter id");
    const letters = await lettersOf(source);
    const chosen = action === "show" ? letters.filter((letter) => letter.id === rest[0]) : letters;
    if (action === "show" && chosen.length === 0) {
      io.stderr(
        `no dead letter ${rest[0]}${source.kind === "local" ? ` in ${source.dir}` : ` in stack ${source.stack}`}`,
      );
      return ExitCode.failed;
    }
    if (format === "json") io.stdout(JSON.stringify(chosen.map((letter) => ({ ...letter, reason: reasonOf(letter) }))));
    else
      for (const line of action === "show" ? formatShow(chosen[0] as DeadLetter) : formatList(chosen)) io.stdout(line);
    return ExitCode.ok;
  } finally {
    if (source.kind === "aws") source.sqs.destroy();
  }
}
