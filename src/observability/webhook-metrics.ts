// Webhook delivery as Prometheus metrics on the server's registry: a counter of attempts' verdicts per
// webhook and outcome (delivered, retry, rejected, gone, expired: services/notify/worker.ts), and the
// outbox's size, read from the store at scrape time.

import { Counter, Gauge, type Registry } from "prom-client";

export function registerWebhookMetrics(
  registry: Registry,
  queue: () => Promise<number>,
): (webhook: string, outcome: string) => void {
  const deliveries = new Counter({
    name: "beacon_webhook_deliveries_total",
    help: "Webhook delivery attempts by verdict: delivered, retry, rejected (dropped), gone (410: disabled), expired (dropped after a day)",
    labelNames: ["webhook", "outcome"],
    registers: [registry],
  });
  new Gauge({
    name: "beacon_webhook_queue",
    help: "Webhook events waiting for delivery (all webhooks, all nodes)",
    registers: [registry],
    async collect() {
      this.set(await queue().catch(() => Number.NaN));
    },
  });
  return (webhook, outcome) => deliveries.inc({ webhook, outcome });
}
