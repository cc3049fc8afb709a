import { describe, expect, it } from "vitest";
import { BeaconError } from "../core/errors.js";
import { listenFailure } from "./listen-errors.js";
import { exitCodeFor } from "./output.js";

const bindError = (code: string, address?: string, port?: number) =>
  Object.assign(new Error(`listen ${code}`), { code, ...(address === undefined ? {} : { address, port }) });
const configured = [
  { host: "127.0.0.1", port: 53 },
  { host: "::1", port: 53 },
];

describe("listenFailure", () => {
  it.each([
    ["EADDRINUSE", "address_in_use", 75, /another Beacon/],
    [
      "EACCES",
      "listen_not_permitted",
      77,
      /port 53 is below 1024.*setcap cap_net_bind_service.*CAP_NET_BIND_SERVICE/,
    ],
    ["EPERM", "listen_not_permitted", 77, /CAP_NET_BIND_SERVICE/],
    ["EADDRNOTAVAIL", "address_not_available", 69, /not on this machine \(see `ip addr`\)/],
    ["EAFNOSUPPORT", "address_not_available", 69, /IPv6 disabled/],
    ["EMFILE", "too_many_open_files", 71, /too many open files.*ulimit -n/],
    ["ENFILE", "too_many_open_files", 71, /too many open files/],
  ])("%s → %s (exit %d), naming the address, the setting and its flag", (code, want, exit, hint) => {
    const e = listenFailure(bindError(code, "127.0.0.1", 53), "dns.listen", configured);
    expect(e).toBeInstanceOf(BeaconError);
    const b = e as BeaconError;
    expect(b.code).toBe(want);
    expect(exitCodeFor(b.code)).toBe(exit);
    expect(b.message).toMatch(/^cannot listen on 127\.0\.0\.1:53 \(dns\.listen, --dns-listen\): /);
    expect(b.message).toMatch(hint);
    expect(b.message).not.toContain("\n");
  });

  it("names every configured address when the error does not say which (a DNS worker's)", () => {
    const e = listenFailure(bindError("EADDRINUSE"), "dns.listen", configured) as BeaconError;
    expect(e.message).toContain("cannot listen on 127.0.0.1:53, [::1]:53 (dns.listen, --dns-listen)");
  });

  it("leaves anything else alone (a bug keeps its stack)", () => {
    const odd = bindError("EWHATEVER", "127.0.0.1", 1);
    expect(listenFailure(odd, "http.listen", [])).toBe(odd);
    const plain = new TypeError("x is undefined");
    expect(listenFailure(plain, "http.listen", [])).toBe(plain);
  });
});
