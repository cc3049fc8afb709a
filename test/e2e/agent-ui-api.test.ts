// The agent's local page API on the real `beacon agent` (dist/), publishing to a real `beacon serve`:
// every source's answer and the verdict, a configuration saved through the API that the running agent
// picks up, and the refusal to listen on every interface without a password.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, startEcho, eventually, type AgentProcess, type EchoServer } from "./support/agent.js";
import { DEMO_ZONE, runCli, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";

const HOST = `page.${DEMO_ZONE}`;
const IP = "81.2.69.50";
const OTHER = "81.2.69.51";

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

  const get = async <T>(path: string): Promise<T> =>
    (await fetch(`${agent.statusUrl}${path}`)).json() as Promise<T>;
  const status = () => get<StatusBody>("/api/status");
  const csrf = async () => (await get<{ csrfToken: string }>("/api/session")).csrfToken;

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

  it("PUT /api/config changes a source: the file holds the new text and the status the new verdict", async () => {
    const { yaml, hash } = await get<{ yaml: string; hash: string }>("/api/config");
    expect(yaml).toBe(readFileSync(config, "utf8"));
    const next = yaml.replace(`address: "${IP}", operator: me`, `address: "${OTHER}", operator: me`);
    expect(next).not.toBe(yaml);
    const token = await csrf();
    const checked = await fetch(`${agent.statusUrl}/api/config/check`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": token },
      body: JSON.stringify({ yaml: next }),
    });
    const dry = (await checked.json()) as {
      ok: boolean;
      dryRun: { records: { verdict: { status: string } }[] };
    };
    expect(dry.ok).toBe(true);
    expect(dry.dryRun.records[0]?.verdict.status).toBe("disagreed");

    const put = await fetch(`${agent.statusUrl}/api/config`, {
      method: "PUT",
      headers: { "content-type": "application/json", "x-csrf-token": token },
      body: JSON.stringify({ yaml: next, expectedHash: hash }),
    });
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
    const stale = await fetch(`${agent.statusUrl}/api/config`, {
      method: "PUT",
      headers: { "content-type": "application/json", "x-csrf-token": token },
      body: JSON.stringify({ yaml, expectedHash: hash }),
    });
    expect(stale.status).toBe(409);
    expect(readFileSync(config, "utf8")).toBe(next);
  });

  it("a page on another site cannot save, and a rebinding Host is refused", async () => {
    const token = await csrf();
    const cross = await fetch(`${agent.statusUrl}/api/check-now`, {
      method: "POST",
      headers: { "x-csrf-token": token, origin: "http://evil.example" },
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
      readFileSync(config, "utf8").replace(
        'status: { listen: "127.0.0.1:0" }',
        'status: { listen: "0.0.0.0:0" }',
      ),
    );
    const r = await runCli(dir.path, ["agent", "--config", open]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`status.listen in ${open}:4:19`);
    expect(r.stderr).toContain("status.password_hash");
    expect(r.stderr).toContain("beacon agent password");
    expect(r.stdout).not.toContain("Beacon agent running");
  });
});
