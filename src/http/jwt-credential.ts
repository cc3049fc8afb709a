// Tells a bearer JWT (keyless updates: services/oidc/jwt-auth.ts) from the other credentials of the
// Authorization header, before readCredential reads those. A JWT is longer than readCredential's
// limit, and never a Beacon token (`tk_….secret` has one dot, a JWT three base64url parts).

import { looksLikeJwt } from "../services/oidc/jwt-auth.js";

/** Node refuses larger headers anyway (16 KiB); an oversize JWT still goes to the verifier, which says so. */
const MAX_HEADER = 16 * 1024;

/** The JWT of `Authorization: Bearer <jwt>`; undefined for any other header (or none). */
export function bearerJwt(header: string | undefined): string | undefined {
  if (header === undefined || header.length > MAX_HEADER) return undefined;
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  const value = m?.[1];
  return value !== undefined && looksLikeJwt(value) ? value : undefined;
}
