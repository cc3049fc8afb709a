import type { IncomingMessage } from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Log } from "../../core/log.js";
import { createFakeTime, type FakeTime } from "../../core/testing/fake-time.js";
import { createHttpRequest } from "../../net/http-request.js";
import type { RecordConfig } from "../config/agent-config.js";
import { beaconTarget } from "../targets/beacon.js";
import { fakeDeps } from "../targets/testing/contract.js";
import { readBody, serveNode, type TestServer } from "../targets/testing/serve.js";
import { agentRecord, fakeInterfaces, fakeTarget, ifaceAddress } from "../testing/fakes.js";
import { createHeartbeatSender, type HeartbeatSender } from "./sender.js";

const INTERVAL = 10_000;
const TOKEN = "tk_line1.secret";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
  readonly from: string | undefined;
}

let server: TestServer;
let seen: Seen[] = [];
interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}
let replies: Reply[] = [];
const OK: Reply = {
  status: 200,
  body: JSON.stringify({ hostname: "line1.home.example.com", pools: ["www"] }),
};

beforeAll(async () => {
  server = await serveNode(async (req: IncomingMessage, res) => {
    seen.push({
      method: req.method ?? "",
      url: req.url ?? "",
      authorization: req.headers.authorization,
      contentType: req.headers["content-type"],
      body: await readBody(req),
      from: req.socket.remoteAddress,
    });
    const next = replies.shift() ?? OK;
    res.writeHead(next.status, { "content-type": "application/json", ...next.headers });
    res.end(next.body);
  });
});
afterAll(() => server.close());

const senders: HeartbeatSender[] = [];
beforeEach(() => {
  seen = [];
  replies = [];
});
afterEach(async () => {
  for (const s of senders.splice(0)) await s.stop();
});

interface Logged {
  readonly level: string;
  readonly msg: string | undefined;
  readonly obj: object;
}

function recordingLog(): { log: Log; lines: Logged[] } {
  const lines: Logged[] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, msg, obj });
    };
  return { log: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, lines };
}

function lineRecord(over: Partial<RecordConfig> = {}, url = server.url) {
  const target = beaconTarget.create(
    "home",
    beaconTarget.settings.parse({ url, token: TOKEN }),
    fakeDeps(createHttpRequest()),
  );
  return agentRecord([], target, {
    fqdn: "line1.home.example.com",
    heartbeat: { intervalMs: INTERVAL },
    ...over,
  });
}

function harness(records = [lineRecord()], o: { random?: number; time?: FakeTime } = {}) {
  const time = o.time ?? createFakeTime();
  const { log, lines } = recordingLog();
  const interfaces = fakeInterfaces();
  const sender = createHeartbeatSender(records, {
    timers: time.timers,
    clock: time.clock,
    random: () => o.random ?? 0.5, // 0.5: no jitter
    log,
    readInterfaces: interfaces.read,
  });
  senders.push(sender);
  /** Fires the timers due within `ms`, then waits for the beats they started. */
  const advance = async (ms: number) => {
    await time.advance(ms);
    await sender.idle();
  };
  const nextIn = () => {
    const at = sender.status()[0]?.nextAt;
    return at === undefined ? undefined : at - time.clock();
  };
  return { time, sender, lines, interfaces, advance, nextIn };
}

