// The step between a right password and a right second-factor code. begin() stores a challenge for
// the user (in the store, so any node can finish it) under the SHA-256 of a random cookie value (32
// bytes, base64url), as sessions are; the browser holds the value in an HttpOnly cookie. A challenge
// lives `ttlMs` (default 5 minutes) and grants nothing: only finish() — which one caller alone can win —
// followed by a session start signs the user in.

import { randomBytes as nodeRandomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.js";
import type { TotpStore } from "../../store/ports.js";
import type { LoginChallenge } from "../../store/types.js";
import { sessionIdHash } from "./sessions.js";

export const CHALLENGE_TTL_MS = 5 * 60_000;
const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

export interface LoginChallenges {
  /** Opens a challenge for `user` (user_not_found if absent); prunes expired ones first. */
  begin(user: string): Promise<{ cookieValue: string; challenge: LoginChallenge }>;
  /** The live challenge of a cookie value; undefined for a missing, malformed, unknown or expired one. */
  find(cookieValue: string | undefined): Promise<LoginChallenge | undefined>;
  /** Ends the challenge; true for the one caller that ended it. */
  finish(cookieValue: string): Promise<boolean>;
}

export function createLoginChallenges(deps: {
  readonly store: TotpStore;
  readonly clock: Clock;
  readonly ttlMs?: number;
  readonly randomBytes?: (n: number) => Uint8Array;
}): LoginChallenges {
  const { store, clock } = deps;
  const ttl = deps.ttlMs ?? CHALLENGE_TTL_MS;
  const random = deps.randomBytes ?? ((n: number) => nodeRandomBytes(n));
  return {
    async begin(user) {
      const now = clock();
      await store.pruneLoginChallenges(now);
      const cookieValue = Buffer.from(random(32)).toString("base64url");
      const challenge = { idHash: sessionIdHash(cookieValue), user, createdAt: now, expiresAt: now + ttl };
      await store.createLoginChallenge(challenge);
      return { cookieValue, challenge };
    },

    async find(cookieValue) {
      if (cookieValue === undefined || !COOKIE_VALUE.test(cookieValue)) return undefined;
      const c = await store.getLoginChallenge(sessionIdHash(cookieValue));
      // Live until expiresAt; a clock (or another node's) behind createdAt by up to a TTL is tolerated,
      // so a clock stepped back stretches a challenge to two TTLs at most.
      const now = clock();
      return c !== undefined && now < c.expiresAt && now >= c.createdAt - ttl ? c : undefined;
    },

    finish(cookieValue) {
      return store.deleteLoginChallenge(sessionIdHash(cookieValue));
    },
  };
}
