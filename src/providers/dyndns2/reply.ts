// What a dyndns2 reply means (docs/agent/targets.md, docs/providers/dyndns2.md). ONE reading, shared by
// the agent's native dyndns2 target (which turns it into a PublishResult) and the dyndns2 provider
// (which turns it into a write outcome or a catalogue error), so both agree on every word.
// Only the first non-empty line counts: we send one hostname, and account-wide failures come once.
// A known error word is honoured whatever the HTTP status; success words only on a 2xx.
// Sources: https://help.dyn.com/return-codes.html, https://www.noip.com/integrate/response

import type { HttpReply } from "../../net/http.js";
import { parseRetryAfter } from "../../net/retry-after.js";
import { clip } from "../errors.js";

/** Words that stop updates until the configuration changes, with what the user must do. */
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

/**
 * One reply, read. `said` quotes the reply's first line (printable, bounded) for messages.
 * - good / nochg: success (changed / already so).
 * - refused: a word from DYNDNS2_FATAL (401 counts as badauth; Dyn's "good 127.0.0.1" as badagent).
 * - wait: 911 or dnserr, with how long to wait (≥ DYNDNS2_MIN_WAIT_MS, longer if Retry-After says so).
 * - unreadable: not a dyndns2 answer: `http_<status>` for a non-2xx, `empty_reply`, or `bad_reply`.
 */
export type Dyndns2Reading =
  | { readonly kind: "good" | "nochg"; readonly said: string }
  | { readonly kind: "refused"; readonly word: string; readonly hint: string; readonly said: string }
  | { readonly kind: "wait"; readonly word: "911" | "dnserr"; readonly waitMs: number; readonly said: string }
  | {
      readonly kind: "unreadable";
      readonly code: string;
      readonly status: number;
      readonly said: string;
    };

export function readDyndns2Reply(reply: HttpReply, sent: readonly string[], now: number): Dyndns2Reading {
  const line = reply.body.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  const [word = "", ...rest] = line.trim().split(/\s+/);
  const said = `service said ${JSON.stringify(clip(line, 80))}`;
  const refused = (w: string, prefix = ""): Dyndns2Reading => ({
    kind: "refused",
    word: w,
    hint: `${prefix}${DYNDNS2_FATAL[w] ?? w}`,
    said,
  });

  if (reply.status === 401) return refused("badauth", "HTTP 401: ");
  if (Object.hasOwn(DYNDNS2_FATAL, word)) return refused(word);
  if (word === "911" || word === "dnserr") {
    const asked = parseRetryAfter(reply.headers["retry-after"], now) ?? 0;
    return { kind: "wait", word, waitMs: Math.max(DYNDNS2_MIN_WAIT_MS, asked), said };
  }

  const ok = reply.status >= 200 && reply.status < 300;
  const unreadable = (code: string): Dyndns2Reading => ({
    kind: "unreadable",
    code,
    status: reply.status,
    said,
  });
  if (!ok) return unreadable(`http_${reply.status}`);
  if (word === "good") {
    const echoed = rest.join(" ").split(/[\s,]+/);
    // Dyn's way of rejecting a client: "good 127.0.0.1" for an address we never sent.
    if (echoed.includes("127.0.0.1") && !sent.includes("127.0.0.1")) return refused("badagent");
    return { kind: "good", said };
  }
  if (word === "nochg") return { kind: "nochg", said };
  return unreadable(word === "" ? "empty_reply" : "bad_reply");
}

/** Why a reply was not understood, for messages. */
export function describeUnreadable(r: Extract<Dyndns2Reading, { kind: "unreadable" }>): string {
  if (r.code === "empty_reply") return "the service sent an empty reply";
  if (r.code === "bad_reply") return `not a dyndns2 reply: ${r.said}`;
  return `HTTP ${r.status}, ${r.said}`;
}
