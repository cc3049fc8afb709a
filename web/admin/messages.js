// @ts-check
// What a person reads when a request fails: one sentence per stable error code (the server's
// problem+json `code`), falling back to the server's own detail. Pages branch on codes, never on text.

import { ApiError } from "../shared/api.js";

/** @type {Readonly<Record<string, string>>} */
const TEXT = {
  network_error: "The server cannot be reached. Check that Beacon is running, then try again.",
  csrf_failed: "The request failed the cross-site check. Reload the page and try again.",
  forbidden: "You are not allowed to do this.",
  setup_code_invalid: "The setup code is wrong. Copy it from the server's log (line “first-run setup”).",
  setup_done: "Setup is already done. Sign in instead.",
  weak_password: "The password must be 10 to 1024 characters long.",
  wrong_password: "The current password is wrong.",
  wrong_code: "The code is wrong or was already used. Wait for the next code and try again.",
  totp_enabled: "Two-factor sign-in is already on.",
  totp_not_enabled: "Two-factor sign-in is not on. Start its setup again.",
  zone_exists: "A zone with this name already exists.",
  host_exists: "A host with this name already exists.",
  key_exists: "A TSIG key with this name already exists.",
  mirror_exists: "A mirror with this id already exists.",
  zone_not_empty: "The zone still has hosts.",
  outside_zone: "The name is not inside any zone served here. Create the zone first.",
  invalid_hostname: "That is not a valid domain name.",
  invalid_ip: "That is not a valid IPv4 or IPv6 address.",
  ip_not_global: "The address is not a global unicast address.",
  invalid_record: "A value is not valid for its record type.",
  invalid_ttl: "The TTL is out of range.",
  host_not_found: "This host no longer exists.",
  zone_not_found: "This zone no longer exists.",
  token_not_found: "This token no longer exists.",
  key_not_found: "This TSIG key no longer exists.",
  mirror_not_found: "This mirror no longer exists.",
  pool_not_found: "This pool no longer exists.",
  member_not_found: "This member is no longer in the pool.",
  provider_unsupported: "The provider cannot hold this record.",
};

/** True when the failure means the person must sign in (again). */
export function needsSignIn(/** @type {unknown} */ e) {
  return e instanceof ApiError && (e.code === "unauthorized" || e.code === "session_expired");
}

/** One sentence for a failure; codes without a sentence show the server's detail and the code. */
export function describe(/** @type {unknown} */ e) {
  if (!(e instanceof ApiError)) return `Something went wrong: ${e instanceof Error ? e.message : String(e)}`;
  if (e.code === "too_many_attempts") {
    return e.retryAfterSeconds === undefined
      ? "Too many failed attempts. Wait a little, then try again."
      : `Too many failed attempts. Try again in ${e.retryAfterSeconds} s.`;
  }
  const known = TEXT[e.code];
  if (known !== undefined) return known;
  return `${e.message || "The request failed"} (${e.code})`;
}
