// Hostile vendor: every request is answered 401 with a body that echoes what it was sent — the
// Authorization header (a Bearer token, a Basic credential in base64), the URL with its API key (raw
// and percent-decoded) and the JSON body with the token in it. The mirrors are built as the server
// builds them (the registry's providers, a secret read from an `X_file`), delivered by the real
// worker into a store; then no secret may appear, in any form, in the log, the stored error, or any
// view (admin and token holder).

import { Buffer } from "node:buffer";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemTimers } from "../core/timers.js";
import { startFakeVendor, type FakeVendor } from "../providers/testing/fake-vendor.js";
import { testProviderDeps } from "../providers/testing/deps.js";
import { PROVIDER_TYPES } from "../providers/registry.js";
import { mirrorStatusView, mirrorStatusViews, mirrorView } from "../services/mirror/views.js";
import { createMirrorWorker } from "../services/mirror/worker.js";
import { recordingLog, type LogLine } from "../services/testing/recorders.js";
import { createMemoryStore } from "../store/memory/memory-store.js";
import { hostFixture, T0, zoneFixture } from "../store/testing/fixtures.js";
import type { MirrorTarget } from "../store/types.js";
import { buildMirrorProvider } from "./mirror-provider.js";

const ZONE = "example.com";
/** Hostile characters on purpose: quotes, backslash, '&', '+', '/', space. */
const SECRETS = {
  bearer: "hdr-Token/0123+abc",
  urlKey: "k+ey&x/0123456",
  jsonSecret: 'js"on\\sec ret-789',
  password: "dyn pass:word-0042",
  cfToken: "cf-token-0123456789",
};

function formsOf(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret).toString("base64").slice(0, -4),
  ];
}

describe("no mirror secret leaks through a vendor that echoes the request", () => {
  let vendor: FakeVendor;
  const dir = mkdtempSync(join(tmpdir(), "beacon-leaks-"));
  const store = createMemoryStore();
  const lines: LogLine[] = [];
  let targets: MirrorTarget[] = [];

  beforeAll(async () => {
    vendor = await startFakeVendor((req) => ({
      status: 401,
      body: [
        `denied by the leaky vendor; auth=${req.headers["authorization"] ?? ""}`,
        `url=${req.rawUrl}`,
        `decoded=${decodeURIComponent(req.rawUrl)}`,
        `body=${req.body}`,
      ].join("; "),
    }));
    const secretFile = join(dir, "secret");
    writeFileSync(secretFile, `${SECRETS.jsonSecret}\n`);
    const mirrors: Omit<MirrorTarget, "zone" | "createdAt">[] = [
      {
        id: "hook",
        provider: "http",
        settings: {
          url: `${vendor.url}/hook?apikey=${encodeURIComponent(SECRETS.urlKey)}&ip={{value}}`,
          headers: { Authorization: `Bearer ${SECRETS.bearer}` },
          body: '{"token":"{{secret}}","ip":"{{value}}"}',
          secret_file: secretFile,
        },
      },
      {
        id: "dyn",
        provider: "dyndns2",
        settings: { url: `${vendor.url}/nic/update`, username: "someone", password: SECRETS.password },
      },
      { id: "cf", provider: "cloudflare", settings: { api_token: SECRETS.cfToken, endpoint: vendor.url } },
    ];
    await store.createZone(zoneFixture(ZONE));
    for (const m of mirrors) await store.createMirror({ ...m, zone: ZONE, createdAt: T0 });
    await store.createHost(hostFixture(`home.${ZONE}`, ZONE));
    await store.commit({
      writes: [{ fqdn: `home.${ZONE}`, type: "A", rrset: { ttl: 60, values: ["81.2.69.142"] } }],
      history: [],
      at: T0,
    });
    targets = await store.listMirrors();

    const worker = createMirrorWorker({
      store,
      provider: (m) => buildMirrorProvider(m, testProviderDeps()),
      clock: () => Date.now(),
      log: recordingLog(lines),
      timers: {
        setTimeout: (fn, ms) => systemTimers.setTimeout(fn, ms),
        clearTimeout: (h) => systemTimers.clearTimeout(h),
      },
      deliveryTimeoutMs: 5_000,
      node: "test-node",
    });
    worker.start();
    for (let i = 0; i < 200; i++) {
      const status = await store.mirrorStatus();
      if (status.every((s) => s.attempts > 0)) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await worker.stop();
  }, 20_000);

  afterAll(async () => {
    await vendor.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the vendor saw every secret (the test would prove nothing otherwise)", () => {
    const seen = vendor.requests.map((r) => `${r.headers["authorization"]} ${r.rawUrl} ${r.body}`).join("\n");
    expect(seen).toContain(SECRETS.bearer);
    expect(seen).toContain(encodeURIComponent(SECRETS.urlKey));
    expect(seen).toContain(JSON.stringify(SECRETS.jsonSecret).slice(1, -1));
    expect(seen).toContain(Buffer.from(`someone:${SECRETS.password}`).toString("base64"));
    expect(seen).toContain(SECRETS.cfToken);
  });

  it("every mirror failed, recorded with the vendor's own words for admins", async () => {
    const status = await store.mirrorStatus();
    expect(status.map((s) => s.id).sort()).toEqual(["cf", "dyn", "hook"]);
    for (const s of status) expect(s.lastError?.code, s.id).toMatch(/^(provider_auth|malformed_reply)$/);
    const admin = mirrorStatusViews(status, targets, (t) => PROVIDER_TYPES.get(t)?.settings);
    for (const v of admin.filter((v) => v.id !== "cf"))
      expect(v.lastError?.message).toContain("leaky vendor");
  });

  it("no secret, in any form, is in the log, the store or any view", async () => {
    const status = await store.mirrorStatus();
    const schemaOf = (t: string) => PROVIDER_TYPES.get(t)?.settings;
    const everything = JSON.stringify({
      log: lines,
      stored: status.map((s) => s.lastError),
      admin: mirrorStatusViews(status, targets, schemaOf),
      token: status.map((s) => mirrorStatusView(s)),
      settings: targets.map((t) => mirrorView(t, schemaOf)),
    });
    const basic = Buffer.from(`someone:${SECRETS.password}`).toString("base64");
    for (const secret of Object.values(SECRETS)) {
      for (const form of formsOf(secret)) expect(everything, `${secret} as ${form}`).not.toContain(form);
    }
    expect(everything).not.toContain(basic.slice(12, -4));
  });
});
