import type { Journey } from "../../language/schema.ts";
import { formatPath, type JourneyProblem } from "../problems.ts";
import type { TemplateLibrary } from "../template-library.ts";

/** What a check knows of one journey file while it checks it. */
export interface CheckInput {
  file: string;
  journey: Journey;
  /** Which of the journey's templates came from template files, by template id. */
  templateFiles?: Readonly<Record<string, string>>;
  /** The templates folder beside the journey file. */
  templates?: TemplateLibrary;
}

export type Path = readonly (string | number)[];

export function problemAt(file: string, path: Path, message: string): JourneyProblem {
  return { file, path: formatPath(path), message };
}

export { closestMatch, didYouMean, listOf, quote } from "../suggestions.ts";
