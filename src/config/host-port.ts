// `host:port` listen addresses. IPv6 must be bracketed (`[::1]:53`) so the port is never ambiguous.

import { parseIp } from "../core/ip.js";
import { tryNormalizeName } from "../core/names.js";
import type { HostPort } from "./server-config.js";

export type HostPortResult =
  { readonly ok: true; readonly value: HostPort } | { readonly ok: false; readonly error: string };

/**
 * Parses `1.2.3.4:53`, `[2001:db8::1]:53` or `localhost:8245`. Never throws; the error text quotes the
 * input and says what would be right.
 */
export function parseHostPort(input: string): HostPortResult {
  const shown = JSON.stringify(input.length > 80 ? `${input.slice(0, 77)}...` : input);
  const fail = (why: string): HostPortResult => ({
    ok: false,
    error: `${shown} is not a valid host:port (${why})`,
  });
  const s = input.trim();
  let hostText: string;
  let portText: string;
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 0 || s[close + 1] !== ":") return fail("write IPv6 as [address]:port");
    hostText = s.slice(1, close);
    portText = s.slice(close + 2);
    const ip = parseIp(hostText);
    if (ip?.family !== 6) return fail("expected an IPv6 address inside [ ]");
    hostText = ip.text;
  } else {
    const colon = s.lastIndexOf(":");
    if (colon < 0) return fail("missing :port");
    hostText = s.slice(0, colon);
    portText = s.slice(colon + 1);
    if (hostText.includes(":")) return fail("write IPv6 as [address]:port");
    const ip = parseIp(hostText);
    const host = ip?.text ?? tryNormalizeName(hostText);
    if (host === undefined) return fail("host must be an IP address or a hostname");
    hostText = host;
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return fail("port 0–65535");
  return { ok: true, value: { host: hostText, port: Number(portText) } };
}

/** Formats for display and for `listen()` callers that want a string: `[::1]:53`, `127.0.0.1:53`. */
export function formatHostPort(hp: HostPort): string {
  return hp.host.includes(":") ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}
