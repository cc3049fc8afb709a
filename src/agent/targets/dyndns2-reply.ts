// What a dyndns2 reply means for the client (docs/agent/targets.md, shared reference dyndns2.md).
// Only the first non-empty line counts: we send one hostname, and account-wide failures come once.
// A known error word is honoured whatever the HTTP status; success words only on a 2xx.

import type { HttpReply } from "../net/types.js";
import { quoteBody } from "./failures.js";
import { parseRetryAfter } from "../../net/retry-after.js";
import type { PublishResult } from "./types.js";

/** Codes that stop updates until the configuration changes, with what the user must do. */
export const DYNDNS2_FATAL: Readonly<Record<string, string>> = {
  badauth: "the service rejected the username or password: fix the credentials",
  "!donator": "the service refused a feature this account does not include",
  notfqdn: "the service says the hostname is not a fully qualified domain name",
  nohost: "the hostname does not exist in this account: check the hostname and the account",
  numhost: "the service refused the number of hosts (or the host is round-robin)",
  abuse: "the service blocked the hostname for abuse: resolve it with the provider before updating again",
  badagent: "the service blocked this client (User-Agent or request method)",
  badsys: "the service rejected the 'system' parameter",
  "!yours": "the hostname belongs to another account",
  "!active": "the domain is not activated at the service",
};

/** 911 and dnserr: the service is in trouble; wait at least this long (No-IP: "no sooner than 30 minutes"). */
export const DYNDNS2_MIN_WAIT_MS = 30 * 60_000;

export function interpretDyndns2(reply: HttpReply, sent: readonly string[], now: number): PublishResult {
  if (reply.status === 401)
    return { status: "fatal", code: "badauth", detail: `HTTP 401: ${DYNDNS2_FATAL.badauth}` };
  const line = reply.body.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  const [word = "", ...rest] = line.trim().split(/\s+/);
  const said = `service said ${quoteBody(line)}`;

  const fatal = Object.hasOwn(DYNDNS2_FATAL, word) ? DYNDNS2_FATAL[word] : undefined;
  if (fatal !== undefined) return { status: "fatal", code: word, detail: `${fatal} (${said})` };
  if (word === "911" || word === "dnserr") {
    const asked = parseRetryAfter(reply.headers["retry-after"], now) ?? 0;
    return {
      status: "backoff",
      code: word,
      detail: `the service reports a ${word === "911" ? "server outage" : "DNS error"} (${said})`,
      retryAfterMs: Math.max(DYNDNS2_MIN_WAIT_MS, asked),
    };
  }

  const ok = reply.status >= 200 && reply.status < 300;
  if (ok && word === "good") {
    const echoed = rest.join(" ").split(/[\s,]+/);
    // Dyn's way of rejecting a client: "good 127.0.0.1" for an address we never sent.
    if (echoed.includes("127.0.0.1") && !sent.includes("127.0.0.1"))
      return { status: "fatal", code: "badagent", detail: `${DYNDNS2_FATAL.badagent} (${said})` };
    return { status: "updated", detail: said };
  }
  if (ok && word === "nochg") return { status: "noop", detail: said };
  if (!ok) return { status: "retry", code: `http_${reply.status}`, detail: `HTTP ${reply.status}, ${said}` };
  if (word === "") return { status: "retry", code: "empty_reply", detail: "the service sent an empty reply" };
  return { status: "retry", code: "bad_reply", detail: `not a dyndns2 reply: ${said}` };
}
