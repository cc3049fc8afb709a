// A fake DuckDNS (https://www.duckdns.org/spec.jsp) on 127.0.0.1, for the duckdns provider's tests:
// GET /update?domains=&token=[&ip=][&ipv6=][&txt=][&clear=true][&verbose=true].
//
// What it does, as DuckDNS documents: a wrong token or a domain the account does not have answers
// "KO"; `domains` is a comma list of sub-names (".duckdns.org" may be included); `ip` takes an IPv4
// or IPv6 address and, when both ip and ipv6 are absent, is detected from the caller (here always
// 127.0.0.1 — a provider that forgets to send the address shows up as 127.0.0.1); `ipv6` sets the
// AAAA record; `txt` sets the TXT record, or with clear=true removes it; clear=true without txt
// removes both addresses. Verbose replies are "OK\n<ipv4>\n<ipv6>\nUPDATED|NOCHANGE" (TXT:
// "OK\n<txt>\nUPDATED|NOCHANGE"), plain ones "OK". An invalid address is "KO".

import { isIPv4, isIPv6 } from "node:net";
import { startFakeVendor } from "../fake-vendor.js";
import type { FakeReply, FakeVendor, SeenRequest } from "../fake-vendor.js";

export interface DuckRecords {
  A?: string;
  AAAA?: string;
  TXT?: string;
}

export interface FakeDuckdns extends FakeVendor {
  /** Sub-name → what DuckDNS holds for <sub>.duckdns.org. */
  readonly held: Map<string, DuckRecords>;
}

export interface FakeDuckdnsOptions {
  readonly token: string;
  /** Sub-names of the account. */
  readonly domains: readonly string[];
}

const text = (body: string): FakeReply => ({ status: 200, headers: { "content-type": "text/plain" }, body });
const KO = text("KO");

export async function startFakeDuckdns(opts: FakeDuckdnsOptions): Promise<FakeDuckdns> {
  const held = new Map<string, DuckRecords>(opts.domains.map((d) => [d, {}]));

  function handle(req: SeenRequest): FakeReply {
    if (req.method !== "GET" || req.path !== "/update") return { status: 404, body: "Not Found" };
    const q = req.query;
    if (q.get("token") !== opts.token) return KO;
    const subs = (q.get("domains") ?? "").split(",").map((d) =>
      d
        .trim()
        .toLowerCase()
        .replace(/\.duckdns\.org$/, ""),
    );
    if (subs.length === 0 || subs.some((d) => !held.has(d))) return KO;
    const verbose = q.get("verbose") === "true";
    const clear = q.get("clear") === "true";
    let changed = false;
    const set = (r: DuckRecords, k: keyof DuckRecords, v: string | undefined) => {
      if (r[k] !== v) changed = true;
      if (v === undefined) delete r[k];
      else r[k] = v;
    };

    if (q.has("txt")) {
      const txt = q.get("txt") ?? "";
      for (const d of subs) set(held.get(d)!, "TXT", clear ? undefined : txt);
      return text(verbose ? `OK\n${clear ? "" : txt}\n${changed ? "UPDATED" : "NOCHANGE"}` : "OK");
    }
    let v4: string | undefined;
    let v6: string | undefined;
    const ip = q.get("ip") ?? "";
    const ipv6 = q.get("ipv6") ?? "";
    if (ip !== "") {
      if (isIPv4(ip)) v4 = ip;
      else if (isIPv6(ip)) v6 = ip;
      else return KO;
    }
    if (ipv6 !== "") {
      if (!isIPv6(ipv6)) return KO;
      v6 = ipv6;
    }
    if (!clear && ip === "" && ipv6 === "") v4 = "127.0.0.1";
    for (const d of subs) {
      const r = held.get(d)!;
      if (clear) {
        set(r, "A", undefined);
        set(r, "AAAA", undefined);
        continue;
      }
      if (v4 !== undefined) set(r, "A", v4);
      if (v6 !== undefined) set(r, "AAAA", v6);
    }
    return text(verbose ? `OK\n${v4 ?? ""}\n${v6 ?? ""}\n${changed ? "UPDATED" : "NOCHANGE"}` : "OK");
  }

  const vendor = await startFakeVendor(handle);
  return { ...vendor, held };
}
