// The delivery worker against a real HTTP receiver on loopback, over a SQLite file: signed bodies the
// docs' verifier accepts (and rejects with a wrong secret), retries honouring Retry-After, order per
// webhook, a receiver down at first (delivered after a restart from the same file), and hostile
// receivers: one that hangs (the others go on), 3xx, 410, a huge reply, events older than a day.
// Time is a fake clock; passes are run by hand.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { silentLog } from "../../core/log.js";
import { createHttpRequest } from "../../net/http-request.js";
import type { Store } from "../../store/ports.js";
import { openSqliteStore } from "../../store/sqlite/sqlite-store.js";
import { T0 } from "../../store/testing/fixtures.js";
import { createNotifier } from "./notifier.js";
import { ManualTimers, startReceiver, until, verify, type Receiver } from "./testing.js";
import { checkWebhook } from "./webhooks.js";
import { DeliveryWorker, MAX_AGE_MS, type DeliveryOutcome } from "./worker.js";

const SECRET = "s3cret-s3cret-s3cret";
const messages = (r: Receiver) =>
  r.received.map((got) => (JSON.parse(got.body) as { message: string }).message);

describe("webhook delivery worker", () => {
  let dir: string;
  let path: string;
  let store: Store;
  let receiver: Receiver;
  let now: number;
  let timers: ManualTimers;
  let outcomes: string[];
  let ids: number;

  const worker = (node = "n1") =>
    new DeliveryWorker({
      store,
      http: createHttpRequest(),
      node,
      userAgent: "Beacon/9.9.9",
      clock: () => now,
      timers,
      random: () => 0.5,
      log: silentLog,
      onOutcome: (w: string, o: DeliveryOutcome) => outcomes.push(`${w}:${o}`),
    });
  const notifier = () => createNotifier({ store, clock: () => now, newId: () => `id-${++ids}` });
  const emitTest = (webhook: string, message: string) =>
    notifier().emit([{ kind: "test", webhook, at: now, message }]);
  async function pass(w: DeliveryWorker): Promise<void> {
    await w.pass();
    await w.idle();
  }
  const addHook = (id: string, url: string, extra: { template?: string } = {}) =>
    store.createWebhook(checkWebhook({ id, url, secret: SECRET, ...extra }, now));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beacon-webhooks-"));
    path = join(dir, "beacon.db");
    store = await openSqliteStore({ path });
    receiver = await startReceiver();
    now = T0;
    timers = new ManualTimers();
    outcomes = [];
    ids = 0;
  });
  afterEach(async () => {
    await store.close();
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("POSTs the default JSON body, signed as the docs say; a wrong secret fails the check", async () => {
    await addHook("a", receiver.url);
    await emitTest("a", "hello");
    await pass(worker());
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got!.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "Beacon/9.9.9",
      "x-beacon-event": "test",
      "x-beacon-delivery": "id-1",
      "x-beacon-timestamp": String(T0 / 1000),
    });
    expect(JSON.parse(got!.body)).toEqual({
      event: "test",
      at: new Date(T0).toISOString(),
      delivery: "id-1",
      webhook: "a",
      message: "hello",
    });
    expect(verify(SECRET, got!.headers, got!.body, T0 / 1000)).toBe(true);
    expect(verify("another-secret-entirely", got!.headers, got!.body, T0 / 1000)).toBe(false);
    expect(verify(SECRET, got!.headers, got!.body + " ", T0 / 1000)).toBe(false);
    expect(verify(SECRET, got!.headers, got!.body, T0 / 1000 + 3600)).toBe(false); // too old
    expect(await store.notificationQueue()).toBe(0);
    expect(outcomes).toEqual(["a:delivered"]);
  });

  it("renders a JSON template with escaped values and its content type", async () => {
    await addHook("slack", receiver.url, { template: '{"text": "{{event}}: {{message}}"}' });
    await emitTest("slack", 'say "hi" \\ <b>\n');
    await pass(worker());
    const [got] = receiver.received;
    expect(got!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(got!.body)).toEqual({ text: 'test: say "hi" \\ <b>\n' });
    expect(verify(SECRET, got!.headers, got!.body, T0 / 1000)).toBe(true);
  });

  it("retries after a 503 no sooner than Retry-After, and keeps the webhook's order", async () => {
    await addHook("a", receiver.url);
    receiver.answer = (_, res) => {
      res.writeHead(503, { "retry-after": "120" });
      res.end("busy");
    };
    await emitTest("a", "first");
    await emitTest("a", "second");
    const w = worker();
    await pass(w);
    expect(messages(receiver)).toEqual(["first"]);
    receiver.answer = (_, res) => res.end("ok");
    now = T0 + 119_000;
    await pass(w);
    expect(receiver.received).toHaveLength(1);
    now = T0 + 120_000;
    await pass(w);
    await pass(w);
    expect(messages(receiver)).toEqual(["first", "first", "second"]);
    expect(outcomes).toEqual(["a:retry", "a:delivered", "a:delivered"]);
  });

  it("delivers what a receiver that was down missed, after a restart from the same file", async () => {
    await addHook("a", receiver.url);
    receiver.answer = (_, res) => res.socket?.destroy();
    await emitTest("a", "one");
    await emitTest("a", "two");
    await pass(worker());
    expect(receiver.received).toHaveLength(1);
    await store.close();
    store = await openSqliteStore({ path });
    receiver.answer = (_, res) => res.end("ok");
    now = T0 + 60_000;
    const w = worker("n2"); // a restarted node with another id: n1's claim was released by the failure
    await pass(w);
    await pass(w);
    expect(messages(receiver)).toEqual(["one", "one", "two"]);
    expect(await store.notificationQueue()).toBe(0);
  });

  it("a receiver that hangs delays only its own webhook; its attempt times out and is retried", async () => {
    const slow = await startReceiver(() => undefined); // never answers
    try {
      await addHook("hangs", slow.url);
      await addHook("fine", receiver.url);
      await notifier().emit([
        {
          kind: "host.address_changed",
          host: "h.example",
          zone: "example",
          type: "A",
          old: [],
          new: ["192.0.2.1"],
          at: now,
        },
      ]);
      const w = worker();
      await w.pass();
      await until(() => receiver.received.length === 1 && slow.received.length === 1);
      expect(outcomes).toEqual(["fine:delivered"]);
      timers.fireAll(); // the hanging attempt's 10 s timeout
      await w.idle();
      expect(outcomes).toEqual(["fine:delivered", "hangs:retry"]);
      expect(await store.notificationQueue()).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it("drops an event a receiver refuses with 3xx after a few tries; 410 disables the webhook", async () => {
    const gone = await startReceiver((_, res) => {
      res.writeHead(410);
      res.end();
    });
    try {
      await addHook("moved", receiver.url);
      await addHook("gone", gone.url);
      receiver.answer = (_, res) => {
        res.writeHead(301, { location: "http://192.0.2.1/" });
        res.end();
      };
      await notifier().emit([
        { kind: "test", webhook: "moved", at: now, message: "x" },
        { kind: "test", webhook: "gone", at: now, message: "y" },
      ]);
      const w = worker();
      for (let i = 0; i < 3; i++) {
        now += 600_000;
        await pass(w);
      }
      expect(receiver.received).toHaveLength(3);
      expect(gone.received).toHaveLength(1);
      expect(outcomes.sort()).toEqual(["gone:gone", "moved:rejected", "moved:retry", "moved:retry"]);
      expect((await store.getWebhook("gone"))?.enabled).toBe(false);
      expect((await store.getWebhook("moved"))?.enabled).toBe(true);
      expect(await store.notificationQueue()).toBe(0);
    } finally {
      await gone.close();
    }
  });

  it("fails an attempt whose reply is huge, keeping only a short error", async () => {
    await addHook("a", receiver.url);
    receiver.answer = (_, res) => res.end("x".repeat(2 * 1024 * 1024));
    await emitTest("a", "x");
    await pass(worker());
    expect(outcomes).toEqual(["a:retry"]);
    const [row] = await store.claimNotifications("probe", now + 60_000, 1000, 1);
    expect(row!.lastError!.length).toBeLessThanOrEqual(200);
    expect(row!.lastError).not.toContain("xxxx");
  });

  it("drops events still failing after a day and counts them", async () => {
    await addHook("a", receiver.url);
    receiver.answer = (_, res) => {
      res.writeHead(500);
      res.end();
    };
    await emitTest("a", "x");
    const w = worker();
    await pass(w);
    now = T0 + MAX_AGE_MS + 1;
    await pass(w);
    expect(outcomes).toEqual(["a:retry", "a:expired"]);
    expect(await store.notificationQueue()).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });
});
