/**
 * The one table of the `nudge` commands and their options: each command's parser reads its options from
 * here (parseCommandArgs), and `nudge --help`, `nudge help <command>` and `nudge <command> --help` print
 * from here, so an option the parser accepts is always in the help, and the help names no other.
 */
import { parseArgs } from "./args.ts";

export interface OptionSpec {
  name: string;
  /** What the option's value is, as the usage shows it (`<n>`, `text|json`); absent for a flag. */
  value?: string;
  help: string;
  /** The command cannot run without it: shown without brackets. */
  required?: true;
}

export interface CommandSpec {
  /** The positional arguments, as the usage shows them (`<userId>`, `[files...]`); "" for none. */
  args: string;
  /** What the command does, in a line. */
  about: string;
  options: readonly OptionSpec[];
}

const format = (choices = "text|json", byDefault = "text"): OptionSpec => ({
  name: "format",
  value: choices,
  help: `output format (default ${byDefault})`,
});
const journeys: OptionSpec = { name: "journeys", value: "<dir>", help: "the journeys folder (default journeys)" };
const localDir = (byDefault = ".nudge"): OptionSpec => ({
  name: "dir",
  value: "<dir>",
  help: `the local platform's state (default ${byDefault})`,
});
/** Where a command reads the platform's state: the local platform's folder, or a DynamoDB table. */
const storeSource: readonly OptionSpec[] = [
  localDir(),
  { name: "table", value: "<name>", help: "a DynamoDB table on AWS instead of the local platform" },
  { name: "region", value: "<r>", help: "the table's AWS region (default: the environment's)" },
  { name: "dynamodb-endpoint", value: "<url>", help: "another DynamoDB endpoint for --table" },
];

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  validate: {
    args: "[files...]",
    about:
      "check journey files and the template files beside them (default: every journey in journeys/, with journeys/policy.json); exit 1 on a problem; show each campaign's next occurrences",
    options: [
      {
        name: "now",
        value: "<ISO time>",
        help: "count the campaigns' next occurrences from this instant (default: now)",
      },
    ],
  },
  test: {
    args: "[files...]",
    about:
      "run the journey tests (default: every file in journeys/tests/) on the virtual clock; expected and actual timelines side by side for a failing case; exit 1 when one fails",
    options: [journeys, format()],
  },
  plan: {
    args: "",
    about:
      "what a change to the journeys does before it ships: each changed journey's steps, trigger, audience, policy and coupons; the same events replayed before and after; its runs in flight and what becomes of them; exit 1 when runs would be stranded",
    options: [
      journeys,
      {
        name: "base",
        value: "<git rev>|local",
        help: "compare with the journeys folder at this revision (default HEAD), or `local`: what the local platform in --dir runs",
      },
      { name: "base-dir", value: "<dir>", help: "compare with another journeys folder instead" },
      {
        name: "events",
        value: "<file.ndjson>",
        help: "replay these events (an EventBridge archive export) instead of a synthetic shop",
      },
      { name: "users", value: "<n>", help: "the synthetic shop's users (default 10000)" },
      { name: "days", value: "<n>", help: "the synthetic shop's days (default 30)" },
      { name: "seed", value: "<n>", help: "the synthetic shop's random seed (default 1)" },
      ...storeSource,
      format("text|markdown|json"),
    ],
  },
  preview: {
    args: "<journey> <step>",
    about: "a send step's message as it would be sent to that user; journey: an id in journeys/ or a file",
    options: [
      { name: "user", value: "<profile.json>", help: "the user's profile", required: true },
      { name: "trigger", value: "<event.json>", help: "the trigger event (default: the sample in events/samples/)" },
      format(),
    ],
  },
  start: {
    args: "",
    about: "the whole platform on this machine: an EventBridge endpoint on 127.0.0.1, the functions, the outbox",
    options: [
      { name: "port", value: "<n>", help: "the EventBridge endpoint's port (default 4010)" },
      { name: "speed", value: "<n>", help: "virtual time n times faster" },
      { name: "start", value: "<ISO time>", help: "the virtual clock's start (needs --speed)" },
      localDir(),
      journeys,
      { name: "dynamodb-endpoint", value: "<url>", help: "a DynamoDB endpoint instead of the embedded one" },
      { name: "webhook-url", value: "<url>", help: "where push, SMS and WeChat messages are POSTed" },
      {
        name: "sms-sign-name",
        value: "<name>",
        help: "send SMS through Alibaba Cloud SMS's SDK, to a local stand-in, with this signature",
      },
    ],
  },
  demo: {
    args: "",
    about: "a synthetic shop through the local platform at high speed, then a report per journey",
    options: [
      { name: "users", value: "<n>", help: "users in the shop (default 300)" },
      { name: "days", value: "<n>", help: "days of shop life (default 35)" },
      { name: "seconds", value: "<n>", help: "real seconds to play them in (default 40)" },
      localDir(".nudge/demo"),
      journeys,
      { name: "seed", value: "<n>", help: "the synthetic shop's random seed (default 1)" },
      { name: "messages", help: "print each message as it is sent" },
    ],
  },
  report: {
    args: "",
    about:
      "per journey: funnel, messages, coupons, exits, conversions and the uplift against the holdout, with a 95% interval",
    options: [
      { name: "since", value: "<YYYY-MM-DD>", help: "the first UTC day (default: 30 days to --until)" },
      { name: "until", value: "<YYYY-MM-DD>", help: "the last UTC day (default: today)" },
      { name: "journey", value: "<id>", help: "one journey only" },
      {
        name: "by",
        value: "day|hour",
        help: "hour: also each hour's entries, messages, coupons and conversions, for the journeys that keep hours (report.byHour)",
      },
      {
        name: "timezone",
        value: "<IANA zone>",
        help: "the zone hours are shown in (default: policy.json's defaultTimezone)",
      },
      ...storeSource,
      journeys,
      format(),
      { name: "html", value: "<file>", help: "also write a self-contained page with charts" },
    ],
  },
  simulate: {
    args: "",
    about: "run the journeys over a file of events on a virtual clock; one line per effect",
    options: [
      { name: "events", value: "<file.ndjson>", help: "the events", required: true },
      journeys,
      {
        name: "until",
        value: "<ISO time>",
        help: "run the clock on to this time (default: a while after the last event)",
      },
      format("ndjson|text", "ndjson"),
      { name: "store", value: "memory|dynamodb", help: "dynamodb: an embedded dynalite unless an endpoint is given" },
      { name: "dynamodb-endpoint", value: "<url>", help: "a DynamoDB endpoint (with --store dynamodb)" },
      { name: "table", value: "<name>", help: "the table's name (with --store dynamodb)" },
      { name: "duplicate-rate", value: "<0..1>", help: "that share of inputs is delivered again later" },
      { name: "crash-rate", value: "<0..1>", help: "that share of invocations dies around its state update" },
      { name: "seed", value: "<n>", help: "the faults' random seed (with a rate)" },
      { name: "pause", value: "<journey>@<time>,...", help: "an operator's pause at those virtual times" },
      { name: "resume", value: "<journey>@<time>,...", help: "an operator's resume at those virtual times" },
    ],
  },
  import: {
    args: "<file.ndjson>",
    about:
      "past events set up the profiles and the inactivity clocks (from each user's real last order) and send nothing",
    options: [
      journeys,
      { name: "now", value: "<ISO time>", help: "the platform's clock (default: the local platform's, else now)" },
      ...storeSource,
    ],
  },
  why: {
    args: "<userId>",
    about: "what each journey did for a user, and every rule that held a message back, in order, on the user's clock",
    options: [...storeSource, journeys, format()],
  },
  pause: {
    args: "<journey>",
    about: "pause a journey within a minute, no deploy: it admits no one and its runs hold where they are",
    options: [{ name: "reason", value: "<text>", help: "why, shown by nudge status" }, ...storeSource, journeys],
  },
  resume: {
    args: "<journey>",
    about: "resume a paused journey: its held runs go on within a minute, late messages by its policy.whenResumed",
    options: [...storeSource, journeys],
  },
  status: {
    args: "",
    about:
      "each journey: enabled, paused (why), runs active, timers pending, oldest pending timer, held; each campaign's last occurrence (entered so far) and next; dead letters",
    options: [
      ...storeSource,
      { name: "now", value: "<ISO time>", help: "the platform's clock (default: the local platform's, else now)" },
      { name: "stack", value: "<name>", help: "the stack whose dead-letter queues to count (default: the table's)" },
      journeys,
      format(),
    ],
  },
  segment: {
    args: "list | count <segment> | sample <segment>",
    about: "the segments of journeys/segments/ and their members, read from the members' index",
    options: [
      ...storeSource,
      { name: "limit", value: "<n>", help: "sample: at most this many members (default 20)" },
      journeys,
      format(),
    ],
  },
  campaign: {
    args: "preview <campaign>",
    about:
      "a campaign's next occurrence forecast before it goes out: audience, entries, messages suppressed or deferred, coupons against the budget, samples",
    options: [
      ...storeSource,
      {
        name: "at",
        value: "<ISO time>",
        help: "forecast the first occurrence after this time (default: the platform's clock)",
      },
      { name: "rate", value: "<n>", help: "how long the messages take at this many a second" },
      journeys,
      format(),
    ],
  },
  "dead-letters": {
    args: "list | show <id> | redrive [<id>...]",
    about: "what failed for good and why; redrive sends it back to its queue once fixed",
    options: [
      localDir(),
      { name: "stack", value: "<name>", help: "a stack's dead-letter queues on AWS" },
      { name: "table", value: "<name>", help: "the stack of this table" },
      { name: "region", value: "<r>", help: "the stack's AWS region" },
      { name: "queue", value: "<name>", help: "one queue only (on AWS)" },
      { name: "max", value: "<n>", help: "at most this many messages read per queue (default 100)" },
      format(),
    ],
  },
  graph: {
    args: "[<file>]",
    about: "a journey as a Mermaid flowchart",
    options: [{ name: "all", help: "every journey in journeys/, as Markdown" }],
  },
  "test-pattern": {
    args: "",
    about:
      "does the EventBridge pattern match the event? prints true or false; exit 1 for a pattern EventBridge rejects",
    options: [
      { name: "pattern", value: "<json|file>", help: "the event pattern", required: true },
      { name: "event", value: "<json|file>", help: "the event", required: true },
    ],
  },
  schema: {
    args: "",
    about: "the JSON Schema of the journey language",
    options: [
      { name: "template", help: "the template files' schema instead" },
      { name: "write", help: "write both, to journeys/journey.schema.json and journeys/template.schema.json" },
    ],
  },
};

