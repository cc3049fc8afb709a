// The agent's local page API on the real `beacon agent` (dist/), publishing to a real `beacon serve`:
// every source's answer and the verdict, read-only until a password is set with the code the agent
// printed, a check that never runs a program, a configuration saved through the API that the running
// agent picks up (and whose command source it does run), and the refusal to listen on every interface
// without a password.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  pageSession,
  startAgent,
  startEcho,
  type AgentProcess,
  type EchoServer,
} from "./support/agent.js";
import { DEMO_ZONE, runCli, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";

const HOST = `page.${DEMO_ZONE}`;
const IP = "81.2.69.50";
const OTHER = "81.2.69.51";
const PASSWORD = "a long page password";

interface SourceView {
  id: string;
  operator: string;
  address: string | null;
  accepted: boolean;
  rejection: string | null;
}
interface StatusBody {
  configFile: string;
  records: {
    fqdn: string;
    outcome: string;
    published: string[] | null;
    verdict: {
      status: string;
      votes: number;
      quorum: number;
      addresses: string[];
      sources: SourceView[];
    } | null;
  }[];
}

describe("beacon agent: the local page API", () => {
  const dir = tempDir();
  const config = join(dir.path, "agent.yaml");
  let beacon: Beacon;
  let agent: AgentProcess;
  let echo: EchoServer;
  /** The file as written before the page set its password. */
  let original = "";
  /** Cookie and X-CSRF-Token of the session the page's setup opened. */
  let session: Record<string, string> = {};

  const get = async <T>(path: string): Promise<T> =>
    (await fetch(`${agent.statusUrl}${path}`, { headers: session })).json() as Promise<T>;
  const status = () => get<StatusBody>("/api/status");
  const send = (method: string, path: string, body: unknown, headers: Record<string, string> = session) =>
    fetch(`${agent.statusUrl}${path}`, {
      method,
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  /** The config with one more source: a program that leaves `marker` and prints IP. */
  const withCommand = (yaml: string, marker: string) =>
    yaml
      .replace(
        "targets:",
        `  script: { type: command, argv: ["/bin/sh", "-c", "echo ran > ${marker}; echo ${IP}"], operator: script }\ntargets:`,
      )
      .replace("sources: [fixed, echo, liar]", "sources: [fixed, echo, liar, script]");

  beforeAll(async () => {
    const tokens = await seedHosts(dir.path, [HOST]);
    beacon = await startBeacon({ dataDir: dir.path });
    echo = await startEcho(`${IP}\n`);
    writeFileSync(join(dir.path, "token"), `${tokens.get(HOST)}\n`, { mode: 0o600 });
    writeFileSync(
      config,
      [
        "interval: 1m",
        "verify_every: 0",
        `state_file: ${join(dir.path, "agent-state.json")}`,
        'status: { listen: "127.0.0.1:0" }',
        "sources:",
        `  fixed: { type: static, address: "${IP}", operator: me }`,
        `  echo: { type: http, url: "${echo.url}", operator: echo-op }`,
        `  liar: { type: static, address: "192.168.1.20", operator: liar }`,
        "targets:",
        `  server: { type: beacon, url: "${beacon.url}", token_file: token }`,
        "records:",
        `  - { name: ${HOST}, type: A, target: server, sources: [fixed, echo, liar], quorum: 2 }`,
        "",
      ].join("\n"),
      { mode: 0o640 },
    );
    original = readFileSync(config, "utf8");
    agent = await startAgent(config);
  });

  afterAll(async () => {
    await agent?.stop();
    await beacon?.stop("SIGKILL");
    await echo?.close();
    dir.remove();
  });

  it("GET /api/status shows every source's answer and the verdict", async () => {
    expect(await eventually(async () => (await status()).records[0]?.outcome === "updated")).toBe(true);
    const body = await status();
    expect(body.configFile).toBe(config);
    const r = body.records[0];
    expect(r?.fqdn).toBe(HOST);
    expect(r?.published).toEqual([IP]);
    expect(r?.verdict).toMatchObject({ status: "agreed", votes: 2, quorum: 2, addresses: [IP] });
    expect(r?.verdict?.sources.map((s) => [s.id, s.address, s.accepted, s.rejection])).toEqual([
      ["fixed", IP, true, null],
      ["echo", IP, true, null],
      ["liar", "192.168.1.20", false, "not_global"],
    ]);
  });

  it("read-only until a password is set: the reviewer's attack (session, then a check running a program) gets 401", async () => {
    const marker = join(dir.path, "pwned");
    const anonymous = (await (await fetch(`${agent.statusUrl}/api/session`)).json()) as {
      csrfToken?: string;
      setup?: { possible: boolean; file: string };
    };
    expect(anonymous.csrfToken).toBeUndefined();
    expect(anonymous.setup).toEqual({ possible: true, file: config });
    const attempts: Record<string, string>[] = [
      {},
      { origin: agent.statusUrl },
      { "x-csrf-token": "guessed" },
    ];
    for (const headers of attempts) {
      const check = await send("POST", "/api/config/check", { yaml: withCommand(original, marker) }, headers);
      expect(check.status).toBe(401);
      expect(((await check.json()) as { code: string }).code).toBe("setup_required");
    }
    expect((await fetch(`${agent.statusUrl}/api/config`)).status).toBe(401); // secrets stay unread
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(config, "utf8")).toBe(original);
  });

  it("the setup code printed on stderr sets the password once: stored in the file, the page signed in", async () => {
    const code = agent.setupCode();
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{1,4})+$/);
    expect(agent.output()).toContain('"setupCode"'); // the log line, for services
    const wrong = await send("POST", "/api/setup", { code: "AAAA-BBBB", password: PASSWORD }, {});
    expect(wrong.status).toBe(401);
    session = await pageSession(agent, PASSWORD);
    const stored = readFileSync(config, "utf8");
    expect(stored.replace(/, password_hash: "scrypt\$[^"]+"/, "")).toBe(original);
    const again = await send("POST", "/api/setup", { code, password: "another password" }, {});
    expect(again.status).toBe(409);
    expect((await fetch(`${agent.statusUrl}/api/status`)).status).toBe(401); // closed without the session
    expect((await status()).records[0]?.fqdn).toBe(HOST);
  });

  it("PUT /api/config changes a source: the file holds the new text and the status the new verdict", async () => {
    const { yaml, hash } = await get<{ yaml: string; hash: string }>("/api/config");
    expect(yaml).toBe(readFileSync(config, "utf8"));
    const next = yaml.replace(`address: "${IP}", operator: me`, `address: "${OTHER}", operator: me`);
    expect(next).not.toBe(yaml);
    const checked = await send("POST", "/api/config/check", { yaml: next });
    const dry = (await checked.json()) as {
      ok: boolean;
      dryRun: { records: { verdict: { status: string } }[] };
    };
    expect(dry.ok).toBe(true);
    expect(dry.dryRun.records[0]?.verdict.status).toBe("disagreed");

    const put = await send("PUT", "/api/config", { yaml: next, expectedHash: hash });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ saved: true, file: config, records: 1, applied: true });
    expect(readFileSync(config, "utf8")).toBe(next);
    expect(await eventually(async () => (await status()).records[0]?.verdict?.status === "disagreed")).toBe(
      true,
    );
    const after = (await status()).records[0]?.verdict;
    expect(after?.addresses).toEqual([IP, OTHER]);
    expect(after?.sources.find((s) => s.id === "fixed")?.address).toBe(OTHER);
    expect(agent.output()).toContain("configuration saved from the local page");

    // The page's old hash is now stale: a second save from it is refused and changes nothing.
    const stale = await send("PUT", "/api/config", { yaml, expectedHash: hash });
    expect(stale.status).toBe(409);
    expect(readFileSync(config, "utf8")).toBe(next);
  });

  it("a check never runs a command source; once saved, the running agent does", async () => {
    const marker = join(dir.path, "script-ran");
    const { yaml, hash } = await get<{ yaml: string; hash: string }>("/api/config");
    const next = withCommand(yaml, marker);
    const checked = await send("POST", "/api/config/check", { yaml: next });
    const dry = (await checked.json()) as {
      ok: boolean;
      dryRun: { records: { verdict: { sources: SourceView[] } }[] };
    };
    expect(dry.ok).toBe(true);
    expect(dry.dryRun.records[0]?.verdict.sources.find((s) => s.id === "script")).toMatchObject({
      address: null,
      accepted: false,
      rejection: "not_run",
    });
    expect(existsSync(marker)).toBe(false);

    expect((await send("PUT", "/api/config", { yaml: next, expectedHash: hash })).status).toBe(200);
    expect(await eventually(() => existsSync(marker))).toBe(true);
    const ran = async () =>
      (await status()).records[0]?.verdict?.sources.find((s) => s.id === "script")?.address === IP;
    expect(await eventually(ran)).toBe(true);
  });

  it("a page on another site cannot save, and a rebinding Host is refused", async () => {
    const cross = await fetch(`${agent.statusUrl}/api/check-now`, {
      method: "POST",
      headers: { ...session, origin: "http://evil.example" },
    });
    expect(cross.status).toBe(403);
    const port = new URL(agent.statusUrl).port;
    const { request } = await import("node:http");
    const code = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/api/config", headers: { host: `evil.example:${port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(code).toBe(403);
  });

  it("refuses to start on 0.0.0.0 without a password: exit 78 and a message naming both settings", async () => {
    const open = join(dir.path, "open.yaml");
    writeFileSync(
      open,
      original.replace('status: { listen: "127.0.0.1:0" }', 'status: { listen: "0.0.0.0:0" }'),
    );
    const r = await runCli(dir.path, ["agent", "--config", open]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`status.listen in ${open}:4:19`);
    expect(r.stderr).toContain("status.password_hash");
    expect(r.stderr).toContain("beacon agent password");
    expect(r.stdout).not.toContain("Beacon agent running");
  });
});
