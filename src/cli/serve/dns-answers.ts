// How `beacon serve` answers a DNS message, on every listener and transport: a question answered
// before comes from the answer cache; otherwise queries (signed ones answered signed; the catalog
// zone's own), RFC 2136 UPDATE and zone transfers (of the catalog zone too; IXFR falling back on the
// change log) are routed to their handlers, under the `dns.limits`. Also the check of the TSIG key
// names the transfer settings give, which can only run once the keyring is read.

import type { ServerConfig } from "../../config/index.js";
import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import { createAnswerCache } from "../../dns/answer/answer-cache.js";
import { dispatch } from "../../dns/dispatch.js";
import type { Keyring } from "../../dns/tsig/keyring.js";
import type { CountingDnsMetrics } from "../../dns/metrics.js";
import { signedQueries } from "../../dns/signed-query.js";
import type { TsigKey } from "../../dns/tsig/tsig.js";
import type { DnsContext } from "../../dns/answer/types.js";
import { createUpdateHandler, type UpdatePort } from "../../dns/update/handler.js";
import type { TcpSideOptions } from "../../dns/workers/listeners.js";
import type { Store } from "../../store/ports.js";
import { catalogQueries } from "../../dns/xfr/catalog-queries.js";
import { createTransferHandler } from "../../dns/xfr/responder.js";
import { createLogDiffs } from "../../dns/xfr/log-diffs.js";
import { dnsLimitOptions } from "../dns-limits.js";
import type { DnsViews } from "./dns-views.js";

/**
 * Warns about `dns.transfer.notify_key` and `dns.transfer.keys` naming keys the keyring lacks, and
 * returns the key NOTIFY is signed with (none without notify_key; looked up at each use).
 */
export function checkTransferKeys(
  transfer: ServerConfig["dns"]["transfer"],
  keyring: Keyring,
  log: Log,
): () => TsigKey | undefined {
  let notifyKey: () => TsigKey | undefined = () => undefined;
  const name = transfer.notifyKey;
  if (name !== undefined) {
    notifyKey = () => keyring(name);
    if (keyring(name) === undefined)
      log.warn({ key: name }, "dns.transfer.notify_key names no TSIG key; NOTIFY goes unsigned");
  }
  for (const missing of transfer.keys.filter((k) => keyring(k) === undefined))
    log.warn({ key: missing }, "dns.transfer.keys names no TSIG key; transfers signed with it are refused");
  return notifyKey;
}

/** The options every DNS listener shares: the handler answering a message, the limits, the timeouts. */
export function wireDnsAnswers(d: {
  readonly config: ServerConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Log;
  readonly metrics: CountingDnsMetrics;
  readonly views: Pick<DnsViews, "index" | "steering" | "transfers" | "catalog">;
  readonly keyring: Keyring;
  readonly updates: UpdatePort;
}): TcpSideOptions {
  const { config, store, clock, log, keyring } = d;
  const update = createUpdateHandler({
    keyring,
    store,
    updates: d.updates,
    clock,
    log,
    allowMd5: config.dns.update.allowMd5,
    maxFudge: config.dns.update.maxFudge,
    // Shared by every node on the store (and kept across restarts): a replay to another node is refused.
    replayStore: store,
  });
  const transfer = createTransferHandler({
    source: d.views.transfers,
    policy: { allow: config.dns.transfer.allow, keys: config.dns.transfer.keys },
    keyring,
    clock,
    log,
    // After a restart, or several commits applied at once, IXFR diffs come from the change log.
    logDiffs: createLogDiffs(store, log),
  });
  const answers = createAnswerCache(d.views.index, {
    alloc: (n) => Buffer.allocUnsafe(n),
    steering: d.views.steering,
  });
  const routes = dispatch({
    // Secondaries sign their SOA refresh queries with the transfer key and want signed answers.
    // The catalog zone (dns.transfer.catalog) answers its SOA and refuses the rest, before the index.
    query: signedQueries(catalogQueries(answers, d.views.catalog?.zone), { keyring, clock }),
    update,
    transfer,
  });
  return {
    // A question answered before is answered again from its precomputed bytes, before any routing.
    handler: (msg: Uint8Array, ctx: DnsContext) => answers.hit(msg) ?? routes(msg, ctx),
    log,
    tcpIdleTimeoutMs: config.dns.tcpIdleTimeoutMs,
    maxTcpConnections: config.dns.maxTcpConnections,
    ...dnsLimitOptions(config.dns.limits, clock, d.metrics, config.dns.transfer.allow),
  };
}
