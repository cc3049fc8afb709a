// The one error catalogue. Every failure Beacon reports carries a stable `code` from here; protocol
// replies (dyndns2 words, DNS rcodes, HTTP problem JSON) are derived from the code in one place each.

export const ERRORS = {
  bad_request: { status: 400, title: "The request is malformed" },
  invalid_hostname: { status: 400, title: "The hostname is not a valid domain name" },
  invalid_ip: { status: 400, title: "The address is not a valid IPv4 or IPv6 address" },
  ip_not_global: { status: 400, title: "The address is not a global unicast address" },
  invalid_record: { status: 400, title: "The record value is not valid for its type" },
  invalid_ttl: { status: 400, title: "The TTL is out of range" },
  invalid_soa: { status: 400, title: "An SOA value is out of range" },
  too_many_hosts: { status: 400, title: "Too many hostnames in one request" },
  missing_hostname: { status: 400, title: "No hostname was given" },
  parameter_too_large: { status: 413, title: "A parameter or the request is too large" },
  unsupported_media_type: { status: 415, title: "The body must be JSON (Content-Type: application/json)" },
  bad_encoding: { status: 400, title: "A parameter is not valid UTF-8" },
  missing_user_agent: { status: 400, title: "The User-Agent header is required" },
  unauthorized: { status: 401, title: "Missing or invalid credentials" },
  forbidden: { status: 403, title: "The credential does not allow this change" },
  host_not_found: { status: 404, title: "No such host" },
  zone_not_found: { status: 404, title: "No such zone" },
  token_not_found: { status: 404, title: "No such token" },
  mirror_not_found: { status: 404, title: "No such mirror" },
  key_not_found: { status: 404, title: "No such TSIG key" },
  pool_not_found: { status: 404, title: "No such pool" },
  member_not_found: { status: 404, title: "The pool has no such member" },
  invalid_pool: { status: 400, title: "The pool definition is not valid" },
  webhook_not_found: { status: 404, title: "No such webhook" },
  webhook_exists: { status: 409, title: "A webhook with this id already exists" },
  invalid_webhook: { status: 400, title: "The webhook definition is not valid" },
  not_found: { status: 404, title: "Not found" },
  host_exists: { status: 409, title: "The host already exists" },
  zone_exists: { status: 409, title: "The zone already exists" },
  token_exists: { status: 409, title: "A token with this id already exists" },
  mirror_exists: { status: 409, title: "A mirror with this id already exists" },
  key_exists: { status: 409, title: "A TSIG key with this name already exists" },
  zone_not_empty: { status: 409, title: "The zone still has hosts" },
  outside_zone: { status: 400, title: "The name is not inside any zone served here" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  // Update limits (docs/limits.md); the problem document and Retry-After say when to try again.
  rate_limited: { status: 429, title: "Too many requests; slow down" },
  // Signed update requests (docs/protocols/signed-requests.md); dyndns2 answers badauth.
  signature_invalid: { status: 401, title: "The request signature is missing, malformed or does not verify" },
  signature_expired: { status: 401, title: "The request signature is outside its time window" },
  replayed: { status: 401, title: "The request signature's nonce was already used" },
  signature_required: { status: 401, title: "This token must sign its requests" },
  // Sign-in (admin console, agent page).
  too_many_attempts: { status: 429, title: "Too many failed attempts; try again later" },
  csrf_failed: { status: 403, title: "The request failed the cross-site request check" },
  session_expired: { status: 401, title: "The session has expired; sign in again" },
  setup_done: { status: 409, title: "Setup is already done" },
  setup_code_invalid: { status: 401, title: "The setup code is not valid" },
  setup_required: { status: 401, title: "Set a password for this page first" },
  setup_unavailable: { status: 409, title: "The password cannot be stored from this page" },
  weak_password: { status: 400, title: "The password must be 10 to 1024 characters long" },
  wrong_password: { status: 403, title: "The current password is wrong" },
  user_exists: { status: 409, title: "A user with this name already exists" },
  user_not_found: { status: 404, title: "No such user" },
  // Two-factor sign-in (TOTP, issue 18).
  wrong_code: { status: 403, title: "The code is wrong or was already used" },
  sign_in_expired: { status: 401, title: "The sign-in took too long; enter your password again" },
  totp_enabled: { status: 409, title: "Two-factor sign-in is already on" },
  totp_not_enabled: { status: 409, title: "Two-factor sign-in is not on (or its setup was not started)" },
  password_required: { status: 403, title: "A password is required to listen beyond loopback" },
  bad_host: { status: 403, title: "The Host header is not one this server answers for" },
  // Beacon's own HTTPS (docs/deploy/tls.md): the console and JSON API refuse a non-GET over plain HTTP
  // (403, not 421: a client retrying 421 on a new connection reaches the same plain listener).
  https_required: { status: 403, title: "This route is served over HTTPS only" },
  config_changed: { status: 409, title: "The configuration file changed since it was loaded" },
  config_invalid: { status: 500, title: "The configuration is invalid" },
  store_unavailable: { status: 503, title: "The store is unavailable" },
  // The store's own troubles, each a 503 so clients retry later (dyndns2: 911).
  store_full: { status: 503, title: "The disk holding the database is full; nothing was saved" },
  store_read_only: {
    status: 503,
    title: "The database cannot be written (read-only file, directory or mount)",
  },
  // Only the CLI reports these: the database to open is missing, or another server holds it.
  store_not_found: { status: 503, title: "There is no Beacon database here" },
  store_in_use: { status: 503, title: "Another Beacon server is using this database" },
  // beacon backup / restore (docs/deploy/backup.md): the destination, and the copy checked before use.
  backup_exists: { status: 409, title: "The backup destination exists (pass --force to replace it)" },
  backup_dir_not_found: { status: 404, title: "The directory for the backup does not exist" },
  backup_not_found: { status: 404, title: "No backup file at this path" },
  backup_not_database: { status: 400, title: "The file is not a Beacon database" },
  backup_damaged: { status: 400, title: "The database copy is damaged (integrity check failed)" },
  backup_too_new: { status: 409, title: "The database was written by a newer Beacon" },
  // A part of Beacon this store or edition does not have (the DynamoDB store of the serverless
  // edition holds what updates need: no pools, users, TSIG keys, webhooks; docs/serverless.md).
  not_supported: { status: 501, title: "Not available with this store or edition" },
  // Serverless edition: the change is stored, but the DNS provider (Route 53) has not accepted it yet;
  // it is retried, and the client should retry later (dyndns2: 911). docs/serverless.md.
  dns_pending: { status: 503, title: "The change is saved but not yet published to DNS; try again later" },
  // The server could not start: a listener, or the process itself (docs/cli.md, exit statuses).
  address_in_use: { status: 503, title: "The address is already in use" },
  address_not_available: { status: 503, title: "The address is not available on this machine" },
  listen_not_permitted: { status: 503, title: "Not permitted to listen on the address" },
  too_many_open_files: { status: 503, title: "Too many open files" },
  // Keyless updates with OIDC JWTs (services/oidc/, docs/protocols/oidc.md).
  jwt_invalid: { status: 401, title: "The JWT is malformed, expired, or its signature does not verify" },
  jwt_untrusted_issuer: { status: 401, title: "No trust rule names the JWT's issuer" },
  jwt_no_rule: { status: 403, title: "The JWT's claims meet no trust rule" },
  oidc_unavailable: { status: 503, title: "The JWT's issuer could not be reached; try again later" },
  trust_not_found: { status: 404, title: "No such trust rule" },
  trust_exists: { status: 409, title: "A trust rule with this id already exists" },
  invalid_trust: { status: 400, title: "The trust rule is not valid" },
  // Automatic certificates (ACME, docs/deploy/acme.md): the CA refused or the order did not finish.
  acme_failed: { status: 502, title: "The ACME certificate authority did not issue the certificate" },
  internal: { status: 500, title: "Internal error" },
  network_error: { status: 502, title: "A network request failed" },
  aborted: { status: 504, title: "The operation timed out or was cancelled" },
  malformed_reply: { status: 502, title: "The remote reply is malformed" },
  command_failed: { status: 502, title: "The command could not be run" },
  // A DNS provider (the agent's target or a mirror) refused or failed; the vendor's reply is the cause.
  provider_auth: { status: 502, title: "The provider rejected the credentials" },
  provider_permission: { status: 502, title: "The credentials may not change this record at the provider" },
  provider_rate_limited: { status: 503, title: "The provider asked to slow down" },
  provider_zone_not_found: { status: 502, title: "The provider has no zone for this name" },
  provider_conflict: { status: 502, title: "The provider holds a conflicting record" },
  provider_unavailable: { status: 503, title: "The provider is unavailable" },
  provider_rejected: { status: 502, title: "The provider rejected the request" },
  provider_unsupported: { status: 400, title: "The provider cannot hold this record" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class BeaconError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra machine-readable fields for the problem document (never secrets). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message ?? ERRORS[code].title, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BeaconError";
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = options?.details;
  }
}

export function isBeaconError(e: unknown): e is BeaconError {
  return e instanceof BeaconError;
}

/** Wraps anything thrown into a BeaconError; unknown errors become `internal` with the original as cause. */
export function toBeaconError(e: unknown): BeaconError {
  if (isBeaconError(e)) return e;
  return new BeaconError("internal", undefined, { cause: e });
}
