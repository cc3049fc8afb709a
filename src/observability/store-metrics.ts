// The store's health as a Prometheus gauge, read at scrape time (Store.health: no I/O).

import { Gauge, type Registry } from "prom-client";
import type { StoreHealth } from "../store/types.js";

export function registerStoreMetrics(registry: Registry, store: { health(): StoreHealth }): void {
  new Gauge({
    name: "beacon_store_writable",
    help: "1 when the database can take updates; 0 when it cannot (deleted or replaced under the server, read-only): see /healthz",
    registers: [registry],
    collect() {
      this.set(store.health().writable ? 1 : 0);
    },
  });
}
