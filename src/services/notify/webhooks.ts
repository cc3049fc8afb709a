// Checking a webhook before it is stored (the CLI's `webhook add`; later the admin API): every field
// is hostile until proven otherwise. Refusals are invalid_webhook with a message that says which
// field and why; nothing is stored unless all of it is right.

import { BeaconError } from "../../core/errors.js";
import type { WebhookRecord } from "../../store/ports.js";
import { EVENT_KINDS } from "./events.js";
import { checkTemplate } from "./template.js";

export const WEBHOOK_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const MIN_SECRET = 16;
const MAX_SECRET = 1024;
const MAX_URL = 2048;

export interface WebhookInput {
  readonly id: string;
  readonly url: string;
  readonly secret: string | undefined;
  /** Default: every kind. */
  readonly events?: readonly string[];
  readonly template?: string | null;
}

const invalid = (message: string) => new BeaconError("invalid_webhook", message);

/** The record to store, or invalid_webhook. */
export function checkWebhook(input: WebhookInput, at: number): WebhookRecord {
  if (!WEBHOOK_ID.test(input.id))
    throw invalid(
      "the id must be 1 to 63 lowercase letters, digits, '-' or '_', starting with a letter or digit",
    );
  let url: URL;
  try {
    if (input.url.length > MAX_URL) throw new Error();
    url = new URL(input.url);
  } catch {
    throw invalid(`the URL is not a valid absolute URL of at most ${MAX_URL} characters`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalid("the URL must be http: or https:");
  const secret = input.secret ?? "";
  if (secret.length < MIN_SECRET || secret.length > MAX_SECRET)
    throw invalid(`the secret must be ${MIN_SECRET} to ${MAX_SECRET} characters long`);
  const events = [...new Set(input.events ?? ["*"])];
  const unknown = events.filter((e) => e !== "*" && !(EVENT_KINDS as readonly string[]).includes(e));
  if (events.length === 0 || unknown.length > 0)
    throw invalid(
      `unknown event ${unknown.join(", ") || "(none given)"} (known: *, ${EVENT_KINDS.join(", ")})`,
    );
  const template = input.template ?? null;
  if (template !== null) checkTemplate(template);
  return { id: input.id, url: url.href, secret, events, template, createdAt: at, enabled: true };
}

/** What a listing shows: everything but the secret. */
export function redacted(h: WebhookRecord): Omit<WebhookRecord, "secret"> & { secret: "(redacted)" } {
  return { ...h, secret: "(redacted)" };
}
