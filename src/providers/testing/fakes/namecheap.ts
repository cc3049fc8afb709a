// A fake Namecheap Dynamic DNS endpoint (GET /update?host=&domain=&password=&ip=, as
// dynamicdns.park-your-domain.com serves it) on 127.0.0.1, for the namecheap provider's tests.
//
// What it checks, as Namecheap does: the domain is one of the account's with Dynamic DNS on (else
// "Domain name not found"); the password is that domain's Dynamic DNS password (else "Passwords do
// not match"); the host has an "A + Dynamic DNS" record (else "No Records updated. A record not
// Found;"); ip is an IPv4 address (else "Invalid IP" — Namecheap takes no IPv6). Every answer is
// HTTP 200 with an XML <interface-response> (ErrCount, errors/Err1, responses, Done, debug), declared
// utf-16 like Namecheap's though sent as UTF-8. `held` is what the service answers for each name.

import { isIPv4 } from "node:net";
import { startFakeVendor } from "../fake-vendor.js";
import type { FakeReply, FakeVendor, SeenRequest } from "../fake-vendor.js";

export interface FakeNamecheap extends FakeVendor {
  /** Full name → the address its A record holds now. */
  readonly held: Map<string, string>;
}

export interface FakeNamecheapOptions {
  /** Domain → its Dynamic DNS password. */
  readonly passwords: Readonly<Record<string, string>>;
  /** Host records with Dynamic DNS, per domain ("@" for the domain itself). */
  readonly hosts: Readonly<Record<string, readonly string[]>>;
}

const xml = (inner: string): FakeReply => ({
  status: 200,
  headers: { "content-type": "text/html; charset=utf-8" },
  body: `<?xml version="1.0" encoding="utf-16"?>\r\n<interface-response>\r\n  <Command>SETDNSHOST</Command>\r\n  <Language>eng</Language>\r\n${inner}  <Done>true</Done>\r\n  <debug><![CDATA[]]></debug>\r\n</interface-response>`,
});

const failed = (description: string, number: number, responseString: string) =>
  xml(
    `  <ErrCount>1</ErrCount>\r\n  <errors>\r\n    <Err1>${description}</Err1>\r\n  </errors>\r\n  <ResponseCount>1</ResponseCount>\r\n  <responses>\r\n    <response>\r\n      <Description>${description}</Description>\r\n      <ResponseNumber>${number}</ResponseNumber>\r\n      <ResponseString>${responseString}</ResponseString>\r\n    </response>\r\n  </responses>\r\n`,
  );

export async function startFakeNamecheap(opts: FakeNamecheapOptions): Promise<FakeNamecheap> {
  const held = new Map<string, string>();

  function handle(req: SeenRequest): FakeReply {
    if (req.method !== "GET" || req.path !== "/update") return { status: 404, body: "Not Found" };
    const domain = (req.query.get("domain") ?? "").toLowerCase();
    const host = (req.query.get("host") ?? "").toLowerCase();
    const password = opts.passwords[domain];
    if (password === undefined)
      return failed("Domain name not found", 316153, "Validation error; not found; domain name(s)");
    if (req.query.get("password") !== password)
      return failed("Passwords do not match", 304156, "Validation error; invalid ; password");
    if (!(opts.hosts[domain] ?? []).includes(host))
      return failed("No Records updated. A record not Found;", 380091, "No updates; A record not Found;");
    const ip = req.query.get("ip") ?? "";
    if (!isIPv4(ip)) return failed("Invalid IP", 304156, "Validation error; invalid ; IP Address");
    held.set(host === "@" ? domain : `${host}.${domain}`, ip);
    return xml(
      `  <IP>${ip}</IP>\r\n  <ErrCount>0</ErrCount>\r\n  <errors />\r\n  <ResponseCount>0</ResponseCount>\r\n  <responses />\r\n`,
    );
  }

  const vendor = await startFakeVendor(handle);
  return { ...vendor, held };
}
