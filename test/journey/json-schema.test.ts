import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../functions/cli/args.ts";
import { schemaCommand } from "../../functions/cli/schema.ts";
import {
  journeyJsonSchema,
  journeyJsonSchemaText,
  journeyTestJsonSchemaText,
  segmentJsonSchemaText,
  templateJsonSchema,
  templateJsonSchemaText,
  traitsJsonSchemaText,
} from "../../functions/journey/json-schema.ts";
import { isJourneyFileName } from "../../functions/journey/load.ts";
import { capture, root } from "../cli/capture-io.ts";
import { SEED_JOURNEY_IDS } from "../scenarios/helpers.ts";

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

describe("journeys/journey.schema.json", () => {
  it("is what the zod schema generates today (run `npm run schema` after changing schema.ts)", () => {
    // Prepare
    const committed = readFileSync(join(root, "journeys/journey.schema.json"), "utf8");

    // Act
    const fresh = journeyJsonSchemaText();

    // Assess
    expect(committed).toBe(fresh);
  });

  it("is the $schema of every seed journey", () => {
    // Prepare
    const files = readdirSync(join(root, "journeys")).filter(isJourneyFileName);

    // Act
    const schemas = files.map((f) => JSON.parse(readFileSync(join(root, "journeys", f), "utf8")).$schema);

    // Assess: the files are the shipped journeys (each version kept has its own file), every one of them.
    const ids = files.map((f) => JSON.parse(readFileSync(join(root, "journeys", f), "utf8")).id);
    expect(new Set(ids)).toEqual(new Set(SEED_JOURNEY_IDS));
    expect(schemas).toEqual(files.map(() => "./journey.schema.json"));
  });
});

describe("journeys/template.schema.json", () => {
  it("is what the zod schema generates today (run `npm run schema` after changing template-file.ts)", () => {
    // Prepare
    const committed = readFileSync(join(root, "journeys/template.schema.json"), "utf8");

    // Act
    const fresh = templateJsonSchemaText();

    // Assess
    expect(committed).toBe(fresh);
  });

  it("is the $schema of every seed template, and requires the zh-CN and en locales", () => {
    // Prepare
    const dir = join(root, "journeys/templates");
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));

    // Act
    const schemas = files.map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")).$schema);
    const schema = templateJsonSchema() as {
      $id: string;
      required: string[];
      properties: { locales: { required: string[] } };
    };

    // Assess: the files are the templates the shipped journeys' send steps name, every one of them.
    const journeys = readdirSync(join(root, "journeys"))
      .filter(isJourneyFileName)
      .map((f) => JSON.parse(readFileSync(join(root, "journeys", f), "utf8")) as { steps: { template?: string }[] });
    const sent = journeys.flatMap((journey) => journey.steps.flatMap((step) => step.template ?? []));
    expect(files.map((f) => f.replace(/\.json$/, "")).toSorted()).toEqual([...new Set(sent)].toSorted());
    expect(schemas).toEqual(files.map(() => "../template.schema.json"));
    expect(schema.$id).toBe("urn:nudge:template.schema.json");
    expect(schema.required.toSorted()).toEqual(["id", "locales"]);
    expect(schema.properties.locales.required).toEqual(["zh-CN", "en"]);
  });
});

describe("journeyJsonSchema", () => {
  it("is a draft 2020-12 schema with an id, a title and a description", () => {
    // Act
    const schema = journeyJsonSchema() as Record<string, unknown>;

    // Assess
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toBe("urn:nudge:journey.schema.json");
    expect(schema.title).toBe("Nudge journey");
    expect(schema.description).toEqual(expect.any(String));
    expect(Object.keys(schema).slice(0, 4)).toEqual(["$schema", "$id", "title", "description"]);
  });

  it("describes the authors' side: fields with a default are optional", () => {
    // Act
    const schema = journeyJsonSchema() as { required: string[]; properties: Record<string, { default?: unknown }> };

    // Assess
    expect(schema.required.toSorted()).toEqual(["id", "name", "start", "steps", "trigger", "version"]);
    expect(schema.properties.priority?.default).toBe(50);
    expect(schema.properties.key?.default).toBe("userId");
  });
});

describe("nudge schema", () => {
  it("prints the schema", async () => {
    // Prepare
    const io = capture();

    // Act
    const code = await schemaCommand([], io);

    // Assess
    expect(code).toBe(0);
    expect(io.out.map((text) => JSON.parse(text))).toEqual([journeyJsonSchema()]);
  });

  it("--template prints the template files' schema", async () => {
    // Prepare
    const io = capture();

    // Act
    const code = await schemaCommand(["--template"], io);

    // Assess
    expect(code).toBe(0);
    expect(io.out.map((text) => JSON.parse(text))).toEqual([templateJsonSchema()]);
  });

  it("--write writes the five schemas to journeys/ under the working folder", async () => {
    // Prepare
    const cwd = mkdtempSync(join(tmpdir(), "nudge-schema-"));
    temporary.push(cwd);
    mkdirSync(join(cwd, "journeys"));
    const io = capture(cwd);

    // Act
    const code = await schemaCommand(["--write"], io);

    // Assess
    expect(code).toBe(0);
    expect(io.out).toEqual([
      "wrote journeys/journey.schema.json",
      "wrote journeys/template.schema.json",
      "wrote journeys/traits.schema.json",
      "wrote journeys/segment.schema.json",
      "wrote journeys/journey-test.schema.json",
    ]);
    expect(readFileSync(join(cwd, "journeys/journey.schema.json"), "utf8")).toBe(journeyJsonSchemaText());
    expect(readFileSync(join(cwd, "journeys/template.schema.json"), "utf8")).toBe(templateJsonSchemaText());
    expect(readFileSync(join(cwd, "journeys/traits.schema.json"), "utf8")).toBe(traitsJsonSchemaText());
    expect(readFileSync(join(cwd, "journeys/segment.schema.json"), "utf8")).toBe(segmentJsonSchemaText());
    expect(readFileSync(join(cwd, "journeys/journey-test.schema.json"), "utf8")).toBe(journeyTestJsonSchemaText());
  });

  it("refuses arguments it does not know", async () => {
    // Act
    const run = schemaCommand(["out.json"], capture());

    // Assess
    await expect(run).rejects.toThrow(new UsageError('unexpected argument "out.json"'));
  });
});

describe("journeys/traits.schema.json", () => {
  it("is what the zod schema generates today (run `npm run schema` after changing the traits' config.ts)", () => {
    // Prepare
    const committed = readFileSync(join(root, "journeys/traits.schema.json"), "utf8");
    // Act
    const fresh = traitsJsonSchemaText();
    // Assess
    expect(committed).toBe(fresh);
    expect(JSON.parse(readFileSync(join(root, "journeys/traits.json"), "utf8")).$schema).toBe("./traits.schema.json");
  });
});
