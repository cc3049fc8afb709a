import { describe, expect, it } from "vitest";
import { reasonOf } from "./reasons.js";

const err = (code: unknown) => Object.assign(new Error("m"), { code });

describe("reasonOf", () => {
  it("names connection errors in words, other codes lowercased", () => {
    expect(reasonOf(err("ECONNREFUSED"))).toBe("refused");
    expect(reasonOf(err("ECONNRESET"))).toBe("reset");
    expect(reasonOf(err("EHOSTUNREACH"))).toBe("unreachable");
    expect(reasonOf(err("ETIMEDOUT"))).toBe("timeout");
    expect(reasonOf(err("EADDRNOTAVAIL"))).toBe("eaddrnotavail");
  });

  it("prefixes TLS and HTTP parser errors", () => {
    expect(reasonOf(err("DEPTH_ZERO_SELF_SIGNED_CERT"), true)).toBe("tls: depth_zero_self_signed_cert");
    expect(reasonOf(err("ECONNRESET"), true)).toBe("reset");
    expect(reasonOf(err("EPROTO"), true)).toBe("tls: eproto");
    expect(reasonOf(err("HPE_INVALID_CONSTANT"))).toBe("bad reply: invalid_constant");
  });

  it("has a reason for anything thrown", () => {
    for (const e of [undefined, null, "text", 42, err(7), err(""), new Error("plain")])
      expect(reasonOf(e)).toBe("error");
  });
});
