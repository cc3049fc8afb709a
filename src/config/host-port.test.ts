import { describe, expect, test } from "vitest";
import { formatHostPort, parseHostPort } from "./host-port.js";

describe("parseHostPort", () => {
  test.each([
    ["[::1]:53", "::1", 53],
    ["[2001:DB8:0:0::1]:8245", "2001:db8::1", 8245],
    ["127.0.0.1:0", "127.0.0.1", 0],
    ["0.0.0.0:65535", "0.0.0.0", 65535],
    ["LocalHost:8245", "localhost", 8245],
    ["[::]:5300", "::", 5300],
  ])("%s → %s port %d", (input, host, port) => {
    expect(parseHostPort(input)).toEqual({ ok: true, value: { host, port } });
  });

  test.each([
    ["127.0.0.1:99999", "port 0–65535"],
    ["127.0.0.1:65536", "port 0–65535"],
    ["127.0.0.1:-1", "port 0–65535"],
    ["127.0.0.1:", "port 0–65535"],
    ["127.0.0.1:1e3", "port 0–65535"],
    ["127.0.0.1", "missing :port"],
    ["::1:53", "write IPv6 as [address]:port"],
    ["[::1]53", "write IPv6 as [address]:port"],
    ["[::1", "write IPv6 as [address]:port"],
    ["[1.2.3.4]:53", "expected an IPv6 address inside [ ]"],
    ["bad host:53", "host must be an IP address or a hostname"],
    [":53", "host must be an IP address or a hostname"],
  ])("rejects %s (%s)", (input, why) => {
    expect(parseHostPort(input)).toEqual({
      ok: false,
      error: `${JSON.stringify(input)} is not a valid host:port (${why})`,
    });
  });

  test("formatHostPort brackets IPv6 and round-trips", () => {
    expect(formatHostPort({ host: "::1", port: 53 })).toBe("[::1]:53");
    expect(formatHostPort({ host: "127.0.0.1", port: 0 })).toBe("127.0.0.1:0");
    for (const s of ["[::1]:53", "10.0.0.1:80"]) {
      const r = parseHostPort(s);
      expect(r.ok && formatHostPort(r.value)).toBe(s);
    }
  });
});
