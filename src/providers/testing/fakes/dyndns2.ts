// A dyndns2 service on 127.0.0.1 (No-IP/Dyn style, https://www.noip.com/integrate/request and
// https://help.dyn.com/return-codes.html): GET /nic/update with Basic auth and a User-Agent, one
// `hostname`, addresses in `myip` (comma list, either family) or `myipv6`. It answers in the
// documented words: 401 badauth, badagent without a User-Agent or with another method, notfqdn,
// nohost for a name outside the account's zones, good/nochg with the address. Credentials in the
// query string are refused (a client must not put them in URLs). Tests inject the other words with
// failNext.

import { Buffer } from "node:buffer";
import { parseIp } from "../../../core/ip.js";
import { findZone, tryNormalizeName } from "../../../core/names.js";
import { startFakeVendor, type FakeReply, type FakeVendor, type SeenRequest } from "../fake-vendor.js";

export interface FakeDyndns2 {
  readonly vendor: FakeVendor;
  /** The update URL: `${vendor.url}/nic/update`. */
  readonly url: string;
  /** What the service holds: fqdn → type → address. */
  readonly held: Map<string, Map<"A" | "AAAA", string>>;
  close(): Promise<void>;
}

const text = (status: number, body: string, headers: Record<string, string> = {}): FakeReply => ({
  status,
  headers: { "content-type": "text/plain", ...headers },
  body,
});

export async function startFakeDyndns2(account: {
  readonly username: string;
  readonly password: string;
  /** Any name at or below one of these exists (like a DynV6 zone). */
  readonly zones: readonly string[];
}): Promise<FakeDyndns2> {
  const held = new Map<string, Map<"A" | "AAAA", string>>();
  const expected = `Basic ${Buffer.from(`${account.username}:${account.password}`).toString("base64")}`;

  const handle = (req: SeenRequest): FakeReply => {
    if (req.path !== "/nic/update") return text(404, "not found");
    if (req.method !== "GET" || (req.headers["user-agent"] ?? "").trim() === "") return text(200, "badagent");
    if (req.query.has("password") || req.headers.authorization !== expected)
      return text(401, "badauth", { "www-authenticate": 'Basic realm="fake"' });
    const hostnames = req.query.getAll("hostname");
    if (hostnames.length !== 1) return text(200, "notfqdn");
    const fqdn = tryNormalizeName(hostnames[0] ?? "");
    if (fqdn === undefined || !fqdn.includes(".")) return text(200, "notfqdn");
    if (findZone(fqdn, account.zones) === undefined) return text(200, "nohost");

    const wanted = new Map<"A" | "AAAA", string>();
    const items = [...req.query.getAll("myip"), ...req.query.getAll("myipv6")].flatMap((v) => v.split(","));
    for (const item of items) {
      const ip = parseIp(item.trim());
      if (ip === undefined) return text(400, `invalid address ${JSON.stringify(item.slice(0, 40))}`);
      const type = ip.family === 4 ? "A" : "AAAA";
      if (wanted.has(type)) return text(400, "two addresses of one family");
      wanted.set(type, ip.text);
    }
    if (req.query.getAll("myipv6").some((v) => parseIp(v)?.family !== 6))
      return text(400, "myipv6 is not an IPv6 address");
    if (wanted.size === 0) return text(400, "no address (the fake does not use the connection's)");

    const host = held.get(fqdn) ?? new Map<"A" | "AAAA", string>();
    const same = [...wanted].every(([t, v]) => host.get(t) === v);
    for (const [t, v] of wanted) host.set(t, v);
    held.set(fqdn, host);
    return text(200, `${same ? "nochg" : "good"} ${[...wanted.values()].join(",")}`);
  };

  const vendor = await startFakeVendor(handle);
  return { vendor, url: `${vendor.url}/nic/update`, held, close: () => vendor.close() };
}
