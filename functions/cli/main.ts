import { UsageError } from "./args.ts";
import { type CliIo, type Command, ExitCode, processIo } from "./io.ts";

/** Commands load on demand so that `nudge test-pattern` does not pay for the simulator's imports. */
export const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  "test-pattern": {
    summary: "test-pattern --pattern <json|file> --event <json|file>   does the EventBridge pattern match the event?",
    load: async () => (await import("./test-pattern.ts")).testPatternCommand,
  },
  simulate: {
    summary:
      "simulate --events <file.ndjson> [--journeys <dir>] [--until <ISO time>] [--format ndjson|text] [--store memory|dynamodb] [--dynamodb-endpoint <url>] [--table <name>] [--duplicate-rate <0..1>] [--crash-rate <0..1>] [--seed <n>] [--pause <journey>@<time>,...] [--resume <journey>@<time>,...]   run journeys on a virtual clock; dynamodb: an embedded dynalite unless an endpoint is given; the rates inject redeliveries and crashes; --pause/--resume: an operator's pause and resume at those times",
    load: async () => (await import("./simulate.ts")).simulateCommand,
  },
  start: {
    summary:
      "start [--port 4010] [--speed <n>] [--start <ISO time>] [--dir .nudge] [--journeys <dir>] [--dynamodb-endpoint <url>]   the whole platform on this machine: an EventBridge endpoint on 127.0.0.1, the functions, the outbox; --speed: virtual time n times faster",
    load: async () => (await import("./start.ts")).startCommand,
  },
  demo: {
    summary:
      "demo [--users <n>] [--days <n>] [--seconds <n>] [--dir .nudge/demo]   a synthetic shop through the local platform at high speed, then a report per journey",
    load: async () => (await import("./demo.ts")).demoCommand,
  },
  why: {
    summary:
      "why <userId> [--dir .nudge] [--table <name> [--region <r>] [--dynamodb-endpoint <url>]] [--format text|json]   what each journey did for a user, and what the policies held back and why (local state, or a table on AWS)",
    load: async () => (await import("./why.ts")).whyCommand,
  },
  report: {
    summary:
      "report [--since <YYYY-MM-DD>] [--until <YYYY-MM-DD>] [--journey <id>] [--dir .nudge | --table <name> [--region <r>] [--dynamodb-endpoint <url>]] [--format text|json] [--html <file>]   per journey: the funnel, messages, coupons, exits, conversions and the uplift against the holdout, with a 95% interval; --html: a self-contained page with charts",
    load: async () => (await import("./report.ts")).reportCommand,
  },
  pause: {
    summary:
      "pause <journey> [--reason <text>] [--dir .nudge] [--table <name> [--region <r>] [--dynamodb-endpoint <url>]] [--journeys <dir>]   pause a journey within a minute, no deploy: it admits no one and its runs hold where they are; an unknown id is refused (exit 2)",
    load: async () => (await import("./pause.ts")).pauseCommand,
  },
  resume: {
    summary:
      "resume <journey> [--dir .nudge] [--table <name> [--region <r>] [--dynamodb-endpoint <url>]] [--journeys <dir>]   resume a paused journey: its held runs go on within a minute, late messages by its policy.whenResumed",
    load: async () => (await import("./pause.ts")).resumeCommand,
  },
  status: {
    summary:
      "status [--dir .nudge] [--table <name> [--region <r>] [--dynamodb-endpoint <url>] [--stack <name>]] [--journeys <dir>] [--format text|json]   each journey: enabled, paused (why), runs active, timers pending, oldest pending timer, held; dead letters",
    load: async () => (await import("./status.ts")).statusCommand,
  },
  "dead-letters": {
    summary:
      "dead-letters list|show <id>|redrive [<id>...] [--dir .nudge | --stack <name> | --table <name>] [--region <r>] [--queue <name>] [--max <n>] [--format text|json]   what failed for good and why; redrive sends it back to its queue once fixed (local, or a stack's dead-letter queues on AWS)",
    load: async () => (await import("./dead-letters-command.ts")).deadLettersCommand,
  },
  import: {
    summary:
      "import <file.ndjson> [--journeys <dir>] [--now <ISO time>] [--dir .nudge | --table <name> [--region <r>] [--dynamodb-endpoint <url>]]   historical events set up the profiles and the inactivity clocks (from each user's real last order) and send nothing; invalid lines are refused one by one",
    load: async () => (await import("./import.ts")).importCommand,
  },
  validate: {
    summary:
      "validate [files...]   check journey files and the template files beside them (default: every journey in journeys/)",
    load: async () => (await import("./validate.ts")).validateCommand,
  },
  preview: {
    summary:
      "preview <journey> <step> --user <profile.json> [--trigger <event.json>] [--format text|json]   a send step's message as it would be sent to that user; journey: an id in journeys/ or a file; trigger: default the sample event of the journey's trigger in events/samples/",
    load: async () => (await import("./preview.ts")).previewCommand,
  },
  graph: {
    summary: "graph <file> | graph --all   a journey as a Mermaid flowchart; --all: every journey, as Markdown",
    load: async () => (await import("./graph.ts")).graphCommand,
  },
  schema: {
    summary:
      "schema [--template] [--write]   the journey (or template file) JSON Schema; --write: both, to journeys/journey.schema.json and journeys/template.schema.json",
    load: async () => (await import("./schema.ts")).schemaCommand,
  },
};

export function usage(): string {
  const lines = Object.values(commands).map((c) => `  nudge ${c.summary}`);
  return ["Usage:", ...lines].join("\n");
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const command = commands[name];
  if (command === undefined) {
    io.stderr(`nudge: unknown command "${name}"\n${usage()}`);
    return ExitCode.usage;
  }
  if (args[0] === "--help" || args[0] === "-h") {
    io.stdout(`Usage: nudge ${command.summary}`);
    return ExitCode.ok;
  }
  try {
    return await (await command.load())(args, io);
  } catch (error) {
    // One place turns errors into messages and exit codes: a usage problem with the command's usage (2),
    // anything else plainly (1: the command ran and failed).
    if (error instanceof UsageError) {
      io.stderr(`nudge ${name}: ${error.message}\nUsage: nudge ${command.summary}`);
      return ExitCode.usage;
    }
    io.stderr(`nudge ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return ExitCode.failed;
  }
}
