// API tokens: creation (the secret is shown once, only its SHA-256 is stored) and authentication of
// every credential form dyndns2 clients send. Every failure is the same `unauthorized` to the caller;
// the precise reason goes to the debug log only.

import { createHash, randomBytes as nodeRandomBytes } from "node:crypto";
import type { Clock } from "../core/clock.js";
import { BeaconError } from "../core/errors.js";
import { inCidr, parseCidr, type ParsedIp } from "../core/ip.js";
import { normalizeName, tryNormalizeName } from "../core/names.js";
import { isRecordType, type RecordType } from "../core/records.js";
import type { TokenRecord } from "../store/types.js";
import type { TokenStore } from "../store/ports.js";
import type { NameScope } from "../core/zones.js";
import { silentLog, type Log } from "../core/log.js";
import { tokenCoversName } from "./scope.js";

const TOUCH_EVERY_MS = 60_000;

export type RandomBytes = (size: number) => Uint8Array;

export interface TokenServiceDeps {
  readonly store: TokenStore;
  readonly clock: Clock;
  /** Source of randomness; defaults to node:crypto randomBytes. */
  readonly randomBytes?: RandomBytes;
  readonly log?: Log;
}

export interface CreateTokenInput {
  readonly label: string;
  readonly names: readonly NameScope[];
  readonly types: readonly RecordType[];
  readonly allowedCidrs?: readonly string[];
  readonly expiresAt?: number;
  /** The host (Host.id) the token is made for: deleting that host revokes it (TokenRecord.hostId). */
  readonly hostId?: number;
}

export interface Credential {
  /** Basic-auth user: a hostname, the token id, or anything when the password is a full token. */
  readonly user?: string | undefined;
  readonly password: string;
}

export interface TokenService {
  /** `token` is the presented string `${id}.${secret}`; it is returned here once and never stored. */
  create(input: CreateTokenInput): Promise<{ record: TokenRecord; token: string }>;
  /**
   * Resolves the valid token the credential names; throws BeaconError("unauthorized") otherwise, and
   * signature_required for a token that must sign its requests (docs/protocols/signed-requests.md).
   */
  authenticate(cred: Credential, sourceIp: ParsedIp | undefined): Promise<TokenRecord>;
  /**
   * The checks every use of a found token passes (not revoked, not expired, source address allowed),
   * then its "last used" is recorded; throws unauthorized. For signed requests, after the signature.
   */
  admit(token: TokenRecord, sourceIp: ParsedIp | undefined): TokenRecord;
  list(): Promise<TokenRecord[]>;
  /** Marks the token revoked; token_not_found if absent. Revoking twice is a no-op. */
  revoke(id: string): Promise<void>;
  /**
   * A new token with the old one's label, scope, types, CIDRs and host, and an expiry as far from now
   * as the old one's was from its creation (none stays none); then the old one is revoked. The new token is
   * created first, so a failure leaves the old one working (and the new one revoked, best effort).
   * token_not_found if absent; bad_request if it is already revoked.
   */
  rotate(id: string): Promise<{ record: TokenRecord; token: string; replaced: string }>;
}

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const ID_PATTERN = /^tk_[a-z2-7]{10}$/;
const SECRET_BYTES = 24;

export function isTokenId(s: string): boolean {
  return ID_PATTERN.test(s);
}

