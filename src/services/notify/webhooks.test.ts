// Checking webhooks and templates before they are stored: each hostile input is refused with
// invalid_webhook, and a good one comes back normalised.

import { describe, expect, it } from "vitest";

import { BeaconError } from "../../core/errors.js";
import { renderTemplate } from "./template.js";
import { checkWebhook, redacted } from "./webhooks.js";

const good = { id: "ops-1", url: "https://hooks.example/x", secret: "0123456789abcdef" };

describe("checkWebhook", () => {
  it("accepts a good webhook: every event by default, enabled", () => {
    expect(checkWebhook(good, 5)).toEqual({
      ...good,
      events: ["*"],
      template: null,
      createdAt: 5,
      enabled: true,
    });
    expect(redacted(checkWebhook(good, 5)).secret).toBe("(redacted)");
  });

  it.each([
    ["a malformed URL", { url: "not a url" }],
    ["a relative URL", { url: "/hook" }],
    ["an ftp URL", { url: "ftp://hooks.example/" }],
    ["a javascript URL", { url: "javascript:alert(1)" }],
    ["a huge URL", { url: `https://h.example/${"a".repeat(3000)}` }],
    ["a missing secret", { secret: undefined }],
    ["a short secret", { secret: "short" }],
    ["a bad id", { id: "Bad Id!" }],
    ["an empty id", { id: "" }],
    ["an unknown event", { events: ["pool.exploded"] }],
    ["no events", { events: [] }],
    ["a template with an unknown placeholder", { template: "hello {{nope}}" }],
    ["a template with a malformed placeholder", { template: "hello {{ host name }}" }],
    ["a JSON template with a placeholder outside a string", { template: '{"n": {{rttMs}}}' }],
    ["a JSON template that is not JSON", { template: '{"text": "{{host}}"' }],
  ])("refuses %s", (_, change) => {
    expect(() => checkWebhook({ ...good, ...change }, 0)).toThrow(BeaconError);
    try {
      checkWebhook({ ...good, ...change }, 0);
    } catch (e) {
      expect((e as BeaconError).code).toBe("invalid_webhook");
    }
  });
});

describe("renderTemplate", () => {
  it("escapes values inside a JSON template and inserts them as they are in text", () => {
    const fields = { host: 'h"x\\', new: ["192.0.2.1", "192.0.2.2"], member: undefined };
    expect(renderTemplate('{"t": "{{host}} {{new}} [{{member}}]"}', fields)).toEqual({
      body: '{"t": "h\\"x\\\\ 192.0.2.1, 192.0.2.2 []"}',
      contentType: "application/json",
    });
    expect(renderTemplate("{{host}} is now {{ new }}", fields)).toEqual({
      body: 'h"x\\ is now 192.0.2.1, 192.0.2.2',
      contentType: "text/plain; charset=utf-8",
    });
  });
});
