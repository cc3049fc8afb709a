// Helpers for e2e tests of several `beacon serve` nodes on one PostgreSQL (postgres.test.ts,
// cluster.test.ts): A answers over dig with a deadline, dyndns2 updates sorted into what the client
// was told (acknowledged, refused as "try again", lost with the connection, anything else), and the
// store read through the admin CLI. Every wait is bounded in time; nothing here asserts.

import { basic, runCli, type Beacon } from "./beacon.js";
import { dig } from "./dig.js";

/** How long a node may take to answer what another node committed. */
export const DEADLINE_MS = 10_000;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The A addresses `name` has on the node at `dnsPort` (sorted), and dig's status ("NONE": no reply). */
export async function digA(dnsPort: number, name: string): Promise<{ status: string; addresses: string[] }> {
  try {
    const a = await dig(dnsPort, [name, "A"]);
    const addresses = a.answers
      .map((l) => l.split(/\s+/))
      .filter((f) => f[3] === "A")
      .map((f) => f[4] ?? "")
      .sort();
    return { status: a.status, addresses };
  } catch {
    return { status: "NONE", addresses: [] };
  }
}

/** Polls until `name` has A `ip` on `dnsPort` or DEADLINE_MS passes; resolves with the last addresses. */
export async function waitForAnswer(dnsPort: number, name: string, ip: string): Promise<string[]> {
  const until = Date.now() + DEADLINE_MS;
  let last = (await digA(dnsPort, name)).addresses;
  while (!last.includes(ip) && Date.now() < until) {
    await sleep(50);
    last = (await digA(dnsPort, name)).addresses;
  }
  return last;
}

/**
 * What a dyndns2 client was told: acknowledged (`good`/`nochg` with the address), refused as
 * temporary (HTTP 503 + Retry-After, `911`), lost (no reply: the node died), or something else.
 */
export type UpdateReply =
  | { readonly kind: "acked" | "refused" | "other"; readonly status: number; readonly body: string }
  | { readonly kind: "lost"; readonly error: string };

export async function dyndns2(node: Beacon, host: string, token: string, ip: string): Promise<UpdateReply> {
  try {
    const r = await fetch(`${node.url}/nic/update?hostname=${host}&myip=${ip}`, {
      headers: { authorization: basic(host, token), "user-agent": "e2e/1.0" },
      signal: AbortSignal.timeout(DEADLINE_MS),
    });
    const body = await r.text();
    const kind =
      r.status === 200 && (body === `good ${ip}` || body === `nochg ${ip}`)
        ? "acked"
        : r.status === 503 && body === "911" && r.headers.get("retry-after") !== null
          ? "refused"
          : "other";
    return { kind, status: r.status, body };
  } catch (e) {
    return { kind: "lost", error: e instanceof Error ? e.message : String(e) };
  }
}

/** `beacon <args> --json` against the store of `env`, parsed; throws with stderr when it fails. */
export async function cliJson<T>(
  dataDir: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<T> {
  const r = await runCli(dataDir, [...args, "--json"], env);
  if (r.code !== 0) throw new Error(`beacon ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Each host's A values in the store (`beacon host list`). */
export async function storedA(dataDir: string, env: Record<string, string>): Promise<Map<string, string[]>> {
  const hosts = await cliJson<{ fqdn: string; records: { type: string; values: string[] }[] }[]>(
    dataDir,
    ["host", "list"],
    env,
  );
  return new Map(hosts.map((h) => [h.fqdn, h.records.find((r) => r.type === "A")?.values ?? []]));
}

/** The A values of `fqdn`'s `good` history entries (`beacon history`), newest first. */
export async function goodHistory(
  dataDir: string,
  env: Record<string, string>,
  fqdn: string,
): Promise<string[]> {
  const entries = await cliJson<{ type: string; outcome: string; newValues?: string[] }[]>(
    dataDir,
    ["history", fqdn, "--limit", "1000"],
    env,
  );
  return entries
    .filter((e) => e.type === "A" && e.outcome === "good")
    .map((e) => (e.newValues ?? []).join(","));
}
