// Reads the credential from the Authorization header: Basic (user:password, where the user may be a
// hostname or a token id and the password the token) or Bearer (the full token string). Credentials
// are never taken from the URL.

import type { Credential } from "../services/tokens.js";

const MAX_HEADER = 2048;

/** undefined when the header is absent, malformed or of another scheme. */
export function readCredential(header: string | undefined): Credential | undefined {
  if (header === undefined || header.length > MAX_HEADER) return undefined;
  const m = /^\s*(basic|bearer)\s+(\S+)\s*$/i.exec(header);
  if (m === null) return undefined;
  const [, scheme = "", value = ""] = m;
  if (scheme.toLowerCase() === "bearer") return { password: value };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0)),
    );
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
