// Provider "rfc2136": any authoritative server that takes RFC 2136 dynamic updates signed with TSIG
// (BIND, Knot, PowerDNS, …). Reads one set by asking the
// server itself (non-recursive query, signed, TCP unless `transport: udp`); writes with one UPDATE that
// deletes the set and adds the new records, which the server applies atomically; deletes with one
// UPDATE that deletes the set.
//
// Replies are trusted only when signed: every request carries TSIG and every reply must verify
// against the key and our request's MAC. A server's TSIG error (BADKEY, BADSIG, BADTIME: rcode NOTAUTH,
// reply unsigned by the RFC) is provider_auth. A failure rcode is believed even when unsigned (at
// worst a spoofer makes us retry). A success reply (NOERROR, NXDOMAIN) that is unsigned or does not
// verify is malformed_reply: not provider_auth, because the server accepted our key (it would have said
// BADKEY/BADSIG otherwise) — something between us forged or mangled the reply, so whether the change
// was applied is unknown. malformed_reply is transient: the retry reads again and converges.

import { z } from "zod";
import { BeaconError } from "../core/errors.js";
import { parseIp } from "../core/ip.js";
import { MAX_TTL } from "../core/records.js";
import { signTsig, TSIG_ERROR, verifyTsig, type TsigAlgorithm, type TsigKey } from "../dns/tsig/tsig.js";
import { readMessage, toWireName } from "../dns/wire/records.js";
import { encodeQuery, encodeUpdate, readAnswer, type UpdateOp } from "../dns/wire/update.js";
import { VendorError, vendorFailure, type ProviderErrorCode } from "./errors.js";
import { rrsetProvider, type RRSetApi } from "./kit/rrset-provider.js";
import { secret } from "./kit/secrets.js";
import { ttlToWrite, vendorSet } from "./kit/sets.js";
import type {
  CallContext,
  ProviderDefinition,
  ProviderDeps,
  ProviderRecordType,
  ProviderRRSet,
} from "./types.js";
import { inZone, zoneNameSetting } from "./kit/zone-setting.js";

const ALGORITHMS = [
  "hmac-sha256",
  "hmac-sha512",
  "hmac-sha384",
  "hmac-sha224",
  "hmac-sha1",
  "hmac-md5",
] as const;

export const rfc2136Settings = z
  .strictObject({
    /** The primary's address (an IP literal: the provider never resolves names). */
    server: z.string().transform((s, ctx) => {
      const ip = parseIp(s);
      if (ip !== undefined) return ip.text;
      ctx.addIssue({
        code: "custom",
        message: `${JSON.stringify(s)} is not an IP address (e.g. 192.0.2.53)`,
      });
      return z.NEVER;
    }),
    port: z.number().int().min(1).max(65535).default(53),
    /** The zone the UPDATEs name (its apex, as the server has it). */
    zone: zoneNameSetting,
    key_name: z
      .string()
      .refine((s) => toWireName(s) !== undefined, "is not a TSIG key name (e.g. beacon-key)"),
    key_secret: secret(
      z
        .string()
        .refine(
          (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s) && s.length > 0,
          {
            message: "must be the key's secret in base64 (as tsig-keygen or keymgr print it)",
          },
        ),
    ),
    key_algorithm: z.enum(ALGORITHMS).default("hmac-sha256"),
    /** hmac-md5 is broken; allowed only when the user says so. */
    allow_md5: z.boolean().default(false),
    transport: z.enum(["tcp", "udp"]).default("tcp"),
    /** TTL of sets Beacon creates when the write names none. */
    ttl: z.number().int().min(1).max(MAX_TTL).default(300),
  })
  .refine((s) => s.key_algorithm !== "hmac-md5" || s.allow_md5, {
    message: "hmac-md5 is weak: set allow_md5: true to use it anyway, or use hmac-sha256",
    path: ["key_algorithm"],
  });
export type Rfc2136Settings = z.output<typeof rfc2136Settings>;

export const rfc2136Provider: ProviderDefinition<Rfc2136Settings> = {
  type: "rfc2136",
  description: "Any DNS server taking RFC 2136 dynamic updates with TSIG (BIND, Knot, PowerDNS, …)",
  settings: rfc2136Settings,
  create: (id, s, deps) =>
    rrsetProvider({
      id,
      type: "rfc2136",
      vendor: `rfc2136 ${id}`,
      capabilities: { types: ["A", "AAAA", "TXT"], read: true, delete: true, multiValue: true, ttl: true },
      api: rfc2136Api(`rfc2136 ${id}`, s, deps),
    }),
};

const RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"] as const;
const RCODE_NAMES: Record<number, string> = {
  ...Object.fromEntries(RCODES.map((n, i) => [i, n])),
  6: "YXDOMAIN",
  7: "YXRRSET",
  8: "NXRRSET",
  9: "NOTAUTH",
  10: "NOTZONE",
};
const NOERROR = 0;
const NXDOMAIN = 3;
const NOTAUTH = 9;

/** The catalogue code for a failure rcode (NOTAUTH here means "not authoritative": no TSIG error). */
function codeForRcode(rcode: number): ProviderErrorCode {
  if (rcode === 5) return "provider_permission";
  if (rcode === 9 || rcode === 10) return "provider_zone_not_found";
  if (rcode === 2) return "provider_unavailable";
  if (rcode === 3 || (rcode >= 6 && rcode <= 8)) return "provider_conflict";
  return "provider_rejected";
}

