import { describe, expect, it } from "vitest";
import { appendTsigRecord, signTsig, TSIG_ALGORITHMS, TSIG_ERROR, verifyTsig, type TsigKey } from "./tsig.js";
import { encodeQuery, encodeUpdate } from "../wire/update.js";

const hex = (s: string) => Uint8Array.from(Buffer.from(s, "hex"));
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

// Captured from real programs (BIND 9.18.49, Debian 12) through a UDP relay, with
//   printf 'server 127.0.0.1 53540\nzone example.test\nupdate add fixture.example.test 300 TXT
//     "v=spf1 \"quoted\" x=1"\nsend\n' | nsupdate -y hmac-sha256:k1:<SECRET below>
// REQUEST is what nsupdate sent, RESPONSE is named's signed NOERROR reply to it.
const BIND_KEY: TsigKey = {
  name: "k1",
  algorithm: "hmac-sha256",
  secret: Buffer.from("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=", "base64"),
};
const REQUEST = hex(
  "b1df28000001000000010001076578616d706c65047465737400000600010766697874757265c00c001000010000012c0014" +
    "13763d73706631202271756f7465642220783d31026b310000fa00ff00000000003d0b686d61632d7368613235360000006b" +
    "01f15f012c0020879967ecdad21b26d74136e2bf04ecd4259c24729b1f859d2aa7221c8370f25bb1df00000000",
);
const RESPONSE = hex(
  "b1dfa8000001000000000001076578616d706c6504746573740000060001026b310000fa00ff00000000003d0b686d61632d" +
    "7368613235360000006b01f15f012c00201a39cc2f631d9cd7182a114cab3fdb0d653c88179441b565517ee48c5ba0bb0db1" +
    "df00000000",
);
const SIGNED_AT = 0x6b01f15f;
/** The TSIG record of REQUEST starts here (after 1 zone, 1 update record). */
const REQUEST_TSIG_AT = REQUEST.length - 75;

const find =
  (...keys: TsigKey[]) =>
  (name: string) =>
    keys.find((k) => k.name === name);
const key = (algorithm: TsigKey["algorithm"], name = "beacon-key.example.test"): TsigKey => ({
  name,
  algorithm,
  secret: Uint8Array.from({ length: 32 }, (_, i) => i * 7),
});
const update = () =>
  encodeUpdate({
    id: 0x1234,
    zone: "example.test",
    updates: [
      { kind: "delete-rrset", name: "h.example.test", type: "A" },
      { kind: "add", name: "h.example.test", type: "A", ttl: 300, value: "81.2.69.142" },
    ],
  });

describe("TSIG interop with BIND", () => {
  it("verifies the request nsupdate signed", () => {
    const v = verifyTsig(REQUEST, { findKey: find(BIND_KEY), now: SIGNED_AT + 10 });
    expect(v.status).toBe("ok");
    expect(v.status === "ok" && toHex(v.mac)).toBe(
      "879967ecdad21b26d74136e2bf04ecd4259c24729b1f859d2aa7221c8370f25b",
    );
  });

  it("reproduces nsupdate's signed request byte for byte", () => {
    const unsigned = REQUEST.slice(0, REQUEST_TSIG_AT);
    unsigned[11] = 0; // ARCOUNT before the TSIG was added
    const signed = signTsig(unsigned, { key: BIND_KEY, timeSigned: SIGNED_AT });
    expect(toHex(signed.message)).toBe(toHex(REQUEST));
  });

  it("verifies named's signed reply against the request's MAC, and only with it", () => {
    const requestMac = hex("879967ecdad21b26d74136e2bf04ecd4259c24729b1f859d2aa7221c8370f25b");
    const ok = verifyTsig(RESPONSE, { findKey: find(BIND_KEY), now: SIGNED_AT, requestMac });
    expect(ok.status).toBe("ok");
    expect(verifyTsig(RESPONSE, { findKey: find(BIND_KEY), now: SIGNED_AT }).status).toBe("BADSIG");
    const otherMac = requestMac.slice();
    otherMac[0] = otherMac[0]! ^ 1;
    expect(
      verifyTsig(RESPONSE, { findKey: find(BIND_KEY), now: SIGNED_AT, requestMac: otherMac }).status,
    ).toBe("BADSIG");
  });
});

