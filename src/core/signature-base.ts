// The signature base of an HTTP message signature, built exactly as RFC 9421 §2.5 says: one line
// `"<component>": <value>` per covered component, in the order covered, then the
// `"@signature-params": <inner list>` line, joined by "\n" with no trailing newline. Both the verifier
// (services/request-signatures.ts) and the signer (agent/targets/beacon-signing.ts) build it here.
//
// Supported components: the derived @method, @target-uri, @authority, @scheme, @path, @query and
// @request-target (§2.2), and header fields by lowercase name (§2.1: the field's values combined
// with ", ", as Fetch's Headers gives them, trimmed). Component parameters (;sf, ;key, ;bs, ;req,
// ;tr) are not supported.
//
// Contract: signatureBase never throws; it returns undefined when a component is not a string, has
// parameters, is covered twice, is unknown, or names a header the message lacks (§2.5: the base
// cannot be built, so the signature cannot verify).

import { serializeInnerList, type InnerList } from "./structured-fields.js";

export interface SignedMessage {
  /** The request method, as sent (case matters: §2.2.1). */
  readonly method: string;
  /** The full target URI the client addressed (§2.2.2), e.g. https://dns.example/nic/update?… */
  readonly targetUri: string;
  /** A header field's combined value by lowercase name; undefined when absent. */
  readonly header: (name: string) => string | undefined;
}

export function signatureBase(msg: SignedMessage, covered: InnerList): string | undefined {
  let url: URL;
  try {
    url = new URL(msg.targetUri);
  } catch {
    return undefined;
  }
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const item of covered.items) {
    const name = item.value;
    if (typeof name !== "string" || item.params.size > 0 || seen.has(name)) return undefined;
    seen.add(name);
    const value = componentValue(msg, url, name);
    if (value === undefined) return undefined;
    lines.push(`"${name}": ${value}`);
  }
  lines.push(`"@signature-params": ${serializeInnerList(covered)}`);
  return lines.join("\n");
}

function componentValue(msg: SignedMessage, url: URL, name: string): string | undefined {
  switch (name) {
    case "@method":
      return msg.method;
    case "@target-uri":
      return msg.targetUri;
    case "@authority":
      return url.host;
    case "@scheme":
      return url.protocol.slice(0, -1);
    case "@path":
      return url.pathname || "/";
    case "@query":
      return url.search || "?";
    case "@request-target":
      return (url.pathname || "/") + url.search;
  }
  if (!/^[a-z0-9!#$%&'*+\-.^_`|~]+$/.test(name)) return undefined;
  return msg.header(name)?.trim();
}
