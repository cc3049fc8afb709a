// Acknowledged means durable: kill -9 right after N acknowledged updates, restart, every one is there.
// SIGTERM drains in-flight requests and exits cleanly.

import { request } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { basic, runCli, seedHosts, startBeacon, tempDir } from "./support/beacon.js";

const ZONE = "dyn.beacon.test";

describe("durability and shutdown", () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it("every acknowledged update survives kill -9", async () => {
    const hosts = Array.from({ length: 8 }, (_, i) => `h${i}.${ZONE}`);
    const seeded = await seedHosts(dir.path, hosts);
    const tokens = hosts.map((h) => seeded.get(h));
    const beacon = await startBeacon({ dataDir: dir.path });

    const N = 200;
    const acknowledged = new Map<string, string>();
    // 8 concurrent clients, 25 sequential updates each; each reply is an acknowledgement.
    await Promise.all(
      hosts.map(async (host, h) => {
        for (let i = 0; i < N / hosts.length; i++) {
          const ip = `81.2.${h}.${i + 1}`;
          const r = await fetch(`${beacon.url}/nic/update?hostname=${host}&myip=${ip}`, {
            headers: { authorization: basic(host, tokens[h] ?? ""), "user-agent": "e2e/1.0" },
          });
          expect(await r.text()).toBe(`good ${ip}`);
          acknowledged.set(host, ip);
        }
      }),
    );
    expect(await beacon.stop("SIGKILL")).toBe("SIGKILL");

    const again = await startBeacon({ dataDir: dir.path });
    try {
      for (const [host, ip] of acknowledged) {
        const r = await runCli(dir.path, ["host", "show", host, "--json"]);
        const shown = JSON.parse(r.stdout) as { rrsets: { type: string; values: string[] }[] };
        expect(shown.rrsets.find((x) => x.type === "A")?.values).toEqual([ip]);
      }
      const history = await runCli(dir.path, ["history", hosts[0] ?? "", "--json", "--limit", "1000"]);
      expect((JSON.parse(history.stdout) as unknown[]).length).toBe(N / hosts.length);
    } finally {
      expect(await again.stop("SIGTERM")).toBe(0);
    }
    expect(again.stderr()).toContain("stopped cleanly");
  });

  it("SIGTERM lets an in-flight request finish before the process exits", async () => {
    const host = `h0.${ZONE}`;
    const token = (await runCli(dir.path, ["token", "create", "--name", host, "--json"])).stdout;
    const { token: secret } = JSON.parse(token) as { token: string };
    const beacon = await startBeacon({ dataDir: dir.path });
    const body = JSON.stringify({ values: ["81.2.200.1"] });
    // Send the headers and half the body, then SIGTERM, then the rest: the reply must still come.
    const reply = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        `${beacon.url}/api/v1/hosts/${host}/records/A`,
        {
          method: "PUT",
          headers: {
            authorization: `Bearer ${secret}`,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8").on("data", (d: string) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        beacon.proc.kill("SIGTERM");
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 200);
    });
    const { status, text } = await reply;
    expect(status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ status: "good" });
    expect(await beacon.exited).toBe(0);
    const shown = await runCli(dir.path, ["host", "show", host, "--json"]);
    const records = (JSON.parse(shown.stdout) as { rrsets: { type: string; values: string[] }[] }).rrsets;
    expect(records.find((r) => r.type === "A")?.values).toEqual(["81.2.200.1"]);
  });
});
