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
  /**
   * The traits the traits file beside the journey defines, which its `profile.traits.<name>` reads must name;
   * undefined when not known (not looked for, or a file with problems of its own): those reads are not checked.
   */
  traits?: DefinedTraits;
  /** The segments of the segments folder beside the journey, which a campaign's `segment` must name; undefined: not checked. */
  segments?: DefinedSegments;
}

/** The segments of the folder beside a journey (`journeys/segments/`), by their ids (their files' names). */
export interface DefinedSegments {
  /** The folder, relative to the working directory, whether or not it exists. */
  dir: string;
  exists: boolean;
  ids: readonly string[];
}

/** What the traits file beside a journey (`journeys/traits.json`) defines. */
export interface DefinedTraits {
  /** The file, relative to the working directory, whether or not it exists. */
  file: string;
  exists: boolean;
  /** Every name it defines, in its order (a streak's day flag, a score's tier and RFM's group included). */
  names: readonly string[];
}

export type Path = readonly (string | number)[];

export function problemAt(file: string, path: Path, message: string): JourneyProblem {
  return { file, path: formatPath(path), message };
}

export { closestMatch, didYouMean, listOf, quote } from "../suggestions.ts";
