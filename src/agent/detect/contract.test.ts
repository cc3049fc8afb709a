// Every source type passes the shared contract (testing/contract.ts).

import type { IpFamily } from "../../core/ip.js";
import type { InterfaceAddress } from "../system/types.js";
import type { HttpReply } from "../../net/http.js";
import type { DnsReply } from "../../dns/client/ports.js";
import { beaconSource } from "./beacon.js";
import { commandSource } from "./command.js";
import { dnsSource } from "./dns.js";
import { httpSource } from "./http.js";
import { interfaceSource } from "./interface.js";
import { SOURCE_TYPES } from "./registry.js";
import { staticSource } from "./static.js";
import { runSourceContract } from "./testing/contract.js";
import { fakeDeps } from "./testing/deps.js";
import type { SourceDeps } from "./types.js";
import { describe, expect, it } from "vitest";

const V4 = "81.2.69.142";
const V6 = "2a02:8070:1234::1";
const other = (f: IpFamily) => (f === 4 ? V6 : V4);
const mine = (f: IpFamily) => (f === 4 ? V4 : V6);

const http = (body: (f: IpFamily) => string) => (f: IpFamily) =>
  fakeDeps({ httpRequest: () => Promise.resolve<HttpReply>({ status: 200, headers: {}, body: body(f) }) });
const dns = (value: (f: IpFamily) => string) => (f: IpFamily) =>
  fakeDeps({ dnsQuery: () => Promise.resolve<DnsReply>({ rcode: "NOERROR", answers: [value(f)] }) });
const ifaces = (list: (f: IpFamily) => string) => (f: IpFamily) =>
  fakeDeps({
    readInterfaces: () =>
      Promise.resolve<InterfaceAddress[]>([
        {
          interface: "wan",
          address: list(f),
          family: list(f).includes(":") ? 6 : 4,
          prefixLength: 64,
          temporary: false,
          deprecated: false,
          tentative: false,
          mac: undefined,
        },
      ]),
  });
const cmd = (out: (f: IpFamily) => string) => (f: IpFamily) =>
  fakeDeps({ runCommand: () => Promise.resolve({ code: 0, stdout: `${out(f)}\n`, stderr: "" }) });

function both(
  name: string,
  create: (deps: SourceDeps) => ReturnType<typeof httpSource.create>,
  depsFor: (body: (f: IpFamily) => string) => (f: IpFamily) => SourceDeps,
) {
  runSourceContract({
    name,
    create,
    answers: ([4, 6] as const).map((family) => ({
      family,
      deps: depsFor(mine)(family),
      address: mine(family),
    })),
    otherFamily: ([4, 6] as const).map((family) => ({ family, deps: depsFor(other)(family) })),
  });
}

both(
  "http",
  (d) => httpSource.create("http", httpSource.settings.parse({ url: "https://e.example/" }), d),
  http,
);
both(
  "beacon",
  (d) => beaconSource.create("b", beaconSource.settings.parse({ url: "https://b.example" }), d),
  (v) => http((f) => JSON.stringify({ ip: v(f), family: f })),
);
both("dns", (d) => dnsSource.create("dns", dnsSource.settings.parse({ preset: "cloudflare" }), d), dns);
both(
  "interface",
  (d) => interfaceSource.create("if", interfaceSource.settings.parse({ interface: "wan" }), d),
  ifaces,
);
both(
  "command",
  (d) => commandSource.create("cmd", commandSource.settings.parse({ argv: ["ip-helper"] }), d),
  cmd,
);

runSourceContract({
  name: "static",
  create: (d) => staticSource.create("s", staticSource.settings.parse({ address: V4 }), d),
  answers: [{ family: 4, deps: fakeDeps(), address: V4 }],
  otherFamily: [{ family: 6, deps: fakeDeps() }],
});

describe("SOURCE_TYPES", () => {
  it("names every source type once, keyed by its own type", () => {
    expect([...SOURCE_TYPES.keys()].sort()).toEqual([
      "beacon",
      "command",
      "dns",
      "http",
      "interface",
      "static",
    ]);
    for (const [key, def] of SOURCE_TYPES) expect(def.type).toBe(key);
  });
});
