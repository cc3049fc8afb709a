import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { HttpRequest } from "../../net/http.js";
import { createFakeTime } from "../../core/testing/fake-time.js";
import { fakeDns, fakeInterfaces } from "../../agent/testing/fakes.js";
import { ConfigError } from "../../config/errors.js";
import { hashPassword } from "../../services/auth/passwords.js";
import { CLIENT_V4, createFixture, type Fixture } from "../../http/testing/fixture.js";
import { silentLog } from "../../core/log.js";
import { AGENT_USER_AGENT, type AgentCliDeps } from "../agent-deps.js";
import type { Io } from "../output.js";
import { registerAgent, runAgent } from "./agent.js";
import { runIp } from "./agent-ip.js";
import { runUpdate } from "./agent-update.js";

const IP = "81.2.69.160";

let dir: string;
let fx: Fixture;
let requests: { url: string; method: string; userAgent: string | undefined }[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "beacon-agent-cli-"));
  fx = await createFixture();
  requests = [];
  writeFileSync(join(dir, "token"), `${await fx.token(["home.example.com"])}\n`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Routes the agent's HTTP to the in-process Beacon server app. */
const httpRequest: HttpRequest = async (url, opts) => {
  const u = new URL(url);
  requests.push({ url, method: opts.method ?? "GET", userAgent: opts.headers?.["user-agent"] });
  const res = await fx.request(
    u.pathname + u.search,
    {
      method: opts.method ?? "GET",
      headers: opts.headers ?? {},
      ...(opts.body === undefined ? {} : { body: opts.body }),
    },
    CLIENT_V4,
  );
  return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
};

function config(addresses: [string, string], extra = ""): string {
  const file = join(dir, "agent.yaml");
  writeFileSync(
    file,
    [
      "state_file: state.json",
      'status: { listen: "127.0.0.1:0" }',
      "sources:",
      `  one: { type: static, address: "${addresses[0]}", operator: first }`,
      `  two: { type: static, address: "${addresses[1]}", operator: second }`,
      "targets:",
      "  server: { type: beacon, url: http://beacon.test, token_file: token }",
      "records:",
      "  - { name: home.example.com, type: A, target: server, sources: [one, two], ttl: 120 }",
      extra,
    ].join("\n"),
  );
  return file;
}

const io0 = (): Io => ({ out: () => undefined, err: () => undefined });

function capture(): Io & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (t) => out_.push(t), err: (t) => err_.push(t) };
}

function deps(over: Partial<AgentCliDeps> = {}): AgentCliDeps {
  return {
    env: {},
    cwd: dir,
    net: () => ({
      httpRequest,
      dnsQuery: fakeDns().query,
      readInterfaces: fakeInterfaces().read,
      runCommand: () => Promise.reject(new Error("no commands in these tests")),
    }),
    clock: () => 1_700_000_000_000,
    timers: createFakeTime().timers,
    random: () => 0.5,
    logger: () => silentLog,
    ...over,
  };
}

describe("beacon update", () => {
  test("publishes to the server once, then reports unchanged without sending anything", async () => {
    const file = config([IP, IP]);
    const io = capture();
    expect(await runUpdate(io, { config: file }, deps())).toBe(0);
    expect(await fx.rrsets("home.example.com")).toEqual([{ type: "A", ttl: 120, values: [IP] }]);
    expect(io.out_.join("\n")).toMatch(/home\.example\.com\s+A\s+server\s+updated/);
    expect(requests.map((r) => [r.method, r.userAgent])).toEqual([["PUT", AGENT_USER_AGENT]]);

    const again = capture();
    expect(await runUpdate(again, { config: file, json: true }, deps())).toBe(0);
    expect(requests).toHaveLength(1);
    const [report] = JSON.parse(again.out_.join("")) as {
      outcome: string;
      values: string[];
      previous: string[];
    }[];
    expect(report).toMatchObject({ outcome: "unchanged", values: [IP], previous: [IP] });

    expect(await runUpdate(capture(), { config: file, force: true }, deps())).toBe(0);
    expect(requests).toHaveLength(2);
  });

  test("--dry-run sends and saves nothing", async () => {
    const file = config([IP, IP]);
    const io = capture();
    expect(await runUpdate(io, { config: file, dryRun: true }, deps())).toBe(0);
    expect(io.out_.join("\n")).toContain(`would publish ${IP} (nothing published yet)`);
    expect(requests).toEqual([]);
    expect(await runUpdate(capture(), { config: file }, deps())).toBe(0);
    expect(requests).toHaveLength(1); // nothing was remembered by the dry run
  });

  test("disagreeing sources: nothing published, exit 1", async () => {
    const io = capture();
    expect(await runUpdate(io, { config: config([IP, "81.2.69.161"]) }, deps())).toBe(1);
    expect(requests).toEqual([]);
    expect(io.out_.join("\n")).toMatch(/disagreed\s+sources disagree/);
  });

  test("a rejected token is fatal and exit 1; a config error names setting and line", async () => {
    writeFileSync(join(dir, "token"), "tk_aaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n");
    const io = capture();
    expect(await runUpdate(io, { config: config([IP, IP]) }, deps())).toBe(1);
    expect(io.out_.join("\n")).toMatch(/home\.example\.com\s+A\s+server\s+fatal/);
    rmSync(join(dir, "token"));
    await expect(runUpdate(capture(), { config: config([IP, IP]) }, deps())).rejects.toThrow(ConfigError);
    await expect(runUpdate(capture(), { config: config([IP, IP]) }, deps())).rejects.toThrow(
      `targets.server.token_file in ${join(dir, "agent.yaml")}:7:64: cannot read ${join(dir, "token")}: it does not exist (ENOENT)`,
    );
  });
});

