// The DynamoDB store: Beacon's Store on one DynamoDB table (table.ts), for the serverless edition.
// Zones, hosts, record sets, history and mirrors go through the commit log (commit-log.ts), which
// makes each change atomic without transactions; tokens, rate-limit buckets, host flags and sample
// credentials are separate modules over the same table. The change feed has no log
// here: externalVersion is a constant, changeSeq 0, changesSince and zoneLog undefined ("cannot say":
// callers read a snapshot), pruneChanges 0. Ports the edition does not have reject with not_supported.
// Closing only stops this object: the client is the caller's.

import type { Clock } from "../../core/clock.js";
import { systemClock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import type { ChangeFeed, Store } from "../ports.js";
import { createCommitLog } from "./commit-log.js";
import { createDynamoHistory } from "./history.js";
import { createDynamoMirrors } from "./mirrors.js";
import type { Dynamo } from "./table.js";
import { dynamoLimits } from "./limits.js";
import { dynamoSampleCredentials } from "./sample-credentials.js";
import { dynamoTokens } from "./tokens.js";
import { unsupported } from "./unsupported.js";
import { createDynamoZones, type HostsDeleted } from "./zones.js";

export { createDynamoTable } from "./table.js";

const CLOSED = "the DynamoDB store is closed";

export interface DynamoStoreOptions {
  readonly client: Dynamo;
  readonly table: string;
  readonly clock?: Clock;
}

export function openDynamoStore(opts: DynamoStoreOptions): Store {
  const clock = opts.clock ?? systemClock;
  let closed = false;
  const open = (): void => {
    if (closed) throw new BeaconError("store_unavailable", CLOSED);
  };
  const log = createCommitLog(opts.client, opts.table, clock, open);

  // Tokens, buckets, flags and sample credentials (tokens.ts, limits.ts, sample-credentials.ts). A
  // deleted host's tokens are revoked after the commit that deleted it (revocation is idempotent, so a
  // crash in between leaves tokens that the host's id no longer matches: see Store.deleteHost); its
  // flag needs nothing (limits.ts counts a flag only while the host keeps its id).
  const tokens = dynamoTokens(opts.client, opts.table);
  const hostDeleted: HostsDeleted = async (hosts, at) => {
    for (const h of hosts) await tokens.revokeHostTokens(h.id, at);
  };

  return {
    ...createDynamoZones({ log, clock, hostDeleted }),
    ...createDynamoHistory(log),
    ...createDynamoMirrors(log),
    ...noChangeLog(open),
    ...tokens,
    ...dynamoLimits(opts.client, opts.table),
    ...dynamoSampleCredentials(opts.client, opts.table),
    ...unsupported("TSIG keys (RFC 2136 UPDATE)", ["createTsigKey", "listTsigKeys", "deleteTsigKey"]),
    ...unsupported("the admin console's sessions", [
      "createSession",
      "getSession",
      "touchSession",
      "deleteSession",
      "deleteUserSessions",
      "pruneSessions",
    ]),
    ...unsupported("the admin console's users", [
      "createUser",
      "createFirstUser",
      "getUser",
      "listUsers",
      "countUsers",
      "setUserPassword",
      "deleteUser",
    ]),
    ...unsupported("two-factor sign-in", [
      "putTotp",
      "getTotp",
      "listTotp",
      "deleteTotp",
      "claimTotpStep",
      "useRecoveryCode",
      "createLoginChallenge",
      "getLoginChallenge",
      "deleteLoginChallenge",
      "pruneLoginChallenges",
    ]),
    ...unsupported("the TSIG replay memory", ["claimTsigMac", "pruneTsigMacs"]),
    ...unsupported("trusted OIDC issuers (keyless updates with JWTs)", [
      "createTrustRule",
      "getTrustRule",
      "listTrustRules",
      "deleteTrustRule",
    ]),
    // Signed requests need the replay memory above, so their keys are not stored either.
    ...unsupported("request-signing keys (signed update requests)", ["setTokenSigning"]),
    ...unsupported("health-checked pools", [
      "putPool",
      "getPool",
      "listPools",
      "deletePool",
      "setOverride",
      "saveMemberHealth",
      "listMemberHealth",
      "appendTransitions",
      "listTransitions",
      "addRollups",
      "listRollups",
      "pruneHealth",
      "recordHeartbeat",
      "listHeartbeats",
      "claimPublisher",
      "releasePublisher",
    ]),
    ...unsupported("automatic certificates (ACME)", [
      "getAcmeAccount",
      "putAcmeAccount",
      "getAcmeState",
      "listAcmeStates",
      "saveAcmeCertificate",
      "failAcme",
      "claimAcme",
      "releaseAcme",
    ]),
    ...unsupported("webhooks", [
      "createWebhook",
      "getWebhook",
      "listWebhooks",
      "deleteWebhook",
      "setWebhookEnabled",
      "enqueueNotifications",
      "claimNotifications",
      "ackNotification",
      "failNotification",
      "dropNotifications",
      "notificationQueue",
      "claimNotifyFollower",
      "releaseNotifyFollower",
      "notifyCursor",
      "addressChanges",
      "followChanges",
    ]),

    health() {
      return closed
        ? { writable: false, problem: { code: "store_unavailable", message: CLOSED } }
        : { writable: true };
    },

    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}

/** A change feed that cannot say what changed: readers fall back to snapshots. */
function noChangeLog(open: () => void): ChangeFeed {
  const answer =
    <T>(value: T) =>
    () => {
      open();
      return Promise.resolve(value);
    };
  return {
    externalVersion: answer(0),
    changeSeq: answer(0),
    changesSince: answer(undefined),
    pruneChanges: answer(0),
    zoneLog: answer(undefined),
  };
}