describe("heartbeat sender against a local HTTP server", () => {
  test("beats at start-up and then every interval: POST /api/v1/heartbeat, bearer token, JSON hostname", async () => {
    const h = harness();
    h.sender.start();
    await h.advance(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: "POST",
      url: "/api/v1/heartbeat",
      authorization: `Bearer ${TOKEN}`,
      contentType: "application/json",
    });
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ hostname: "line1.home.example.com" });
    expect(h.nextIn()).toBe(INTERVAL);

    await h.advance(INTERVAL - 1);
    expect(seen).toHaveLength(1);
    for (let i = 0; i < 5; i++) await h.advance(INTERVAL);
    expect(seen).toHaveLength(6);
    expect(h.sender.status()[0]).toMatchObject({
      outcome: "ok",
      pools: ["www"],
      sentTotal: 6,
      failuresTotal: 0,
      lastOkAt: h.time.clock() - 9_999, // the sixth beat, at 50 s
    });
  });

  test("jitter: ±10 % of the interval", async () => {
    for (const [random, delay] of [
      [0, 9_000],
      [0.999_999, 11_000],
    ] as const) {
      const h = harness([lineRecord()], { random });
      h.sender.start();
      await h.advance(0);
      expect(h.nextIn()).toBe(delay);
      await h.sender.stop();
    }
  });

  test("429 with Retry-After: nothing is sent before it ends, then the interval resumes", async () => {
    const h = harness();
    replies.push({ status: 429, body: "", headers: { "retry-after": "60" } });
    h.sender.start();
    await h.advance(0);
    expect(h.sender.status()[0]).toMatchObject({
      outcome: "waiting",
      code: "rate_limited",
      failuresTotal: 1,
    });
    expect(h.nextIn()).toBe(60_000);
    await h.advance(59_999);
    expect(seen).toHaveLength(1);
    await h.advance(1);
    expect(seen).toHaveLength(2);
    expect(h.sender.status()[0]?.outcome).toBe("ok");
    expect(h.nextIn()).toBe(INTERVAL);
  });

  test("503 store_unavailable with Retry-After shorter than the interval keeps the interval", async () => {
    const h = harness();
    replies.push({
      status: 503,
      body: JSON.stringify({ code: "store_unavailable", status: 503, detail: "down" }),
      headers: { "retry-after": "2" },
    });
    h.sender.start();
    await h.advance(0);
    expect(h.sender.status()[0]).toMatchObject({ outcome: "waiting", code: "store_unavailable" });
    expect(h.nextIn()).toBe(INTERVAL);
  });

  test("403 is a configuration error: logged once at error level, and the schedule goes on", async () => {
    const h = harness();
    const forbidden = { status: 403, body: JSON.stringify({ code: "forbidden", status: 403, detail: "no" }) };
    replies.push(forbidden, forbidden, forbidden);
    h.sender.start();
    await h.advance(0);
    await h.advance(INTERVAL);
    await h.advance(INTERVAL);
    expect(seen).toHaveLength(3);
    expect(h.sender.status()[0]).toMatchObject({ outcome: "refused", code: "forbidden", failuresTotal: 3 });
    expect(h.lines.filter((l) => l.level === "error")).toHaveLength(1);
    expect(h.lines.filter((l) => l.level === "error")[0]?.obj).toMatchObject({ code: "forbidden" });
    await h.advance(INTERVAL); // the admin fixed it: accepted, logged once more
    expect(h.sender.status()[0]).toMatchObject({ outcome: "ok", code: undefined, pools: ["www"] });
    expect(h.lines.map((l) => l.level)).toEqual(["error", "info"]);
  });

  test("hostile replies: 502 HTML, 200 HTML, pools not strings, 404 HTML → failed or refused", async () => {
    const h = harness();
    replies.push(
      { status: 502, body: "<html>Bad Gateway</html>" },
      { status: 200, body: "<html>captive portal</html>" },
      { status: 200, body: '{"pools":[1,{"x":2}]}' },
      { status: 404, body: "<h1>Not Found</h1>" },
    );
    h.sender.start();
    await h.advance(0);
    const outcomes = [h.sender.status()[0]];
    for (let i = 0; i < 3; i++) {
      await h.advance(INTERVAL);
      outcomes.push(h.sender.status()[0]);
    }
    expect(outcomes.map((s) => [s?.outcome, s?.code])).toEqual([
      ["failed", "http_502"],
      ["failed", "bad_reply"],
      ["failed", "bad_reply"],
      ["refused", "http_404"],
    ]);
    // One warning for the whole failing episode (whatever the codes), one error for the refusal.
    expect(h.lines.map((l) => l.level)).toEqual(["warn", "error"]);
  });

  test("an accepted beat no pool follows is a warning, once", async () => {
    const h = harness();
    const none = { status: 200, body: '{"hostname":"line1.home.example.com","pools":[]}' };
    replies.push(none, none);
    h.sender.start();
    await h.advance(0);
    await h.advance(INTERVAL);
    expect(h.lines.map((l) => [l.level, l.msg])).toEqual([
      ["warn", "heartbeats accepted, but no pool follows this host"],
    ]);
  });

  test("stop() cancels the schedule: no timer is left and no beat follows", async () => {
    const h = harness();
    h.sender.start();
    await h.advance(0);
    await h.sender.stop();
    expect(h.time.pending()).toEqual([]);
    await h.advance(INTERVAL * 5);
    expect(seen).toHaveLength(1);
    h.sender.start(); // no restart after stop
    await h.advance(0);
    expect(seen).toHaveLength(1);
  });

  test("a server that never answers: the beat is cut at min(interval, 10 s) and stop() does not hang", async () => {
    const hung = await serveNode(() => undefined);
    try {
      const h = harness([lineRecord({ heartbeat: { intervalMs: 60_000 } }, hung.url)]);
      h.sender.start();
      await h.time.advance(0);
      await h.time.advance(10_000); // the deadline fires
      await h.sender.idle();
      expect(h.sender.status()[0]).toMatchObject({ outcome: "failed", code: "timeout" });
      expect(h.nextIn()).toBe(50_000); // the next beat still starts an interval after the last one began
    } finally {
      await hung.close();
    }
  });

  test("bound to an address, the beat leaves from that address (the line)", async () => {
    const h = harness([lineRecord({ bind: { kind: "address", address: "127.0.0.2" } })]);
    h.sender.start();
    await h.advance(0);
    expect(seen.map((s) => s.from)).toEqual(["127.0.0.2"]);
  });

  test("bound to an interface: its address is used; without one the beat fails with code bind", async () => {
    const h = harness([lineRecord({ bind: { kind: "interface", interface: "wan2" } })]);
    h.interfaces.table.push(ifaceAddress("wan2", "127.0.0.3", { prefixLength: 8 }));
    h.sender.start();
    await h.advance(0);
    expect(seen.map((s) => s.from)).toEqual(["127.0.0.3"]);
    h.interfaces.table.length = 0;
    await h.advance(INTERVAL);
    expect(seen).toHaveLength(1);
    expect(h.sender.status()[0]).toMatchObject({ outcome: "failed", code: "bind" });
  });

  test("reload: unchanged records keep their schedule, changed and new ones beat at once, dropped ones stop", async () => {
    const a = lineRecord();
    const b = lineRecord({ fqdn: "line2.home.example.com" });
    const h = harness([a, b]);
    h.sender.start();
    await h.advance(0);
    expect(seen).toHaveLength(2);
    await h.advance(4_000);
    h.sender.reload([
      lineRecord(), // same settings
      lineRecord({ fqdn: "line3.home.example.com" }), // new
      lineRecord({ fqdn: "line2.home.example.com", heartbeat: undefined }), // heartbeat removed
    ]);
    await h.advance(0);
    expect(seen.slice(2).map((s) => JSON.parse(s.body) as unknown)).toEqual([
      { hostname: "line3.home.example.com" },
    ]);
    expect(h.sender.status().map((s) => s.fqdn)).toEqual([
      "line1.home.example.com",
      "line3.home.example.com",
    ]);
    expect(h.nextIn()).toBe(6_000);
  });

  test("records without heartbeat, or with a target that takes none, send nothing", async () => {
    const h = harness([
      lineRecord({ heartbeat: undefined }),
      agentRecord([], fakeTarget(), { heartbeat: { intervalMs: INTERVAL } }),
    ]);
    h.sender.start();
    await h.advance(INTERVAL);
    expect(seen).toEqual([]);
    expect(h.sender.status()).toEqual([]);
    expect(h.lines.map((l) => l.msg)).toEqual(["target cannot take heartbeats"]);
  });
});