describe("beacon ip", () => {
  test("prints each source's answer and the verdict; exit 0 when they agree", async () => {
    const io = capture();
    expect(await runIp(io, { config: config([IP, IP]), source: ["one", "two"] }, deps())).toBe(0);
    const text = io.out_.join("\n");
    expect(text).toMatch(/one\s+first\s+yes\s+\d+ms\s+reported 81\.2\.69\.160/);
    expect(text).toContain(`IPv4: ${IP} (agreed by 2 independent source(s); quorum 2)`);
  });

  test("--json; a private answer is not counted and the verdict is insufficient (exit 1)", async () => {
    const io = capture();
    const code = await runIp(
      io,
      { config: config([IP, "192.168.0.10"]), source: ["one", "two"], json: true },
      deps(),
    );
    expect(code).toBe(1);
    const out = JSON.parse(io.out_.join("")) as {
      status: string;
      sources: { id: string; counted: boolean; rejection: string | null }[];
    };
    expect(out.status).toBe("insufficient");
    expect(out.sources.map((s) => [s.id, s.counted, s.rejection])).toEqual([
      ["one", true, null],
      ["two", false, "not_global"],
    ]);
  });

  test("bad --family and unknown --source are usage errors", async () => {
    const file = config([IP, IP]);
    await expect(runIp(capture(), { config: file, family: "5" }, deps())).rejects.toThrow(
      '--family: "5" is not 4 or 6',
    );
    await expect(runIp(capture(), { config: file, source: ["nope"] }, deps())).rejects.toThrow(
      /--source: no source "nope"/,
    );
  });
});

