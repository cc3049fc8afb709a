// A Store wrapper that counts, per method, the calls and the rows returned (an array's length, 1 for
// any other value, 0 for undefined), so tests can show what an operation costs without timing it.

import type { Store } from "../ports.js";

export interface StoreReads {
  readonly calls: number;
  readonly rows: number;
}

export interface CountingStore {
  readonly store: Store;
  /** Method name → calls and rows since the last reset; methods never called are absent. */
  counts(): Record<string, StoreReads>;
  reset(): void;
}

export function countingStore(inner: Store): CountingStore {
  let counts: Record<string, StoreReads> = {};
  const count = (name: string, result: unknown) => {
    const rows = Array.isArray(result) ? result.length : result === undefined ? 0 : 1;
    const before = counts[name] ?? { calls: 0, rows: 0 };
    counts[name] = { calls: before.calls + 1, rows: before.rows + rows };
    return result;
  };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string") return value;
      return async (...args: unknown[]) =>
        count(prop, await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
  return { store, counts: () => ({ ...counts }), reset: () => void (counts = {}) };
}
