// Slows down password guessing without letting a stranger lock anyone out. A sign-in attempt counts
// against three keys (attemptKeys):
//
// - its client network (ipKey: the IPv4 address, the IPv6 /64): the network is locked after
//   `maxFailures` failures, whatever user names it tried;
// - the account from that network (pairKey): locked after `maxFailures` failures, or after ONE while
//   the account is braking (below);
// - the account alone (userKey): never locked. It only counts: while it has `brakeAfter` failures or
//   more in its streak (guessing from many networks), every (account, network) pair locks on its first
//   failure. A network with no failure still signs in with the right password, so nobody can lock an
//   account for its owner; a network that fails while the account is under attack waits.
//
// Failures less than `windowMs` apart form a streak; the lock of a key with k failures over its
// threshold lasts `baseLockMs` × 2^k, up to `maxLockMs`. A streak is forgotten `windowMs` after the
// longest lock it could have ends. The clock may jump: a clock that goes back moves the streak back
// with it, so a lock never lasts longer than its length and a wait is never more than `maxLockMs` (a
// wall clock stepped back a day must not turn a 60 s lock into a day).
//
// Memory is bounded: at most `maxEntries` keys, least recently failed evicted first. A key is moved to
// the end on every failure, so an attacker spraying user names evicts other idle keys, never the lock
// on its own network. In memory only: a restart forgets every streak (documented in docs/admin.md).

import ipaddr from "ipaddr.js";
import type { Clock } from "../../core/clock.js";
import { parseIp, type ParsedIp } from "../../core/ip.js";
import { asciiLowerCase } from "../../core/names.js";

export interface LoginLimiterOptions {
  readonly clock: Clock;
  readonly maxFailures?: number;
  /** Failures of one account, from any networks, that make it brake; default 10. */
  readonly brakeAfter?: number;
  readonly windowMs?: number;
  readonly baseLockMs?: number;
  readonly maxLockMs?: number;
  readonly maxEntries?: number;
}

export interface LoginLimiter {
  /** Milliseconds until every key is unlocked (never more than maxLockMs), or undefined when none is locked. */
  check(keys: readonly string[]): number | undefined;
  /** Records one failed attempt against every key. */
  failed(keys: readonly string[]): void;
  /** Forgets the keys' streaks (callers pass successKeys: a success must not unlock a network). */
  succeeded(keys: readonly string[]): void;
}

interface Entry {
  failures: number;
  lastFailureAt: number;
}

const USER = "user:";
const PAIR = "pair:";

/** Limiter key of a client address: the address for IPv4, its /64 for IPv6 (one home network). */
export function ipKey(address: string | undefined): string {
  const ip = address === undefined ? undefined : parseIp(address);
  return ip === undefined ? "ip:unknown" : networkKey(ip);
}

/** ipKey of an address already parsed. */
export function networkKey(ip: ParsedIp): string {
  if (ip.family === 4) return `ip:${ip.text}`;
  const v6 = ipaddr.IPv6.parse(ip.text);
  if (v6.isIPv4MappedAddress()) return `ip:${v6.toIPv4Address().toString()}`;
  return `ip:${v6.parts
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** The account key (never locked; brakes) of a user name as typed (lowercased, clipped: keys stay small). */
export function userKey(name: string): string {
  return `${USER}${asciiLowerCase(name).slice(0, 128)}`;
}

/** The key of an account tried from one network (`clientKey` from ipKey). */
export function pairKey(name: string, clientKey: string): string {
  return `${PAIR}${clientKey}|${userKey(name)}`;
}

/** Every key one attempt at `name` from `clientKey` counts against. */
export function attemptKeys(name: string, clientKey: string): readonly string[] {
  return [clientKey, pairKey(name, clientKey), userKey(name)];
}

/** The keys a right password clears: the account from this network only. */
export function successKeys(name: string, clientKey: string): readonly string[] {
  return [pairKey(name, clientKey)];
}

export function createLoginLimiter(options: LoginLimiterOptions): LoginLimiter {
  const clock = options.clock;
  const maxFailures = options.maxFailures ?? 5;
  const brakeAfter = options.brakeAfter ?? 10;
  const windowMs = options.windowMs ?? 15 * 60_000;
  const baseLockMs = options.baseLockMs ?? 60_000;
  const maxLockMs = options.maxLockMs ?? 60 * 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();

  /** Failures that lock the key: an account never, a pair at the first while braking. */
  const threshold = (key: string, brake: boolean): number =>
    key.startsWith(USER) ? Infinity : brake && key.startsWith(PAIR) ? 1 : maxFailures;
  const lockMs = (failures: number, over: number): number =>
    failures < over ? 0 : Math.min(baseLockMs * 2 ** Math.min(failures - over, 30), maxLockMs);

  /** The key's streak, moved back with a clock that went back; undefined once forgotten. */
  function live(key: string, now: number): Entry | undefined {
    const e = entries.get(key);
    if (e === undefined) return undefined;
    if (now < e.lastFailureAt) e.lastFailureAt = now;
    // Kept until the longest lock it could have (braking) has ended, plus the window.
    if (now >= e.lastFailureAt + lockMs(e.failures, threshold(key, true)) + windowMs) {
      entries.delete(key);
      return undefined;
    }
    return e;
  }

  function braking(keys: readonly string[], now: number): boolean {
    return keys.some((k) => k.startsWith(USER) && (live(k, now)?.failures ?? 0) >= brakeAfter);
  }

  return {
    check(keys) {
      const now = clock();
      const brake = braking(keys, now);
      let wait = 0;
      for (const key of keys) {
        const e = live(key, now);
        if (e !== undefined)
          wait = Math.max(wait, e.lastFailureAt + lockMs(e.failures, threshold(key, brake)) - now);
      }
      return wait > 0 ? Math.min(wait, maxLockMs) : undefined;
    },

    failed(keys) {
      const now = clock();
      for (const key of keys) {
        const e = live(key, now) ?? { failures: 0, lastFailureAt: now };
        e.failures++;
        e.lastFailureAt = now;
        entries.delete(key);
        entries.set(key, e);
        while (entries.size > maxEntries) {
          const oldest = entries.keys().next();
          if (oldest.done === true) break;
          entries.delete(oldest.value);
        }
      }
    },

    succeeded(keys) {
      for (const key of keys) entries.delete(key);
    },
  };
}
