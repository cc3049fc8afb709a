// What the server's sign-in routes need, injected by the composition root (src/cli/serve.ts).

import type { Context } from "hono";
import type { LoginChallenges } from "../../../services/auth/login-challenges.js";
import type { LoginLimiter } from "../../../services/auth/login-limiter.js";
import type { SecondFactor } from "../../../services/auth/second-factor.js";
import type { SessionService } from "../../../services/auth/sessions.js";
import type { UserService } from "../../../services/auth/users.js";
import type { VerifyGate } from "../../../services/auth/verify-gate.js";
import type { Log } from "../../../core/log.js";

export interface SessionRouteDeps {
  readonly users: UserService;
  readonly sessions: SessionService;
  readonly limiter: LoginLimiter;
  /** TOTP of admin users (enrolment and the second sign-in step) and the step between the two. */
  readonly secondFactor: SecondFactor;
  readonly challenges: LoginChallenges;
  /** Bounds concurrent scrypt work of sign-in, setup and password change; default 2 at once, 64 queued. */
  readonly gate?: VerifyGate;
  /** The first-run code printed in the log; undefined once setup is done or when admin.setup is off. */
  readonly setupCode: () => string | undefined;
  /** Called once the first user exists through setup: forget the code (a later empty table needs a restart). */
  readonly onSetupDone?: () => void;
  /** `http.public_url`: its origin is accepted in Origin headers besides the request's own. */
  readonly publicUrl: string | undefined;
  /** As AppDeps: the socket peer, and the proxies whose X-Forwarded-* headers are believed. */
  readonly clientAddress: (c: Context) => string | undefined;
  readonly trustedProxies: readonly string[];
  readonly log: Log;
}
