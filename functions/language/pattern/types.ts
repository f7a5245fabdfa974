/** The normalised form of an event pattern: what validation produces and the matcher compiles. */
import type { IpRange } from "./ip.ts";
import type { WildcardParts } from "./wildcard.ts";

export type EventPattern = { [key: string]: unknown };

export type Exact = string | number | boolean | null;

export type Matcher =
  | { readonly kind: "exact"; readonly value: Exact; readonly ip?: Uint8Array }
  | { readonly kind: "prefix" | "suffix"; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: "equals-ignore-case"; readonly value: string }
  | { readonly kind: "wildcard"; readonly parts: WildcardParts }
  | { readonly kind: "numeric"; readonly range: NumericRange }
  | { readonly kind: "exists"; readonly value: boolean }
  | { readonly kind: "cidr"; readonly range: IpRange }
  | { readonly kind: "anything-but"; readonly strings: readonly string[]; readonly numbers: readonly number[] }
  | {
      readonly kind: "anything-but-ignore-case" | "anything-but-prefix" | "anything-but-suffix";
      readonly values: readonly string[];
    }
  | { readonly kind: "anything-but-wildcard"; readonly values: readonly WildcardParts[] };

export interface NumericRange {
  readonly low: number;
  readonly lowOpen: boolean;
  readonly high: number;
  readonly highOpen: boolean;
}

export interface Field {
  /** The flattened path, e.g. "detail.state". */
  readonly path: string;
  /** Where the field's value array sits in the pattern, for messages. */
  readonly location: string;
  readonly matchers: readonly Matcher[];
}

/** A branch's fields, in path order: the order Event Ruler walks them, which `exists: false` and complexity see. */
export type Branch = readonly Field[];
