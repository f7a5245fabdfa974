import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../functions/cli/args.ts";
import { graphCommand } from "../../functions/cli/graph.ts";
import { ExitCode } from "../../functions/cli/io.ts";
import { main } from "../../functions/cli/main.ts";
import { journeyGraph } from "../../functions/journey/graph.ts";
import { isJourneyFileName, parseJourney } from "../../functions/journey/load.ts";
import { capture, root } from "./capture-io.ts";

const fixtures = "test/fixtures/journeys";

describe("nudge graph <file>", () => {
  it("prints the journey's Mermaid flowchart", async () => {
    // Prepare
    const io = capture();
    const file = "journeys/coupon-expiry-nudge.json";
    const { journey } = parseJourney(readFileSync(join(root, file), "utf8"), file);

    // Act
    const code = await graphCommand([file], io);

    // Assess
    expect(code).toBe(ExitCode.ok);
    expect(io.err).toEqual([]);
    expect(journey).toBeDefined();
    expect(io.out).toEqual([journey && journeyGraph(journey)]);
    expect(io.out[0]?.split("\n")[0]).toBe("flowchart TD");
  });

  it("reports an invalid journey's problems and exits 1", async () => {
    // Prepare
    const io = capture();

    // Act
    const code = await graphCommand([`${fixtures}/unreachable.json`], io);

    // Assess
    expect(code).toBe(ExitCode.failed);
    expect(io.out).toEqual([]);
    expect(io.err).toEqual([
      `${fixtures}/unreachable.json: steps[1]: step "wait-a-day" is unreachable: no path leads to it from the start step "send-hello"; link to it from another step, or remove it`,
      `${fixtures}/unreachable.json: steps[2]: step "send-again" is unreachable: no path leads to it from the start step "send-hello"; link to it from another step, or remove it`,
    ]);
  });
});

describe("nudge graph --all", () => {
  it("prints every journey in journeys/ as a Markdown section with a mermaid block", async () => {
    // Prepare
    const io = capture();

    // Act
    const code = await graphCommand(["--all"], io);

    // Assess
    expect(code).toBe(ExitCode.ok);
    const [markdown = ""] = io.out;
    // One section per journey file, in the order of the files' names (a version kept for its runs in flight
    // has a file of its own).
    const files = readdirSync(join(root, "journeys")).filter(isJourneyFileName).sort();
    const journeys = files.map((file) => JSON.parse(readFileSync(join(root, "journeys", file), "utf8")));
    expect(files.length).toBeGreaterThan(0);
    expect(
      markdown.match(/^### .*`(.*)` v(\d+)\)$/gm)?.map((heading) => heading.replace(/^.*`(.*)` (v\d+)\)$/, "$1 $2")),
    ).toEqual(journeys.map((journey) => `${journey.id} v${journey.version}`));
    expect(markdown.match(/^```mermaid$/gm)).toHaveLength(files.length);
  });

  it("reports the problems of an invalid journey in journeys/ and exits 1", async () => {
    // Prepare
    const io = capture(join(root, fixtures, "bad-duration"));

    // Act
    const code = await graphCommand(["--all"], io);

    // Assess
    expect(code).toBe(ExitCode.failed);
    expect(io.err).toEqual([
      'journeys/dormancy-reactivation.json: steps[2].for: expected an ISO-8601 duration such as "P3D", got "3 days"',
    ]);
  });
});

describe("nudge graph usage", () => {
  it.each([
    [[], "which journey? give its file, or --all"],
    [["--all", "journeys/new-user-coupon.json"], "give a file or --all, not both"],
    [["a.json", "b.json"], 'unexpected argument "b.json": one file at a time, or --all'],
    [["--png"], "unknown option --png"],
  ])("%j is a usage error: %s", async (args, message) => {
    // Prepare
    const io = capture();

    // Act
    const direct = graphCommand(args, capture());
    const code = await main(["graph", ...args], io);

    // Assess
    await expect(direct).rejects.toThrow(new UsageError(message));
    expect(code).toBe(ExitCode.usage);
    expect(io.err[0]).toMatch(
      new RegExp(`^nudge graph: ${message.replace(/[.?*+()[\]]/g, "\\$&")}\nUsage: nudge graph`),
    );
  });
});
