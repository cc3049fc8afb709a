// Sorting for the memory store's listings: every port promises an order, and the SQLite adapter gets
// it from ORDER BY, which compares strings by code unit as `<` does.

/** A comparator by a string key, code unit order (as SQLite's default BINARY collation). */
export function byKey<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}
