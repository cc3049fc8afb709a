import { describe, expect, it } from "vitest";
import type { IpFamily } from "../../core/ip.js";
import type { InterfaceAddress } from "../system/types.js";
import { interfaceSource } from "./interface.js";
import { fakeDeps } from "./testing/deps.js";

const addr = (iface: string, address: string, o: Partial<InterfaceAddress> = {}): InterfaceAddress => ({
  interface: iface,
  address,
  family: address.includes(":") ? 6 : 4,
  prefixLength: address.includes(":") ? 64 : 24,
  temporary: false,
  deprecated: false,
  tentative: false,
  mac: "aa:bb:cc:dd:ee:ff",
  ...o,
});

const TABLE: InterfaceAddress[] = [
  addr("lo", "127.0.0.1"),
  addr("eth0", "192.168.1.10"),
  addr("eth0", "fe80::a8bb:ccff:fedd:eeff"),
  addr("eth0", "2a02:8070:1234:0:1111:2222:3333:4444", { temporary: true }),
  addr("eth0", "2a02:8070:9999:0:a8bb:ccff:fedd:eeff", { deprecated: true }),
  addr("eth0", "2a02:8070:1234:0:a8bb:ccff:fedd:eeff"),
  addr("ppp0", "81.2.69.142", { prefixLength: 32 }),
  addr("multi", "81.2.69.142"),
  addr("multi", "81.2.69.160"),
  addr("mixed", "10.0.0.1"),
  addr("mixed", "81.2.69.200"),
  addr("lan", "192.168.7.1"),
  addr("lan", "192.168.8.1"),
  addr("tmponly", "2a02:8070:1234:0:1111:2222:3333:4444", { temporary: true }),
  addr("tmponly", "fe80::1"),
];

async function observe(settings: object, family: IpFamily, table = TABLE) {
  const s = interfaceSource.settings.parse(settings);
  return interfaceSource
    .create("if", s, fakeDeps({ readInterfaces: () => Promise.resolve(table) }))
    .observe({ family, signal: AbortSignal.timeout(5000), localAddress: undefined });
}

describe("interface source", () => {
  it.each<[string, object, IpFamily, string]>([
    ["the only IPv4 of ppp0", { interface: "ppp0" }, 4, "81.2.69.142"],
    ["the private IPv4 of eth0 (the verdict judges it)", { interface: "eth0" }, 4, "192.168.1.10"],
    ["the only global IPv4 among a private and a global one", { interface: "mixed" }, 4, "81.2.69.200"],
    [
      "the stable IPv6 of eth0, not the temporary nor the deprecated",
      { interface: "eth0" },
      6,
      "2a02:8070:1234:0:a8bb:ccff:fedd:eeff",
    ],
    [
      "this prefix plus a configured host suffix",
      { interface: "eth0", suffix: "::1234" },
      6,
      "2a02:8070:1234::1234",
    ],
    [
      "this prefix plus another device's EUI-64",
      { interface: "eth0", mac: "00:11:22:33:44:55" },
      6,
      "2a02:8070:1234:0:211:22ff:fe33:4455",
    ],
    [
      "a /56 prefix plus a suffix naming the subnet",
      { interface: "eth0", suffix: "::5:0:0:0:1", prefix_length: 56 },
      6,
      "2a02:8070:1234:5::1",
    ],
  ])("reports %s", async (_t, settings, family, expected) => {
    expect(await observe(settings, family)).toEqual({ ok: true, ip: { text: expected, family } });
  });

  it.each<[string, object, IpFamily, string]>([
    ["an interface that does not exist", { interface: "wan9" }, 4, "no_address"],
    ["an interface with only temporary and link-local IPv6", { interface: "tmponly" }, 6, "no_address"],
    ["an interface with two global IPv4 addresses", { interface: "multi" }, 4, "ambiguous"],
    ["an interface with two private IPv4 addresses", { interface: "lan" }, 4, "ambiguous"],
    ["an IPv6-only interface asked for IPv4", { interface: "tmponly" }, 4, "no_address"],
    ["a suffix source asked for IPv4", { interface: "eth0", suffix: "::1" }, 4, "wrong_family"],
  ])("fails on %s", async (_t, settings, family, reason) => {
    expect(await observe(settings, family)).toMatchObject({ ok: false, reason });
  });

  it("says which addresses it skipped", async () => {
    const obs = await observe({ interface: "tmponly" }, 6);
    expect(!obs.ok && obs.detail).toMatch(/1 temporary.*1 link-local/);
  });

  it.each([
    ["both suffix and mac", { interface: "eth0", suffix: "::1", mac: "00:11:22:33:44:55" }],
    ["a suffix that is not IPv6", { interface: "eth0", suffix: "1234" }],
    ["a suffix reaching into the /64 prefix", { interface: "eth0", suffix: "1::1" }],
    ["a malformed MAC", { interface: "eth0", mac: "00:11:22:33:44" }],
    ["prefix length 128", { interface: "eth0", suffix: "::1", prefix_length: 128 }],
  ])("rejects settings with %s", (_t, input) => {
    expect(interfaceSource.settings.safeParse(input).success).toBe(false);
  });
});
