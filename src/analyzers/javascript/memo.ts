/**
 * Size bound of the per-file memo tables (folded values, qualified names, taint, sinks).
 *
 * The tables only memoise pure lookups that rules repeat for the node being visited and its
 * neighbours, so old entries are worth little: on a 9 MB bundle they grew to about a million
 * entries (tens of MB of the peak heap). Past the bound a table starts over; a dropped entry is
 * recomputed on its next use, which can only see more of the file, never less.
 */
export const MEMO_LIMIT = 16_384;

/** `map.set(key, value)`, emptying the map first when it is full. */
export function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= MEMO_LIMIT) map.clear();
  map.set(key, value);
}
