import type * as z from "zod";

/**
 * The fields a schema allows for the object at a JSON path of an input, read from the zod schema itself
 * (a step's fields by its `type`), so that an unknown field can be told the field it is a likely typo of.
 * Empty when the path leads nowhere known.
 */

interface Def {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  options?: z.core.$ZodType[];
  discriminator?: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  getter?: () => z.core.$ZodType;
  values?: unknown[];
  /** An enum's values, by name. */
  entries?: Record<string, unknown>;
}

const defOf = (schema: z.core.$ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema with its wrappers (optional, default, pipe, lazy, ...) taken off, for this input. */
function unwrap(schema: z.core.$ZodType, input: unknown): z.core.$ZodType | undefined {
  for (let at: z.core.$ZodType | undefined = schema, depth = 0; at !== undefined && depth < 20; depth++) {
    const def = defOf(at);
    if (def.type === "union") {
      at = pickOption(def, input);
      continue;
    }
    const inner = def.innerType ?? def.in ?? def.getter?.();
    if (inner === undefined) return at;
    at = inner;
  }
  return undefined;
}

/** The option of a union this input is meant for: by its discriminator, or the one object option. */
function pickOption(def: Def, input: unknown): z.core.$ZodType | undefined {
  const options = def.options ?? [];
  if (def.discriminator !== undefined && typeof input === "object" && input !== null) {
    const tag = (input as Record<string, unknown>)[def.discriminator];
    return options.find((option) => {
      const field = defOf(option).shape?.[def.discriminator as string];
      if (field === undefined) return false;
      const { values, entries } = defOf(field);
      return (values ?? Object.values(entries ?? {})).includes(tag);
    });
  }
  const objects = options.filter((option) => defOf(option).type === "object");
  return objects.length === 1 ? objects[0] : undefined;
}

export function fieldsAt(schema: z.core.$ZodType, input: unknown, path: readonly PropertyKey[]): string[] {
  let at = unwrap(schema, input);
  let value = input;
  for (const segment of path) {
    if (at === undefined) return [];
    const def = defOf(at);
    const next =
      value === null || typeof value !== "object" ? undefined : (value as Record<PropertyKey, unknown>)[segment];
    const child = def.type === "object" ? def.shape?.[String(segment)] : (def.element ?? def.valueType);
    at = child === undefined ? undefined : unwrap(child, next);
    value = next;
  }
  const shape = at === undefined ? undefined : defOf(at).shape;
  return shape === undefined ? [] : Object.keys(shape);
}
