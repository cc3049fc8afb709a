// First visit on loopback: POST /api/setup {code, password} sets the page's password with the one-time
// code the agent printed at start (stderr and its log). The scrypt hash goes into status.password_hash
// of the YAML file the agent runs with (atomic replace, every other byte of the file kept; one write at
// a time with the page's saves), then the page is in the password mode and this request signed in.
//
// Answers: 201 + cookie + {csrfToken, expiresAt}; 401 setup_code_invalid (counted by the login limiter
// per network and for the page as a whole → 429 + Retry-After); 400 weak_password; 409 setup_done
// once a password exists (the code is spent: single use); 409 setup_unavailable when the file cannot
// hold it (no file, not writable, unusual layout), naming `beacon agent password`; 403 password_required
// on a LAN listener.

import type { Context, Hono } from "hono";
import { setPasswordHash } from "../config/password-edit.js";
import { BeaconError } from "../../core/errors.js";
import { readStringFields } from "../../http/session/fields.js";
import { MAX_PASSWORD_FIELD } from "../../http/session/login.js";
import type { LoginLimiter } from "../../services/auth/login-limiter.js";
import { hashPassword, passwordProblem } from "../../services/auth/passwords.js";
import { setupCodeMatches } from "../../services/auth/setup-code.js";
import type { Log } from "../../core/log.js";
import { LOCKED_DETAIL, tooMany, type Auth, type SetupView } from "./auth.js";
import type { ConfigFile } from "./config-file.js";
import { problemResponse } from "./problem.js";
import type { Serial } from "./serial.js";

const MAX_CODE = 256;
const BY_HAND =
  "create a hash with `beacon agent password`, put it under status.password_hash (or in BEACON_AGENT_STATUS_PASSWORD_HASH) and restart the agent";
const NO_FILE = `the agent runs without a configuration file to store a password in: ${BY_HAND}`;
const NO_CODE = `no setup code was printed: ${BY_HAND}`;

export interface SetupDeps {
  readonly auth: Auth;
  /** The code the agent printed; undefined when it printed none. */
  readonly code: string | undefined;
  /** Why the file cannot be written (checked at start; then no code is printed). */
  readonly unwritable: string | undefined;
  /** The YAML file the agent runs with; undefined: it runs without one. */
  readonly file: ConfigFile | undefined;
  /** Shared with the page's configuration saves. */
  readonly saves: Serial;
  readonly limiter: LoginLimiter;
  readonly log: Log;
  /** Told the new hash once it is stored (the running configuration now has it). */
  readonly onPasswordSet?: (hash: string) => void;
}

/** What GET /api/session says about setup while no password exists. */
export function setupView(
  code: string | undefined,
  file: ConfigFile | undefined,
  unwritable: string | undefined,
): SetupView {
  if (file === undefined) return { possible: false, detail: NO_FILE };
  if (unwritable !== undefined) return { possible: false, detail: `${unwritable}: ${BY_HAND}` };
  if (code === undefined) return { possible: false, detail: NO_CODE };
  return { possible: true, file: file.path };
}

export function registerSetup(app: Hono, deps: SetupDeps): void {
  const { auth, limiter, log } = deps;
  let code = deps.code;

  const attempt = async (c: Context): Promise<Response> => {
    const now = auth.access();
    if (now.kind === "locked") throw new BeaconError("password_required", LOCKED_DETAIL);
    if (now.kind === "password") throw setupDone();
    const keys = auth.limiterKeys(c);
    const wait = limiter.check(keys);
    if (wait !== undefined) return tooMany(wait, log);
    const body = await readStringFields(c.req.raw, { code: MAX_CODE, password: MAX_PASSWORD_FIELD });
    return deps.saves(async () => {
      // A racing request may have set the password while this one waited.
      if (auth.access().kind !== "setup") throw setupDone();
      const file = deps.file;
      const view = setupView(code, file, deps.unwritable);
      if (!view.possible || file === undefined || code === undefined)
        throw new BeaconError("setup_unavailable", view.possible ? NO_CODE : view.detail);
      if (!setupCodeMatches(body.code, code)) {
        limiter.failed(keys);
        log.warn({}, "wrong setup code for the local page");
        const after = limiter.check(keys);
        if (after !== undefined) return tooMany(after, log);
        throw new BeaconError(
          "setup_code_invalid",
          "wrong setup code: use the one the agent printed at start",
        );
      }
      const problem = passwordProblem(body.password);
      if (problem !== undefined) throw new BeaconError("weak_password", problem);
      const stored = await hashPassword(body.password);
      await store(file, stored);
      code = undefined;
      deps.onPasswordSet?.(stored);
      log.info({ file: file.path }, "password for the local page set from the page");
      return c.json(await auth.usePassword(c, stored), 201);
    });
  };

  app.post("/api/setup", async (c) => {
    try {
      return await attempt(c);
    } catch (e) {
      return problemResponse(e, log);
    }
  });

  /** Adds the hash to the file; every failure is setup_unavailable naming the way by hand. */
  async function store(file: ConfigFile, stored: string): Promise<void> {
    let text: string;
    try {
      text = await file.read();
    } catch (e) {
      throw unavailable(`cannot read ${file.path} (${errno(e)})`);
    }
    const edit = setPasswordHash(text, stored);
    if (!edit.ok) {
      if (edit.reason === "exists")
        throw new BeaconError(
          "setup_done",
          `${file.path} already sets status.password_hash: restart the agent to use it`,
        );
      throw unavailable(`${edit.detail} in ${file.path}`);
    }
    try {
      await file.write(edit.text);
    } catch (e) {
      log.error(
        { err: e instanceof Error ? e.message : String(e), file: file.path },
        "storing the page's password failed",
      );
      throw unavailable(`the agent may not write ${file.path} (${errno(e)})`);
    }
  }
}

function unavailable(why: string): BeaconError {
  return new BeaconError("setup_unavailable", `${why}; nothing was changed: ${BY_HAND}`);
}

function setupDone(): BeaconError {
  return new BeaconError("setup_done", "a password is set for this page: sign in with it");
}

function errno(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : e instanceof Error ? e.message : String(e);
}
