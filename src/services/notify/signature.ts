// The webhook signature (docs/webhooks.md "Verifying a delivery"): HMAC-SHA256 with the webhook's
// secret over `<unix seconds>.<body>`, hex, sent as `X-Beacon-Signature: sha256=<hex>` with the
// seconds in X-Beacon-Timestamp. Receivers recompute it and compare in constant time.

import { createHmac } from "node:crypto";

export function sign(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}