describe("signTsig / verifyTsig", () => {
  it.each(TSIG_ALGORITHMS)("round-trips with %s", (algorithm) => {
    const k = key(algorithm);
    const { message, mac } = signTsig(update(), { key: k, timeSigned: 1_700_000_000 });
    const v = verifyTsig(message, { findKey: find(k), now: 1_700_000_100 });
    expect(v.status).toBe("ok");
    expect(v.status === "ok" && toHex(v.mac)).toBe(toHex(mac));
  });

  it("a changed byte anywhere in the signed part is BADSIG", () => {
    const k = key("hmac-sha256");
    const { message } = signTsig(update(), { key: k, timeSigned: 1_700_000_000 });
    // Header flags, zone name, update record, the TSIG fudge and error fields.
    for (const at of [2, 13, 40, message.length - 41, message.length - 3]) {
      const bad = message.slice();
      bad[at] = bad[at]! ^ 0x01;
      expect(verifyTsig(bad, { findKey: find(k), now: 1_700_000_000 }).status, `byte ${at}`).toBe("BADSIG");
    }
    const other = { ...k, secret: Uint8Array.of(1, 2, 3) };
    expect(verifyTsig(message, { findKey: find(other), now: 1_700_000_000 }).status).toBe("BADSIG");
  });

  it("an unknown key name or another algorithm is BADKEY", () => {
    const k = key("hmac-sha256");
    const { message } = signTsig(update(), { key: k, timeSigned: 1_700_000_000 });
    expect(
      verifyTsig(message, { findKey: find(key("hmac-sha256", "other")), now: 1_700_000_000 }).status,
    ).toBe("BADKEY");
    expect(verifyTsig(message, { findKey: find(key("hmac-sha512")), now: 1_700_000_000 }).status).toBe(
      "BADKEY",
    );
  });

  it("key names compare canonically (case-insensitive, trailing dot ignored)", () => {
    const signer = { ...key("hmac-sha512"), name: "Beacon-Key.Example.TEST." };
    const { message } = signTsig(update(), { key: signer, timeSigned: 1_700_000_000 });
    expect(verifyTsig(message, { findKey: find(key("hmac-sha512")), now: 1_700_000_000 }).status).toBe("ok");
  });

  it("a time outside the fudge is BADTIME (the MAC was right); maxFudge caps a generous sender", () => {
    const k = key("hmac-sha256");
    const { message } = signTsig(update(), { key: k, timeSigned: 1_700_000_000, fudge: 300 });
    expect(verifyTsig(message, { findKey: find(k), now: 1_700_000_300 }).status).toBe("ok");
    expect(verifyTsig(message, { findKey: find(k), now: 1_699_999_700 }).status).toBe("ok");
    expect(verifyTsig(message, { findKey: find(k), now: 1_700_000_301 }).status).toBe("BADTIME");
    expect(verifyTsig(message, { findKey: find(k), now: 1_699_999_699 }).status).toBe("BADTIME");
    const wide = signTsig(update(), { key: k, timeSigned: 1_700_000_000, fudge: 65535 }).message;
    expect(verifyTsig(wide, { findKey: find(k), now: 1_700_001_000 }).status).toBe("ok");
    expect(verifyTsig(wide, { findKey: find(k), now: 1_700_001_000, maxFudge: 300 }).status).toBe("BADTIME");
  });

  it("times beyond 32 bits survive (48-bit Time Signed)", () => {
    const k = key("hmac-sha1");
    const t = 2 ** 40 + 12345;
    const { message } = signTsig(update(), { key: k, timeSigned: t });
    const v = verifyTsig(message, { findKey: find(k), now: t });
    expect(v.status === "ok" && v.record.timeSigned).toBe(t);
  });

  it("a forwarder's new ID is undone with the Original ID", () => {
    const k = key("hmac-sha256");
    const { message } = signTsig(update(), { key: k, timeSigned: 1_700_000_000 });
    message[0] = 0xab;
    message[1] = 0xcd;
    const v = verifyTsig(message, { findKey: find(k), now: 1_700_000_000 });
    expect(v.status === "ok" && v.record.originalId).toBe(0x1234);
  });

  it("truncated MACs: accepted down to max(10, half the hash), FORMERR below or above the hash size", () => {
    const k = key("hmac-sha256");
    const truncated = (n: number) => {
      const full = signTsig(update(), { key: k, timeSigned: 1_700_000_000 });
      const mac = full.mac.slice(0, n);
      return appendTsigRecord(update(), { ...record(full.message, k), mac });
    };
    expect(verifyTsig(truncated(16), { findKey: find(k), now: 1_700_000_000 }).status).toBe("ok");
    expect(verifyTsig(truncated(15), { findKey: find(k), now: 1_700_000_000 }).status).toBe("FORMERR");
    expect(verifyTsig(truncated(0), { findKey: find(k), now: 1_700_000_000 }).status).toBe("FORMERR");
    const md5 = key("hmac-md5");
    const m = signTsig(update(), { key: md5, timeSigned: 1_700_000_000 });
    const nine = appendTsigRecord(update(), { ...record(m.message, md5), mac: m.mac.slice(0, 9) });
    const ten = appendTsigRecord(update(), { ...record(m.message, md5), mac: m.mac.slice(0, 10) });
    expect(verifyTsig(nine, { findKey: find(md5), now: 1_700_000_000 }).status).toBe("FORMERR");
    expect(verifyTsig(ten, { findKey: find(md5), now: 1_700_000_000 }).status).toBe("ok");
    const long = appendTsigRecord(update(), { ...record(m.message, md5), mac: new Uint8Array(17) });
    expect(verifyTsig(long, { findKey: find(md5), now: 1_700_000_000 }).status).toBe("FORMERR");
  });

  it("an unsigned error reply (BADKEY, empty MAC) is readable: its Error field comes back", () => {
    const k = key("hmac-sha256");
    const signed = signTsig(update(), { key: k, timeSigned: 1_700_000_000 });
    const reply = appendTsigRecord(update(), {
      ...record(signed.message, k),
      mac: new Uint8Array(0),
      error: 17,
    });
    const v = verifyTsig(reply, { findKey: find(k), now: 1_700_000_000, requestMac: signed.mac });
    expect(v.status).toBe("FORMERR");
    expect(v.status === "FORMERR" && v.record?.error).toBe(TSIG_ERROR.BADKEY);
  });

  it("multi-message streams: later messages digest the prior MAC and the timers only", () => {
    const k = key("hmac-sha512");
    const request = signTsig(encodeQuery(7, "example.test", "A"), { key: k, timeSigned: 1_700_000_000 });
    const first = signTsig(encodeQuery(7, "example.test", "A"), {
      key: k,
      timeSigned: 1_700_000_001,
      requestMac: request.mac,
    });
    const second = signTsig(encodeQuery(7, "example.test", "TXT"), {
      key: k,
      timeSigned: 1_700_000_002,
      requestMac: first.mac,
      timersOnly: true,
    });
    const now = 1_700_000_002;
    expect(verifyTsig(first.message, { findKey: find(k), now, requestMac: request.mac }).status).toBe("ok");
    expect(
      verifyTsig(second.message, { findKey: find(k), now, requestMac: first.mac, timersOnly: true }).status,
    ).toBe("ok");
    // Out of order, or read as a first message, it does not verify.
    expect(
      verifyTsig(second.message, { findKey: find(k), now, requestMac: request.mac, timersOnly: true }).status,
    ).toBe("BADSIG");
    expect(verifyTsig(second.message, { findKey: find(k), now, requestMac: first.mac }).status).toBe(
      "BADSIG",
    );
  });

  it("unsigned messages and broken ones: unsigned, FORMERR (never a throw)", () => {
    const k = key("hmac-sha256");
    expect(verifyTsig(update(), { findKey: find(k), now: 0 }).status).toBe("unsigned");
    const { message } = signTsig(update(), { key: k, timeSigned: 1_700_000_000 });
    // Bad inputs tried: short header, cut anywhere inside the TSIG, trailing junk, TSIG not last.
    expect(verifyTsig(message.slice(0, 5), { findKey: find(k), now: 0 }).status).toBe("FORMERR");
    for (let cut = 1; cut < 70; cut += 3) {
      expect(verifyTsig(message.slice(0, message.length - cut), { findKey: find(k), now: 0 }).status).toBe(
        "FORMERR",
      );
    }
    expect(verifyTsig(Uint8Array.of(...message, 0), { findKey: find(k), now: 0 }).status).toBe("FORMERR");
    const twice = signTsig(message, { key: k, timeSigned: 1_700_000_000 }).message;
    expect(verifyTsig(twice, { findKey: find(k), now: 1_700_000_000 }).status).toBe("FORMERR");
  });
});

/** The TSIG record signTsig wrote at the end of `signed`. */
function record(signed: Uint8Array, k: TsigKey) {
  const v = verifyTsig(signed, { findKey: find(k), now: 1_700_000_000 });
  if (v.status !== "ok") throw new Error(`fixture did not verify: ${v.status}`);
  return v.record;
}
