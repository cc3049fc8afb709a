// Slows down password guessing, per key: the client network (IPv4 address, IPv6 /64) and the user name
// tried. Failures less than `windowMs` apart form a streak; the `maxFailures`-th failure of a streak
// locks the key for `baseLockMs`, and every further failure locks it again for twice as long, up to
// `maxLockMs`. A streak is forgotten `windowMs` after its last failure or lock, whichever ends later.
//
// Memory is bounded: at most `maxEntries` keys, least recently failed evicted first. A key is moved to
// the end on every failure, so an attacker spraying user names evicts other idle keys, never the lock
// on its own network. In memory only: a restart forgets every streak (documented in docs/admin.md).

import ipaddr from "ipaddr.js";
import type { Clock } from "../../core/clock.js";
import { parseIp } from "../../core/ip.js";

export interface LoginLimiterOptions {
  readonly clock: Clock;
  readonly maxFailures?: number;
  readonly windowMs?: number;
  readonly baseLockMs?: number;
  readonly maxLockMs?: number;
  readonly maxEntries?: number;
}

export interface LoginLimiter {
  /** Milliseconds until every key is unlocked, or undefined when none is locked. */
  check(keys: readonly string[]): number | undefined;
  /** Records one failed attempt against every key. */
  failed(keys: readonly string[]): void;
  /** Forgets the keys' streaks (callers pass the user key only: a success must not unlock a network). */
  succeeded(keys: readonly string[]): void;
}

interface Entry {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

/** Limiter key of a client address: the address for IPv4, its /64 for IPv6 (one home network). */
export function ipKey(address: string | undefined): string {
  const ip = address === undefined ? undefined : parseIp(address);
  if (ip === undefined) return "ip:unknown";
  if (ip.family === 4) return `ip:${ip.text}`;
  const v6 = ipaddr.IPv6.parse(ip.text);
  if (v6.isIPv4MappedAddress()) return `ip:${v6.toIPv4Address().toString()}`;
  return `ip:${v6.parts
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** Limiter key of a user name as typed (lowercased, clipped: the key must stay small). */
export function userKey(name: string): string {
  return `user:${name.toLowerCase().slice(0, 128)}`;
}

export function createLoginLimiter(options: LoginLimiterOptions): LoginLimiter {
  const clock = options.clock;
  const maxFailures = options.maxFailures ?? 5;
  const windowMs = options.windowMs ?? 15 * 60_000;
  const baseLockMs = options.baseLockMs ?? 60_000;
  const maxLockMs = options.maxLockMs ?? 60 * 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();

  function live(key: string, now: number): Entry | undefined {
    const e = entries.get(key);
    if (e === undefined) return undefined;
    if (now >= Math.max(e.lastFailureAt, e.lockedUntil) + windowMs) {
      entries.delete(key);
      return undefined;
    }
    return e;
  }

  return {
    check(keys) {
      const now = clock();
      let wait = 0;
      for (const key of keys) {
        const e = live(key, now);
        if (e !== undefined && e.lockedUntil > now) wait = Math.max(wait, e.lockedUntil - now);
      }
      return wait > 0 ? wait : undefined;
    },

    failed(keys) {
      const now = clock();
      for (const key of keys) {
        const e = live(key, now) ?? { failures: 0, lastFailureAt: now, lockedUntil: 0 };
        e.failures++;
        e.lastFailureAt = now;
        if (e.failures >= maxFailures) {
          const doublings = Math.min(e.failures - maxFailures, 30);
          e.lockedUntil = now + Math.min(baseLockMs * 2 ** doublings, maxLockMs);
        }
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
