// The port through which the transfer journal (dns/xfr/journal.ts) reads the zones' current content
// instead of keeping a copy of its own: the zone index (zone-index.ts) implements it. Declared on the
// read side, the lower of the two, so the index imports nothing from the transfer front door.
//
// What an implementation promises:
// - Reads are synchronous and show every change applied so far.
// - A host's `sets` map is never mutated once handed out: a change replaces it with a new map. A map
//   read before a change therefore still shows the state before it, which is how the journal gets a
//   host's old content without holding it.
// - `zone(name)` may be updated in place by later changes: copy the fields that must outlive one.
//
// What callers must do: the journal is the only writer (`ContentHolder`): every change reaches the
// holder through it, so it reads each old state first (see journal.ts).

import type { ChangeListener } from "../../store/change-listener.js";
import type { Snapshot } from "../../store/types.js";
import type { ServedNode, ServedZone, WireRRSet } from "./types.js";

/** A host as held now: the zone it is in and its sets by numeric type (possibly none). */
export interface HeldHost {
  readonly zone: string;
  readonly sets: ReadonlyMap<number, WireRRSet>;
}

export interface HeldZones {
  /** The zone whose apex is exactly `name` (SOA, serial, NS in wire form), or undefined. */
  zone(name: string): ServedZone | undefined;
  /** The host `fqdn` as held now, or undefined when no zone holds it. */
  host(fqdn: string): HeldHost | undefined;
  /** Every name of zone `zone` with at least one record set, in no particular order; none when unknown. */
  hosts(zone: string): Iterable<ServedNode>;
}

/** The content the journal keeps the history of and feeds: it hears changes only through the journal. */
export interface ContentHolder extends HeldZones, ChangeListener {
  /** Replaces everything with the snapshot's content. */
  load(snapshot: Snapshot): void;
}
