/** A Map or WeakMap, as `entryOf` uses it. */
interface Keyed<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): unknown;
}

/**
 * The value under `key`, made by `create` and kept there the first time it is asked for: the step of a map of
 * maps. Pass `create` as a constant (`newMap`), not a closure written at the call: this runs on hot paths.
 */
export function entryOf<K, V>(map: Keyed<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/** A new empty Map (for `entryOf`). */
export const newMap = <K, V>(): Map<K, V> => new Map<K, V>();
