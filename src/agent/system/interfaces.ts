// The real ReadInterfaces. On Linux, IPv6 addresses come from /proc/net/if_inet6 because only it
// tells temporary, deprecated and tentative addresses apart; IPv4 comes from os.networkInterfaces();
// MACs from /sys/class/net/<if>/address. Elsewhere os.networkInterfaces() alone, with every flag false
// (the OS does not tell; selectStableIpv6 then leans on EUI-64 to pick a stable address).

import { readFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { parseIp } from "../../core/ip.js";
import type { InterfaceAddress, ReadInterfaces } from "./types.js";

export interface ReadInterfacesOptions {
  /** Default "/proc/net/if_inet6". */
  readonly procPath?: string;
  /** Default "/sys/class/net". */
  readonly sysPath?: string;
  /** Default process.platform; only "linux" reads procPath and sysPath. */
  readonly platform?: NodeJS.Platform;
  /** Default os.networkInterfaces (injected by tests for a fixed IPv4 table). */
  readonly networkInterfaces?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
}

// Low 8 bits of the kernel's IFA_F_* flags, as /proc prints them.
const IFA_F_TEMPORARY = 0x01;
const IFA_F_DADFAILED = 0x08;
const IFA_F_DEPRECATED = 0x20;
const IFA_F_TENTATIVE = 0x40;

const ZERO_MAC = "00:00:00:00:00:00";

export function createReadInterfaces(opts: ReadInterfacesOptions = {}): ReadInterfaces {
  const procPath = opts.procPath ?? "/proc/net/if_inet6";
  const sysPath = opts.sysPath ?? "/sys/class/net";
  const linux = (opts.platform ?? process.platform) === "linux";
  const listOs = opts.networkInterfaces ?? os.networkInterfaces;

  return async () => {
    const fromOs = fromNetworkInterfaces(listOs());
    if (!linux) return fromOs;
    const proc = await readFile(procPath, "utf8").then(parseIfInet6, () => undefined);
    // Without the /proc file (IPv6 disabled, odd container) the OS list is the best we have.
    const v6 = proc ?? fromOs.filter((a) => a.family === 6);
    const names = new Set([...fromOs, ...v6].map((a) => a.interface));
    const macs = new Map<string, string | undefined>();
    for (const name of names) {
      const osMac = fromOs.find((a) => a.interface === name)?.mac;
      macs.set(name, (await readMac(sysPath, name)) ?? osMac);
    }
    return [...fromOs.filter((a) => a.family === 4), ...v6].map((a) => ({
      ...a,
      mac: macs.get(a.interface),
    }));
  };
}

/** Parses /proc/net/if_inet6: `<32 hex> <ifindex> <prefixlen> <scope> <flags> <name>`, numbers in hex. */
export function parseIfInet6(text: string): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  for (const line of text.split("\n")) {
    const cols = line.trim().split(/\s+/);
    if (cols.length !== 6) continue;
    const [hex, , plen, , flagsHex, name] = cols as [string, string, string, string, string, string];
    if (!/^[0-9a-f]{32}$/i.test(hex) || !/^[0-9a-f]{1,8}$/i.test(flagsHex) || !/^[0-9a-f]{1,2}$/i.test(plen))
      continue;
    const ip = parseIp(hex.match(/.{4}/g)!.join(":"));
    const prefixLength = parseInt(plen, 16);
    if (ip === undefined || prefixLength > 128) continue;
    const flags = parseInt(flagsHex, 16);
    out.push({
      interface: name,
      address: ip.text,
      family: 6,
      prefixLength,
      temporary: (flags & IFA_F_TEMPORARY) !== 0,
      deprecated: (flags & IFA_F_DEPRECATED) !== 0,
      // An address whose duplicate detection failed is as unusable as one still being checked.
      tentative: (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) !== 0,
      mac: undefined,
    });
  }
  return out;
}

function fromNetworkInterfaces(table: NodeJS.Dict<os.NetworkInterfaceInfo[]>): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  for (const [name, infos] of Object.entries(table)) {
    for (const info of infos ?? []) {
      const ip = parseIp(info.address.split("%")[0] ?? "");
      if (ip === undefined) continue;
      const len = Number(info.cidr?.split("/")[1]);
      out.push({
        interface: name,
        address: ip.text,
        family: ip.family,
        prefixLength: Number.isInteger(len) ? len : ip.family === 4 ? 32 : 128,
        temporary: false,
        deprecated: false,
        tentative: false,
        mac: info.mac === ZERO_MAC || info.mac === "" ? undefined : info.mac.toLowerCase(),
      });
    }
  }
  return out;
}

async function readMac(sysPath: string, name: string): Promise<string | undefined> {
  if (name.includes("/") || name.startsWith(".")) return undefined;
  const text = await readFile(join(sysPath, name, "address"), "utf8").catch(() => undefined);
  const mac = text?.trim().toLowerCase();
  return mac !== undefined && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac) && mac !== ZERO_MAC
    ? mac
    : undefined;
}