const TSIG_ERROR_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(TSIG_ERROR).map(([name, n]) => [n, name]),
);

function rfc2136Api(
  vendor: string,
  s: Rfc2136Settings,
  deps: ProviderDeps,
): RRSetApi<{ set: ProviderRRSet }> {
  const key: TsigKey = {
    name: s.key_name.toLowerCase().replace(/\.$/, ""),
    algorithm: s.key_algorithm satisfies TsigAlgorithm,
    secret: Buffer.from(s.key_secret, "base64"),
  };
  const where = `${s.server.includes(":") ? `[${s.server}]` : s.server}:${s.port}`;
  const fail = (
    code: ProviderErrorCode,
    message: string,
    opts: { status?: string; vendorCode?: string } = {},
  ) => vendorFailure(code, new VendorError(vendor, `${where}: ${message}`, opts));

  const checkZone = (fqdn: string) => {
    if (!inZone(fqdn, s.zone))
      throw new BeaconError("provider_zone_not_found", `${vendor}: ${fqdn} is not in zone ${s.zone}`);
  };

  /** Sends one signed message; resolves with the reply once it is trusted and its rcode is in `accept`. */
  const exchange = async (
    unsigned: Uint8Array,
    what: string,
    ctx: CallContext,
    accept: readonly number[],
  ) => {
    const id = new DataView(deps.randomBytes(2).buffer).getUint16(0);
    unsigned[0] = id >> 8;
    unsigned[1] = id & 0xff;
    const now = Math.floor(deps.clock() / 1000);
    const signed = signTsig(unsigned, { key, timeSigned: now });
    const send = (transport: "tcp" | "udp") =>
      deps.dnsExchange({
        server: s.server,
        port: s.port,
        message: signed.message,
        transport,
        localAddress: ctx.localAddress,
        signal: ctx.signal,
      });
    let reply = await send(s.transport);
    if (s.transport === "udp" && reply.length > 2 && (reply[2]! & 0x02) !== 0) reply = await send("tcp");
    const msg = readMessage(reply);
    if (!msg.ok) throw fail("malformed_reply", `unreadable reply to ${what}: ${msg.reason}`);
    const rcode = msg.value.rcode;
    const status = RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
    const verdict = verifyTsig(reply, {
      findKey: (name) => (name === key.name ? key : undefined),
      now: Math.floor(deps.clock() / 1000),
      requestMac: signed.mac,
    });
    const tsigError = verdict.status === "unsigned" ? 0 : (verdict.record?.error ?? 0);
    if (tsigError !== 0) {
      const name = TSIG_ERROR_NAMES[tsigError] ?? `TSIG error ${tsigError}`;
      const hint = tsigError === TSIG_ERROR.BADTIME ? " (the clocks differ by more than the fudge)" : "";
      throw fail("provider_auth", `refused key "${key.name}" (${key.algorithm}) for ${what}${hint}`, {
        status,
        vendorCode: name,
      });
    }
    const ok = verdict.status === "ok";
    if (!accept.includes(rcode)) {
      const text = rcode === NOTAUTH ? `not authoritative for zone ${s.zone}` : `refused ${what}`;
      throw fail(codeForRcode(rcode), `${text}${ok ? "" : " (unsigned reply)"}`, { status });
    }
    if (!ok) {
      const why = verdict.status === "FORMERR" ? `a broken signature: ${verdict.reason}` : verdict.status;
      throw fail(
        "malformed_reply",
        `${status} reply to ${what} does not verify (${why}); the outcome is unknown`,
      );
    }
    return reply;
  };

  const update = async (updates: readonly UpdateOp[], what: string, ctx: CallContext) => {
    await exchange(encodeUpdate({ id: 0, zone: s.zone, updates }), what, ctx, [NOERROR]);
  };

  return {
    async read(fqdn: string, type: ProviderRecordType, ctx: CallContext) {
      checkZone(fqdn);
      const what = `query ${fqdn} ${type}`;
      const reply = await exchange(encodeQuery(0, fqdn, type), what, ctx, [NOERROR, NXDOMAIN]);
      const answer = readAnswer(reply, fqdn, type);
      if (!answer.ok) throw fail("malformed_reply", `reply to ${what}: ${answer.reason}`);
      if (!answer.value.authoritative)
        throw fail("provider_zone_not_found", `not authoritative for ${fqdn} (zone ${s.zone})`);
      const set = vendorSet(vendor, type, answer.value.ttl ?? s.ttl, answer.value.values);
      return set === undefined ? undefined : { set };
    },
    async write(req, current, ctx) {
      checkZone(req.fqdn);
      const ttl = ttlToWrite(req, current?.set, s.ttl);
      await update(
        [
          { kind: "delete-rrset", name: req.fqdn, type: req.type },
          ...req.values.map(
            (value) => ({ kind: "add", name: req.fqdn, type: req.type, ttl, value }) as const,
          ),
        ],
        `update ${req.fqdn} ${req.type}`,
        ctx,
      );
    },
    async remove(fqdn, type, _current, ctx) {
      checkZone(fqdn);
      await update([{ kind: "delete-rrset", name: fqdn, type }], `delete ${fqdn} ${type}`, ctx);
    },
  };
}