export function createTokenService(deps: TokenServiceDeps): TokenService {
  const { store, clock } = deps;
  const random = deps.randomBytes ?? ((n: number) => new Uint8Array(nodeRandomBytes(n)));
  const log = deps.log ?? silentLog;

  function newId(): string {
    // 256 is a multiple of 32, so masking keeps every character equally likely.
    return `tk_${Array.from(random(10), (b) => ID_ALPHABET[b & 31]).join("")}`;
  }

  function reject(reason: string, fields: Record<string, unknown> = {}): never {
    log.debug({ ...fields, reason }, "authentication failed");
    throw new BeaconError("unauthorized");
  }

  /**
   * The secret a credential presents and what the token it belongs to must agree with: the id of
   * `id.secret` or of user = id, or a hostname user the token covers. Other users name no token.
   */
  function formOf(cred: Credential): { secret: string; fits: (t: TokenRecord) => boolean } | undefined {
    const dot = cred.password.indexOf(".");
    if (dot > 0 && isTokenId(cred.password.slice(0, dot))) {
      const id = cred.password.slice(0, dot);
      return { secret: cred.password.slice(dot + 1), fits: (t) => t.id === id };
    }
    const user = cred.user?.trim() ?? "";
    if (isTokenId(user)) return { secret: cred.password, fits: (t) => t.id === user };
    const name = user.includes(".") ? tryNormalizeName(user) : undefined;
    if (name === undefined) return undefined;
    return { secret: cred.password, fits: (t) => tokenCoversName(t, name) };
  }

  const service: TokenService = {
    async create(input) {
      const label = input.label.trim();
      if (label.length === 0 || label.length > 200) {
        throw new BeaconError("bad_request", "a token label is 1 to 200 characters");
      }
      if (input.names.length === 0) throw new BeaconError("bad_request", "a token needs at least one name");
      const names = input.names.map((s) => ({ name: normalizeName(s.name), subtree: s.subtree }));
      if (input.types.length === 0 || !input.types.every((t) => isRecordType(t))) {
        throw new BeaconError("bad_request", "a token needs at least one record type of A, AAAA, TXT");
      }
      const allowedCidrs = (input.allowedCidrs ?? []).map((c) => {
        const canonical = parseCidr(c);
        if (canonical === undefined)
          throw new BeaconError("bad_request", `"${c.slice(0, 64)}" is not a CIDR`);
        return canonical;
      });
      const now = clock();
      if (input.expiresAt !== undefined && (!Number.isInteger(input.expiresAt) || input.expiresAt <= now)) {
        throw new BeaconError("bad_request", "the expiry must lie in the future");
      }
      const secret = Buffer.from(random(SECRET_BYTES)).toString("base64url");
      const record: TokenRecord = {
        id: newId(),
        secretHash: sha256Hex(secret),
        label,
        names,
        types: [...new Set(input.types)],
        allowedCidrs,
        createdAt: now,
        expiresAt: input.expiresAt,
        lastUsedAt: undefined,
        revokedAt: undefined,
        hostId: input.hostId,
      };
      await store.createToken(record);
      return { record, token: `${record.id}.${secret}` };
    },

    async authenticate(cred, sourceIp) {
      if (cred.password.length === 0 || cred.password.length > 512) reject("empty or oversized password");
      // One indexed read by the SHA-256 of the secret, whatever the form and however many tokens
      // exist (the secret is 192 random bits: looking its hash up leaks nothing a guess could use).
      const form = formOf(cred);
      const token = form && (await store.findTokenBySecretHash(sha256Hex(form.secret)));
      if (token === undefined) reject("no such token");
      if (!form?.fits(token)) reject("the secret is another token's, or its scope lacks the user name");
      if (token.requireSignature === true) {
        log.debug({ tokenId: token.id }, "authentication failed: the token must sign its requests");
        throw new BeaconError("signature_required");
      }
      return service.admit(token, sourceIp);
    },

    admit(token, sourceIp) {
      const now = clock();
      if (token.revokedAt !== undefined) reject("revoked", { tokenId: token.id });
      if (token.expiresAt !== undefined && now >= token.expiresAt) reject("expired", { tokenId: token.id });
      if (
        token.allowedCidrs.length > 0 &&
        !(sourceIp && token.allowedCidrs.some((c) => inCidr(sourceIp, c)))
      ) {
        reject("source address not allowed", { tokenId: token.id, ip: sourceIp?.text });
      }
      // "Last used" is for people; at most one write a minute per token keeps it off the update path.
      if (token.lastUsedAt === undefined || now - token.lastUsedAt >= TOUCH_EVERY_MS) {
        store.touchToken(token.id, now).catch((e: unknown) => {
          log.warn({ tokenId: token.id, err: e }, "could not record token use");
        });
      }
      return token;
    },

    list() {
      return store.listTokens();
    },

    async revoke(id) {
      if (await store.revokeToken(id, clock())) return;
      if ((await store.getToken(id)) === undefined)
        throw new BeaconError("token_not_found", `no token "${id}"`);
    },

    async rotate(id) {
      const old = isTokenId(id) ? await store.getToken(id) : undefined;
      if (old === undefined) throw new BeaconError("token_not_found", `no token "${id.slice(0, 64)}"`);
      if (old.revokedAt !== undefined)
        throw new BeaconError("bad_request", `token "${id}" is revoked; create a new one instead`);
      const lifetime = old.expiresAt === undefined ? undefined : old.expiresAt - old.createdAt;
      const created = await service.create({
        label: old.label,
        names: old.names,
        types: old.types,
        allowedCidrs: old.allowedCidrs,
        ...(lifetime === undefined ? {} : { expiresAt: clock() + Math.max(lifetime, 1) }),
        hostId: old.hostId,
      });
      try {
        await store.revokeToken(old.id, clock());
      } catch (e) {
        await store.revokeToken(created.record.id, clock()).catch(() => false);
        throw e;
      }
      return { ...created, replaced: old.id };
    },
  };
  return service;
}

function sha256Hex(s: string): string {
  return createHash("sha256").update(s, "utf8").digest("hex");
}
