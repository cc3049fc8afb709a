// The DNS TCP connection table: who may hold a connection, and which connection gives way to a new
// one. A new connection is never refused; when a limit is reached an open connection is closed instead,
// so an attacker holding idle connections cannot lock real clients out:
// - a client network (tcp_ipv4_prefix_length / tcp_ipv6_prefix_length) at `perNetwork` connections
//   loses its own idlest connection;
// - a full table loses the idlest connection of the network holding the most connections (a fair
//   share: a network with few connections is the last to lose one);
// - `reserved` further slots belong to privileged clients (zone-transfer peers, by address): they take
//   those first, and nobody else can fill or close them, so a transfer gets through a full table.
// "Idlest" is the connection whose last read or write is the oldest. Pure bookkeeping: the caller
// closes what `admit` returns and reports activity and closes back.

export interface SlotLimits {
  /** Connections in the shared part of the table. */
  readonly total: number;
  /** Connections one client network may hold, shared and reserved parts together. */
  readonly perNetwork: number;
  /** Further connections kept for privileged clients. */
  readonly reserved: number;
}

export type Eviction = "network_limit" | "global_limit";

/** One admitted connection. */
export interface Slot<T> {
  readonly item: T;
  readonly network: string;
  readonly reserved: boolean;
  /** Sequence number of its last activity (larger: more recent). */
  lastActive: number;
}

export class SlotTable<T> {
  readonly #limits: SlotLimits;
  readonly #byNetwork = new Map<string, Set<Slot<T>>>();
  #shared = 0;
  #reserved = 0;
  #clock = 0;

  constructor(limits: SlotLimits) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#shared + this.#reserved;
  }

  /**
   * Admits a new connection from `network`, making room first: the slots returned with their reason
   * have been released and must be closed by the caller (at most two: one for the network's limit,
   * one for the table's).
   */
  admit(
    item: T,
    network: string,
    privileged: boolean,
  ): { slot: Slot<T>; evicted: { slot: Slot<T>; reason: Eviction }[] } {
    const evicted: { slot: Slot<T>; reason: Eviction }[] = [];
    const mine = this.#byNetwork.get(network);
    if (mine !== undefined && mine.size >= this.#limits.perNetwork) {
      const idlest = idlestOf(mine, () => true);
      if (idlest !== undefined) evicted.push({ slot: this.#drop(idlest), reason: "network_limit" });
    }
    const reserved = privileged && this.#reserved < this.#limits.reserved;
    if (!reserved && this.#shared >= this.#limits.total) {
      const victim = this.#fairShareVictim();
      if (victim !== undefined) evicted.push({ slot: this.#drop(victim), reason: "global_limit" });
    }
    const slot: Slot<T> = { item, network, reserved, lastActive: ++this.#clock };
    let set = this.#byNetwork.get(network);
    if (set === undefined) this.#byNetwork.set(network, (set = new Set()));
    set.add(slot);
    if (reserved) this.#reserved++;
    else this.#shared++;
    return { slot, evicted };
  }

  /** Marks the slot as just used (a message read or a reply written). */
  touch(slot: Slot<T>): void {
    slot.lastActive = ++this.#clock;
  }

  /** Forgets a closed connection; a slot already dropped (evicted) is ignored. */
  release(slot: Slot<T>): void {
    if (this.#byNetwork.get(slot.network)?.has(slot) === true) this.#drop(slot);
  }

  /** The idlest shared slot of the network with the most shared slots. */
  #fairShareVictim(): Slot<T> | undefined {
    let victim: Slot<T> | undefined;
    let most = 0;
    for (const slots of this.#byNetwork.values()) {
      let shared = 0;
      for (const s of slots) if (!s.reserved) shared++;
      if (shared === 0 || shared < most) continue;
      const idlest = idlestOf(slots, (s) => !s.reserved)!;
      if (shared > most || idlest.lastActive < victim!.lastActive) victim = idlest;
      most = shared;
    }
    return victim;
  }

  #drop(slot: Slot<T>): Slot<T> {
    const set = this.#byNetwork.get(slot.network)!;
    set.delete(slot);
    if (set.size === 0) this.#byNetwork.delete(slot.network);
    if (slot.reserved) this.#reserved--;
    else this.#shared--;
    return slot;
  }
}

function idlestOf<T>(slots: Iterable<Slot<T>>, eligible: (s: Slot<T>) => boolean): Slot<T> | undefined {
  let idlest: Slot<T> | undefined;
  for (const s of slots)
    if (eligible(s) && (idlest === undefined || s.lastActive < idlest.lastActive)) idlest = s;
  return idlest;
}
