import { didYouMean } from "../journey/checks/common.ts";
import { UsageError } from "./args.ts";
import { type CliIo, type Command, ExitCode, processIo } from "./io.ts";
import { COMMANDS, commandHelp, overview, synopsis } from "./usage.ts";

/**
 * The `nudge` command: which module runs each command. What each command takes and does, for its parser
 * and its help alike, is the table in usage.ts.
 */

/** Commands load on demand so that `nudge test-pattern` does not pay for the simulator's imports. */
export const commands: Record<string, () => Promise<Command>> = {
  "test-pattern": async () => (await import("./test-pattern.ts")).testPatternCommand,
  simulate: async () => (await import("./simulate.ts")).simulateCommand,
  start: async () => (await import("./start.ts")).startCommand,
  demo: async () => (await import("./demo.ts")).demoCommand,
  why: async () => (await import("./why.ts")).whyCommand,
  report: async () => (await import("./report.ts")).reportCommand,
  pause: async () => (await import("./pause.ts")).pauseCommand,
  resume: async () => (await import("./pause.ts")).resumeCommand,
  status: async () => (await import("./status.ts")).statusCommand,
  segment: async () => (await import("./segment.ts")).segmentCommand,
  campaign: async () => (await import("./campaign.ts")).campaignCommand,
  "dead-letters": async () => (await import("./dead-letters-command.ts")).deadLettersCommand,
  import: async () => (await import("./import.ts")).importCommand,
  validate: async () => (await import("./validate.ts")).validateCommand,
  test: async () => (await import("./test.ts")).testCommand,
  plan: async () => (await import("./plan.ts")).planCommand,
  preview: async () => (await import("./preview.ts")).previewCommand,
  graph: async () => (await import("./graph.ts")).graphCommand,
  schema: async () => (await import("./schema.ts")).schemaCommand,
};

const wantsHelp = (args: readonly string[]) => args.includes("--help") || args.includes("-h");

/** `nudge`, `nudge --help`, `nudge help [<command>]` and `nudge <command> --help`; undefined for none of these. */
function help(name: string | undefined, args: readonly string[], io: CliIo): number | undefined {
  if (name === undefined) {
    io.stderr(overview());
    return ExitCode.usage;
  }
  const topic = name === "help" ? args[0] : wantsHelp(args) ? name : undefined;
  if (name === "--help" || name === "-h" || (name === "help" && topic === undefined)) {
    io.stdout(overview());
    return ExitCode.ok;
  }
  if (topic === undefined || !(topic in COMMANDS)) return undefined;
  io.stdout(commandHelp(topic));
  return ExitCode.ok;
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  const helped = help(name, args, io);
  if (helped !== undefined) return helped;
  const unknown = name === "help" ? args[0] : name;
  const load = unknown === undefined || name === "help" ? undefined : commands[unknown];
  if (load === undefined || name === undefined) {
    io.stderr(
      `nudge: unknown command "${unknown}"${didYouMean(String(unknown), Object.keys(commands))}\n${overview()}`,
    );
    return ExitCode.usage;
  }
  try {
    return await (await load())(args, io);
  } catch (error) {
    // One place turns errors into messages and exit codes: a usage problem with the command's usage (2),
    // anything else plainly (1: the command ran and failed).
    if (error instanceof UsageError) {
      io.stderr(`nudge ${name}: ${error.message}\nUsage: ${synopsis(name)}`);
      return ExitCode.usage;
    }
    io.stderr(`nudge ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return ExitCode.failed;
  }
}
