// The shutdown order of `beacon serve`. The returned close() runs it once (later calls get the same
// promise) and may be called while listeners are still being added (a failed start):
// 1. at once, nothing new starts: the outside-change watcher, the history sweeper, the admin
//    console's timers and the certificate files' watch stop;
// 2. then together: HTTP and HTTPS listeners drain in-flight requests (up to the grace period), DNS listeners
//    close, the mirror worker finishes the delivery in flight (bounded; what is still queued stays in
//    the outbox for the next start), the pools' probes end and their states are saved, NOTIFY rounds
//    end, the DNS workers stop;
//    the outbox for the next start), so do the webhook attempts, NOTIFY rounds end, the DNS workers stop;
// 3. the HTTP connection report timer stops and writes what is left;
// 4. long-window limits are saved (they outlive the restart), before
// 5. the store closes.

import type { Listeners } from "./listen.js";

export interface ShutdownParts {
  /** Beacon's own HTTPS: the certificate files stop being watched (serve/tls.ts). */
  readonly tls?: { stop(): void } | undefined;
  readonly stopWatching: () => void;
  readonly stopSweeping: () => void;
  readonly admin: { stop(): void };
  /** Read at close time: whatever listens by then. */
  readonly listeners: Listeners;
  readonly mirrors: { stop(): Promise<void> };
  /** The pools' probes end (bounded by their timeouts) and what they saw is saved. */
  readonly pools: { stop(): Promise<void> };
  /** The webhook worker and follower (serve/notify.ts); queued events stay for the next start. */
  readonly webhooks?: { stop(): Promise<void> };
  /** Automatic certificates (serve/acme.ts): an order under way finishes (or fails) first. */
  readonly acme?: { stop(): Promise<void> } | undefined;
  readonly notifier: { stop(): Promise<void> };
  readonly workers: { close(): Promise<void> } | undefined;
  readonly connections: { stop(): void };
  readonly limits: { stop(): Promise<void> };
  readonly store: { close(): Promise<void> };
}

export function shutdownInOrder(p: ShutdownParts): () => Promise<void> {
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    p.stopWatching();
    p.stopSweeping();
    p.admin.stop();
    p.tls?.stop();
    await Promise.all([
      ...[...p.listeners.http, ...p.listeners.https].map((l) => l.drain()),
      ...p.listeners.dns.map((s) => s.close()),
      p.mirrors.stop(),
      p.pools.stop(),
      p.webhooks?.stop(),
      p.acme?.stop(),
      p.notifier.stop(),
      p.workers?.close(),
    ]);
    p.connections.stop();
    await p.limits.stop();
    await p.store.close();
  };
  return () => (closing ??= close());
}
