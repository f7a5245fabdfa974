/**
 * The target of a migration map entry that ends the run (`"migrate": {"steps": {"<step>": "exit"}}`), in a file of
 * its own without zod: the engine reads it, and the Lambda bundles leave the journey language's schema out.
 */
export const MIGRATE_EXIT = "exit";
