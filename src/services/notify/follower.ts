// The address-change follower: turns the durable change log's A/AAAA rows into host.address_changed
// events, exactly once across nodes, processes and restarts. One node at a time follows (the
// follower lease, NotifyStore.claimNotifyFollower); it reads the rows after the stored cursor
// (addressChanges) and enqueues their events in the same transaction as it moves the cursor past
// them (followChanges, fenced by the lease and the cursor it read), so a crash before the commit
// leaves both as they were and one after it leaves neither to do again. The log is written by
// triggers in every writer's transaction, so changes made by the CLI (another process) or another
// node are followed too; their order is the commit order (postgres 0008_change_order).
// The first run starts at the log's end: no events for what changed before webhooks existed. A
// change that leaves the values as they were (a TTL change) makes no event. If the log is pruned
// past the cursor while no node follows (a server down for long), those changes make no event.
// An idle pass (the cursor at the log's end) only reads, so an idle server writes nothing for it.
// Promises: start() polls every pollMs; wake() runs a pass now; stop() resolves once no pass runs and
// frees the lease; nothing here throws (store failures are logged and retried).

import { randomUUID } from "node:crypto";

import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import type { Timers } from "../../core/timers.js";
import type { AddressChange, ChangeFeed, NewNotification, NotifyStore } from "../../store/ports.js";
import { toNotification } from "./events.js";
import { PassLoop } from "./pass-loop.js";

const LEASE_MS = 30_000;
const PAGE = 200;
/** Passes in a row before yielding when the log has more (bounded work per pass). */
const MAX_PAGES = 50;

export interface FollowerDeps {
  readonly store: Pick<
    NotifyStore,
    "claimNotifyFollower" | "releaseNotifyFollower" | "notifyCursor" | "addressChanges" | "followChanges"
  > &
    Pick<ChangeFeed, "changeSeq">;
  readonly node: string;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly log: Log;
  /** Called after events were enqueued (the delivery worker's wake). */
  readonly onEnqueued?: () => void;
  /** Default 1 s. */
  readonly pollMs?: number;
  readonly newId?: () => string;
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);

/** The event of a change, or undefined when the values did not change. */
export function addressEvent(c: AddressChange, id: string): NewNotification | undefined {
  if (same(c.before, c.after)) return undefined;
  return toNotification(
    {
      kind: "host.address_changed",
      host: c.fqdn,
      zone: c.zone,
      type: c.type,
      old: c.before,
      new: c.after,
      at: c.at,
    },
    id,
  );
}

export class ChangeFollower {
  readonly #loop: PassLoop;
  /** Set when a pass stopped with more to read. */
  #more = false;

  constructor(private readonly deps: FollowerDeps) {
    this.#loop = new PassLoop(deps.timers, deps.pollMs ?? 1_000, async () => {
      await this.pass();
      if (this.#more) this.#loop.wake();
    });
  }

  start(): void {
    this.#loop.start();
  }

  /** Runs a pass now (another writer may have committed). */
  wake(): void {
    this.#loop.wake();
  }

  /** Stops, then frees the lease so another node takes over at once. */
  async stop(): Promise<void> {
    await this.#loop.stop();
    await this.deps.store.releaseNotifyFollower(this.deps.node).catch(() => undefined);
  }

  /** One pass: under the lease, turn what the log has after the cursor into events. */
  async pass(): Promise<void> {
    const { store, node, clock, log } = this.deps;
    const newId = this.deps.newId ?? randomUUID;
    this.#more = false;
    try {
      // Idle (nothing logged after the cursor): two reads, no write, lease or not.
      const seen = await store.notifyCursor();
      if (seen !== null && seen >= (await store.changeSeq())) return;
      if (!(await store.claimNotifyFollower(node, clock(), LEASE_MS))) return;
      let cursor = await store.notifyCursor();
      if (cursor === null) {
        const end = await store.changeSeq();
        if (await store.followChanges(node, null, end, [], clock())) cursor = end;
        else return;
      }
      for (let page = 0; page < MAX_PAGES; page++) {
        const { to, changes } = await store.addressChanges(cursor, PAGE);
        if (to === cursor) return;
        const events = changes.flatMap((c) => addressEvent(c, newId()) ?? []);
        if (!(await store.followChanges(node, cursor, to, events, clock()))) return;
        cursor = to;
        if (events.length > 0) this.deps.onEnqueued?.();
        if (changes.length < PAGE) return;
      }
      this.#more = true;
    } catch (e) {
      log.warn({ err: e }, "webhook change follower pass failed; retrying");
    }
  }
}
