// Cheap detection of local address changes: a snapshot of every interface's addresses (with the IPv6
// flags that decide which one is published), compared with the previous one.

import type { InterfaceWatch } from "./agent-record.js";
import type { InterfaceAddress } from "../system/types.js";

/** Interface name → a canonical description of its addresses. */
export type InterfaceSignature = ReadonlyMap<string, string>;

export function interfaceSignature(table: readonly InterfaceAddress[]): InterfaceSignature {
  const byName = new Map<string, string[]>();
  for (const a of table) {
    const flags = `${a.temporary ? "t" : ""}${a.deprecated ? "d" : ""}${a.tentative ? "n" : ""}`;
    const list = byName.get(a.interface) ?? [];
    list.push(`${a.address}/${a.prefixLength}${flags === "" ? "" : `:${flags}`}`);
    byName.set(a.interface, list);
  }
  return new Map([...byName].map(([name, list]) => [name, list.sort().join(" ")]));
}

/** Names of interfaces that appeared, disappeared or whose addresses changed. */
export function changedInterfaces(before: InterfaceSignature, after: InterfaceSignature): Set<string> {
  const changed = new Set<string>();
  for (const [name, sig] of after) if (before.get(name) !== sig) changed.add(name);
  for (const name of before.keys()) if (!after.has(name)) changed.add(name);
  return changed;
}

export function isAffected(watch: InterfaceWatch, changed: ReadonlySet<string>): boolean {
  if (changed.size === 0 || watch === "none") return false;
  if (watch === "any") return true;
  for (const name of changed) if (watch.has(name)) return true;
  return false;
}
