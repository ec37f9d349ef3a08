/**
 * `make()`'s value, made at the first call and kept: for what costs at every start and not every
 * run uses. A regular expression with Unicode property classes, for one, is built as it is created
 * (~0.2-1 ms each, before the first connect).
 */
export function madeOnFirstUse<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
