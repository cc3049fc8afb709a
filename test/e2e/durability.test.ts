// Acknowledged means durable: kill -9 right after N acknowledged updates, restart, every one is there.
// SIGTERM drains in-flight requests and exits cleanly.

import { afterAll, describe, expect, it } from "vitest";
import { addHost, basic, runCli, startBeacon, tempDir } from "./support/beacon.js";

const ZONE = "dyn.beacon.test";

describe("durability and shutdown", () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it("every acknowledged update survives kill -9", async () => {
    const first = await startBeacon({ dataDir: dir.path });
    await first.stop();
    const hosts = Array.from({ length: 8 }, (_, i) => `h${i}.${ZONE}`);
    const tokens = await Promise.all(hosts.map((h) => addHost(dir.path, h)));
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
});
