// Helpers for the pools' end-to-end tests: what a name answers (dig), waiting for an answer to move
// (the time it took is returned for printing, never asserted), and putting a pool with the real CLI.

import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "./beacon.js";

/** The A addresses `name` answers at 127.0.0.1:port, sorted (nothing on an error or a timeout). */
export function answers(port: number, name: string): Promise<string[]> {
  return new Promise((resolve) => {
    execFile(
      "dig",
      ["@127.0.0.1", "-p", String(port), "+norec", "+time=1", "+tries=1", "+short", name, "A"],
      { timeout: 5_000 },
      (_e, stdout) =>
        resolve(
          stdout
            .split("\n")
            .filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l))
            .sort(),
        ),
    );
  });
}

/** Polls until `name` answers exactly `want` at `port`, at most `deadlineMs`; resolves with the time it took (ms). */
export async function answerBecomes(
  port: number,
  name: string,
  want: readonly string[],
  deadlineMs: number,
): Promise<number> {
  const start = Date.now();
  let last: string[] = [];
  while (Date.now() - start < deadlineMs) {
    last = await answers(port, name);
    if (last.join(" ") === [...want].sort().join(" ")) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `${name} still answers [${last.join(" ")}], not [${want.join(" ")}], after ${deadlineMs} ms`,
  );
}

/** Writes `definition` to <dataDir>/<file> and runs `beacon pool put` on it; throws on a failure. */
export async function putPool(dataDir: string, file: string, definition: object): Promise<void> {
  const path = join(dataDir, file);
  writeFileSync(path, JSON.stringify(definition));
  const r = await runCli(dataDir, ["pool", "put", path], { BEACON_UPDATES_ALLOW_NON_GLOBAL: "true" });
  if (r.code !== 0 || r.stderr !== "") throw new Error(`pool put ${file} failed (${r.code}): ${r.stderr}`);
}