describe("beacon agent", () => {
  test("runs the loop and serves /healthz and /metrics on the status port until stopped", async () => {
    const time = createFakeTime();
    const io = capture();
    const running = await runAgent(
      io,
      { config: config([IP, IP]) },
      deps({ timers: time.timers, clock: time.clock }),
    );
    try {
      expect(running.status?.port).toBeGreaterThan(0);
      expect(io.out_.join("\n")).toContain(`status http://127.0.0.1:${running.status?.port}/healthz`);
      await time.advance(0);
      await running.loop.idle();
      const base = `http://127.0.0.1:${running.status?.port}`;
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: "ok",
        records: [{ fqdn: "home.example.com", outcome: "updated" }],
      });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain(
        `beacon_agent_record_address_info{fqdn="home.example.com",type="A",target="server",address="${IP}"} 1`,
      );
      expect(await fx.rrsets("home.example.com")).toEqual([{ type: "A", ttl: 120, values: [IP] }]);
    } finally {
      await running.stop();
    }
    await expect(fetch(`http://127.0.0.1:${running.status?.port}/healthz`)).rejects.toThrow();
  });

  test("a record with heartbeat beats from start-up; /healthz and /metrics show how it went", async () => {
    const time = createFakeTime();
    const file = config([IP, IP]);
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("ttl: 120 }", "ttl: 120, heartbeat: { interval: 10s } }"),
    );
    const running = await runAgent(io0(), { config: file }, deps({ timers: time.timers, clock: time.clock }));
    try {
      await time.advance(0);
      await running.loop.idle();
      for (let i = 0; i < 20 && running.loop.heartbeats()[0]?.outcome === "pending"; i++) await time.flush(); // the beat runs beside the cycle (bounded wait)
      expect(requests.filter((r) => r.url === "http://beacon.test/api/v1/heartbeat")).toMatchObject([
        { method: "POST" },
      ]);
      const base = `http://127.0.0.1:${running.status?.port}`;
      const health = (await (await fetch(`${base}/healthz`)).json()) as { heartbeats: unknown[] };
      // 404 from this server (no pools here, or no heartbeat route before pools land): a configuration
      // error the agent reports and keeps trying, never a crash.
      expect(health.heartbeats).toMatchObject([{ fqdn: "home.example.com", outcome: "refused" }]);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain(
        'beacon_agent_heartbeats_total{fqdn="home.example.com",type="A",target="server"} 1',
      );
    } finally {
      await running.stop();
    }
  });

  test("the local page: status with every source; setup with the printed code; a saved config reloads", async () => {
    const time = createFakeTime();
    const file = config([IP, IP]);
    const io = capture();
    const running = await runAgent(io, { config: file }, deps({ timers: time.timers, clock: time.clock }));
    try {
      await time.advance(0);
      await running.loop.idle();
      const base = `http://127.0.0.1:${running.status?.port}`;
      type Status = {
        records: {
          verdict: { status: string; addresses: string[]; sources: { id: string; address: string }[] };
        }[];
      };
      const status = async () => (await (await fetch(`${base}/api/status`)).json()) as Status;
      const first = (await status()).records[0]?.verdict;
      expect(first?.status).toBe("agreed");
      expect(first?.sources.map((s) => [s.id, s.address])).toEqual([
        ["one", IP],
        ["two", IP],
      ]);

      // Read-only until a password is set with the code printed on stderr.
      const code = /^ {2}([0-9A-Z]{4}(?:-[0-9A-Z]{1,4})+)$/m.exec(io.err_.join("\n"))?.[1];
      expect(code).toBe(running.setupCode);
      expect(io.out_.join("\n")).toContain("(read-only until a password is set)");
      expect((await fetch(`${base}/api/config`)).status).toBe(401);
      const setup = await fetch(`${base}/api/setup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ code, password: "a new page password" }),
      });
      expect(setup.status).toBe(201);
      const { csrfToken } = (await setup.json()) as { csrfToken: string };
      const cookie = (setup.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      expect(readFileSync(file, "utf8")).toContain(
        `status: { listen: "127.0.0.1:0", password_hash: "scrypt$`,
      );
      const session = { cookie, "x-csrf-token": csrfToken };
      const { yaml, hash } = (await (await fetch(`${base}/api/config`, { headers: session })).json()) as {
        yaml: string;
        hash: string;
      };
      const next = yaml.replace(
        `address: "${IP}", operator: second`,
        'address: "81.2.69.99", operator: second',
      );
      const check = await fetch(`${base}/api/config/check`, {
        method: "POST",
        headers: { "content-type": "application/json", ...session },
        body: JSON.stringify({ yaml: next }),
      });
      const checked = (await check.json()) as {
        ok: boolean;
        dryRun: { records: { verdict: { status: string } }[] };
      };
      expect(checked.ok).toBe(true);
      expect(checked.dryRun.records[0]?.verdict.status).toBe("disagreed");
      expect(requests).toHaveLength(1); // the dry run published nothing

      const put = await fetch(`${base}/api/config`, {
        method: "PUT",
        headers: { "content-type": "application/json", ...session },
        body: JSON.stringify({ yaml: next, expectedHash: hash }),
      });
      expect(put.status).toBe(200);
      expect(await put.json()).toMatchObject({
        saved: true,
        file,
        records: 1,
        applied: true,
        restartRequired: [],
      });
      expect(readFileSync(file, "utf8")).toBe(next);
      await time.advance(0);
      await running.loop.idle();
      const after = ((await (await fetch(`${base}/api/status`, { headers: session })).json()) as Status)
        .records[0]?.verdict;
      expect(after?.status).toBe("disagreed");
      expect(after?.addresses).toEqual([IP, "81.2.69.99"].sort());
    } finally {
      await running.stop();
    }
  });

  test("with status.password_hash the API needs a sign-in over the real socket", async () => {
    const hash = await hashPassword("agent-page-pw");
    const file = config([IP, IP], `status: { listen: "127.0.0.1:0", password_hash: "${hash}" }`);
    writeFileSync(file, readFileSync(file, "utf8").replace('status: { listen: "127.0.0.1:0" }\n', ""));
    const running = await runAgent(io0(), { config: file }, deps());
    try {
      const base = `http://127.0.0.1:${running.status?.port}`;
      expect((await fetch(`${base}/api/status`)).status).toBe(401);
      const login = (password: string) =>
        fetch(`${base}/api/session`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ password }),
        });
      expect((await login("not-the-password")).status).toBe(401);
      const ok = await login("agent-page-pw");
      expect(ok.status).toBe(200);
      const cookie = (ok.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      expect((await fetch(`${base}/api/status`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(`${base}/healthz`)).status).toBe(200); // monitoring stays open
    } finally {
      await running.stop();
    }
  });

  test("a config without records is refused", async () => {
    writeFileSync(join(dir, "empty.yaml"), "interval: 1m\n");
    await expect(runAgent(capture(), { config: join(dir, "empty.yaml") }, deps())).rejects.toThrow(
      /no records are configured in/,
    );
  });

  test("registers agent (with install-service), ip and update", () => {
    const program = new Command("beacon");
    registerAgent(program, deps());
    expect(program.commands.map((c) => c.name())).toEqual(["agent", "ip", "update"]);
    expect(program.commands[0]?.commands.map((c) => c.name())).toEqual(["install-service", "password"]);
  });
});
