// DNS-01 by Beacon itself: the TXT record `_acme-challenge.<name>` is written through the update
// service, the same write path as the admin API (one commit with history, so the DNS index, the answer
// cache, every node, secondaries (NOTIFY) and mirrors follow), and `present` resolves only once Beacon's
// own DNS index answers it. `cleanUp` deletes the value again; with the last value gone the set is
// deleted and the implicit host with it.
//
// Several names proved at once may share one challenge name (the CA then expects each value), so the
// values presented per name are kept here and each write carries them all; writes are serialised.

import type { Clock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import type { Timers } from "../../core/timers.js";
import type { UpdateService } from "../apply-update.js";
import type { ChallengeSolver, ChallengeTask } from "./ports.js";

/** TTL of the challenge record: resolvers should not keep it. */
export const CHALLENGE_TTL = 60;

export interface DnsChallengeDeps {
  readonly updates: Pick<UpdateService, "update">;
  /** The served zone holding `fqdn`, or undefined. */
  readonly zoneOf: (fqdn: string) => string | undefined;
  /** The TXT values Beacon's DNS index answers for `fqdn` now. */
  readonly answered: (fqdn: string) => readonly string[];
  readonly clock: Clock;
  readonly timers: Timers;
  /** How long `present` waits for the index to answer (default 10 s), polling every 50 ms. */
  readonly waitMs?: number;
}

export function createDnsChallenges(d: DnsChallengeDeps): ChallengeSolver {
  const values = new Map<string, Set<string>>();
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  async function write(fqdn: string, zone: string): Promise<void> {
    const wanted = [...(values.get(fqdn) ?? [])].sort();
    const [outcome] = await d.updates.update({
      token: undefined,
      hosts: [fqdn],
      sets: { TXT: wanted.length === 0 ? null : { values: wanted, ttl: CHALLENGE_TTL } },
      createHosts: new Map([[fqdn, zone]]),
      source: { ip: "", userAgent: undefined, protocol: "acme", tokenId: undefined },
    });
    if (outcome?.status === "failed")
      throw new BeaconError(outcome.code, `writing the TXT record ${fqdn}: ${outcome.message}`);
  }

  async function answered(fqdn: string, value: string): Promise<void> {
    const deadline = d.clock() + (d.waitMs ?? 10_000);
    while (!d.answered(fqdn).includes(value)) {
      if (d.clock() >= deadline)
        throw new BeaconError("acme_failed", `Beacon's DNS did not answer the TXT record ${fqdn} in time`);
      await new Promise<void>((resolve) => d.timers.setTimeout(resolve, 50));
    }
  }

  return {
    async present(task: ChallengeTask) {
      const fqdn = `_acme-challenge.${task.name}`;
      const zone = d.zoneOf(fqdn);
      if (zone === undefined)
        throw new BeaconError("outside_zone", `${task.name} is not inside a zone this server serves`);
      await serial(async () => {
        const set = values.get(fqdn) ?? new Set<string>();
        values.set(fqdn, set.add(task.value));
        await write(fqdn, zone);
      });
      await answered(fqdn, task.value);
    },

    async cleanUp(task: ChallengeTask) {
      const fqdn = `_acme-challenge.${task.name}`;
      const set = values.get(fqdn);
      const zone = d.zoneOf(fqdn);
      if (set === undefined || !set.has(task.value) || zone === undefined) return;
      await serial(async () => {
        set.delete(task.value);
        if (set.size === 0) values.delete(fqdn);
        await write(fqdn, zone);
      });
    },
  };
}