function specOf(name: string): CommandSpec {
  const spec = COMMANDS[name];
  if (spec === undefined) throw new RangeError(`no command "${name}" in the usage table`);
  return spec;
}

const optionText = (o: OptionSpec) => (o.value === undefined ? `--${o.name}` : `--${o.name} ${o.value}`);

/** `nudge why <userId> [--dir <dir>] ... [--format text|json]`: the command's usage line. */
export function synopsis(name: string): string {
  const spec = specOf(name);
  const options = spec.options.map((o) => (o.required ? optionText(o) : `[${optionText(o)}]`));
  return ["nudge", name, spec.args, ...options].filter((part) => part !== "").join(" ");
}

/** `nudge <command> --help`: the usage line, what it does, and each option. */
export function commandHelp(name: string): string {
  const spec = specOf(name);
  const lines = [`Usage: ${synopsis(name)}`, "", spec.about];
  if (spec.options.length > 0) {
    const shown = spec.options.map(optionText);
    const width = Math.max(...shown.map((text) => text.length));
    lines.push("", "Options:", ...spec.options.map((o, i) => `  ${shown[i]?.padEnd(width)}  ${o.help}`));
  }
  return lines.join("\n");
}

/** `nudge --help`: every command with every option it takes. */
export function overview(): string {
  const commands = Object.keys(COMMANDS).map((name) => `  ${synopsis(name)}\n      ${specOf(name).about}`);
  return [
    "Usage: nudge <command> [options]",
    "",
    "Commands:",
    ...commands,
    "",
    "nudge help <command> or nudge <command> --help: what each option does.",
    "Exit codes: 0 done, 1 a check found problems or the command failed, 2 a usage problem.",
  ].join("\n");
}

/** Parses a command's arguments against its options in the table (an unknown option is a UsageError). */
export function parseCommandArgs(name: string, args: readonly string[]) {
  const options = specOf(name).options;
  return parseArgs(args, {
    values: options.filter((o) => o.value !== undefined).map((o) => o.name),
    flags: options.filter((o) => o.value === undefined).map((o) => o.name),
  });
}
