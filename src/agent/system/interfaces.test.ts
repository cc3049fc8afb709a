import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { NetworkInterfaceInfo } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadInterfaces } from "./interfaces.js";

// Columns: address, ifindex, prefixlen (hex), scope, flags (hex), name.
const PROC = [
  "00000000000000000000000000000001 01 80 10 80       lo",
  "fe80000000000000a8bbccfffedd eeff 02 40 20 80     eth0", // broken: 7 columns, skipped
  "fe80000000000000a8bbccfffeddeeff 02 40 20 80     eth0",
  "2a0280701234000a8bbccfffeddeeff0 02 40 00 00     eth0", // 33 hex digits: skipped
  "2a028070123400000a8bccfffeddeeff 02 40 00 00     eth0",
  "2a028070123400001111222233334444 02 40 00 01     eth0", // temporary
  "2a028070999900000a8bccfffeddeeff 02 40 00 20     eth0", // deprecated (old prefix)
  "2a028070123400005555666677778888 02 40 00 40     eth0", // tentative
  "2a028070123400009999aaaabbbbcccc 02 40 00 08     eth0", // DAD failed
  "2a028070123400000000000000000042 03 80 00 80     ppp0", // permanent /128
  "not a line at all",
  "",
].join("\n");

const v4 = (address: string, cidr: string, mac: string): NetworkInterfaceInfo => ({
  address,
  netmask: "255.255.255.0",
  family: "IPv4",
  mac,
  internal: false,
  cidr,
});

const osTable = () => ({
  lo: [{ ...v4("127.0.0.1", "127.0.0.1/8", "00:00:00:00:00:00"), internal: true }],
  eth0: [v4("192.168.1.10", "192.168.1.10/24", "aa:bb:cc:dd:ee:ff")],
  wlan0: [
    v4("10.0.0.5", "10.0.0.5/16", "11:22:33:44:55:66"),
    {
      address: "fe80::1%wlan0",
      netmask: "ffff:ffff:ffff:ffff::",
      family: "IPv6" as const,
      mac: "11:22:33:44:55:66",
      internal: false,
      cidr: "fe80::1/64",
      scopeid: 3,
    },
  ],
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "beacon-if-"));
  await writeFile(join(dir, "if_inet6"), PROC);
  await mkdir(join(dir, "net", "eth0"), { recursive: true });
  await writeFile(join(dir, "net", "eth0", "address"), "02:11:22:33:44:55\n");
  await mkdir(join(dir, "net", "ppp0"), { recursive: true });
  await writeFile(join(dir, "net", "ppp0", "address"), "\n"); // point-to-point: no MAC
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("createReadInterfaces on Linux", () => {
  const read = () =>
    createReadInterfaces({
      platform: "linux",
      procPath: join(dir, "if_inet6"),
      sysPath: join(dir, "net"),
      networkInterfaces: osTable,
    })();

  it("reads IPv6 flags from the /proc file: temporary, deprecated, tentative and DAD-failed", async () => {
    const v6 = (await read()).filter((a) => a.family === 6);
    const by = (addr: string) => v6.find((a) => a.address === addr);
    expect(by("2a02:8070:1234:0:a8b:ccff:fedd:eeff")).toMatchObject({
      interface: "eth0",
      prefixLength: 64,
      temporary: false,
      deprecated: false,
      tentative: false,
    });
    expect(by("2a02:8070:1234:0:1111:2222:3333:4444")).toMatchObject({ temporary: true, deprecated: false });
    expect(by("2a02:8070:9999:0:a8b:ccff:fedd:eeff")).toMatchObject({ deprecated: true, temporary: false });
    expect(by("2a02:8070:1234:0:5555:6666:7777:8888")).toMatchObject({ tentative: true });
    expect(by("2a02:8070:1234:0:9999:aaaa:bbbb:cccc")).toMatchObject({ tentative: true });
    expect(by("2a02:8070:1234::42")).toMatchObject({ interface: "ppp0", prefixLength: 128 });
    expect(by("::1")).toMatchObject({ interface: "lo", prefixLength: 128 });
  });

  it("skips malformed lines (7 columns, 33 hex digits, prose) and ignores the OS's IPv6 list", async () => {
    const v6 = (await read()).filter((a) => a.family === 6);
    expect(v6).toHaveLength(9);
    expect(v6.some((a) => a.interface === "wlan0")).toBe(false);
  });

  it("takes IPv4 from the OS list with its prefix length", async () => {
    const list = (await read()).filter((a) => a.family === 4);
    expect(list.map((a) => [a.interface, a.address, a.prefixLength])).toEqual([
      ["lo", "127.0.0.1", 8],
      ["eth0", "192.168.1.10", 24],
      ["wlan0", "10.0.0.5", 16],
    ]);
  });

  it("takes MACs from /sys, falls back to the OS list, and drops the all-zero MAC", async () => {
    const list = await read();
    expect(list.filter((a) => a.interface === "eth0").every((a) => a.mac === "02:11:22:33:44:55")).toBe(true);
    expect(list.find((a) => a.interface === "wlan0")?.mac).toBe("11:22:33:44:55:66");
    expect(list.find((a) => a.interface === "lo")?.mac).toBeUndefined();
    expect(list.find((a) => a.interface === "ppp0")?.mac).toBeUndefined();
  });

  it("falls back to the OS list for IPv6 when the /proc file is missing", async () => {
    const list = await createReadInterfaces({
      platform: "linux",
      procPath: join(dir, "missing"),
      sysPath: join(dir, "net"),
      networkInterfaces: osTable,
    })();
    expect(list.filter((a) => a.family === 6)).toEqual([
      expect.objectContaining({ interface: "wlan0", address: "fe80::1", prefixLength: 64, temporary: false }),
    ]);
  });
});

describe("createReadInterfaces elsewhere", () => {
  it("uses only the OS list with every flag false, even if a /proc path is given", async () => {
    const list = await createReadInterfaces({
      platform: "darwin",
      procPath: join(dir, "if_inet6"),
      networkInterfaces: osTable,
    })();
    expect(list).toHaveLength(4);
    expect(list.every((a) => !a.temporary && !a.deprecated && !a.tentative)).toBe(true);
    expect(list.find((a) => a.interface === "eth0")?.mac).toBe("aa:bb:cc:dd:ee:ff");
  });

  it("reads the real machine, loopback included", async () => {
    const list = await createReadInterfaces()();
    expect(list.some((a) => a.address === "127.0.0.1" && a.family === 4)).toBe(true);
  });
});
