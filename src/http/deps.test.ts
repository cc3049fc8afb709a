// The app's store is read-only by type: every change goes through the services (and their rules, the
// DNS index, the outbox). These assertions are checked by the typecheck (tsc includes the tests).

import { describe, expectTypeOf, it } from "vitest";

import type { Store } from "../store/ports.js";
import type { AppDeps, AppStore } from "./deps.js";
import type { AdminRouteDeps } from "./routes/admin/deps.js";

/** Every method of the store's ports that changes something. */
type Write =
  | "createZone"
  | "updateZone"
  | "deleteZone"
  | "createHost"
  | "deleteHost"
  | "commit"
  | "createToken"
  | "revokeToken"
  | "touchToken"
  | "createTsigKey"
  | "deleteTsigKey"
  | "pruneHistory"
  | "createMirror"
  | "deleteMirror"
  | "enqueueResync"
  | "ackOutbox"
  | "failMirror"
  | "pruneChanges"
  | "createSession"
  | "touchSession"
  | "deleteSession"
  | "deleteUserSessions"
  | "pruneSessions"
  | "createUser"
  | "createFirstUser"
  | "setUserPassword"
  | "deleteUser"
  | "saveLimitBuckets"
  | "deleteLimitBuckets"
  | "flagHost"
  | "clearHostFlag"
  | "close";

describe("the store the app takes", () => {
  it("is satisfied by the composite Store that cli opens, and covers the admin routes' reads", () => {
    expectTypeOf<Store>().toExtend<AppDeps["store"]>();
    expectTypeOf<AppStore>().toExtend<AdminRouteDeps["store"]>();
  });

  it("holds no write but the history service's prune (services/history.ts takes HistoryStore whole)", () => {
    expectTypeOf<Extract<keyof AppStore, Write>>().toEqualTypeOf<"pruneHistory">();
  });
});
