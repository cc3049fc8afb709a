// Real programs the end-to-end tests drive. When one is missing the tests that need it skip with a
// loud reason, unless BEACON_REQUIRE_PEERS=1 (CI), where a missing peer is a failure.

import { execFileSync } from "node:child_process";

export function hasPeer(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** True when the peer is present; false (with a warning) when tests may skip; throws under BEACON_REQUIRE_PEERS=1. */
export function peerAvailable(command: string, pkg: string): boolean {
  if (hasPeer(command)) return true;
  const why = `"${command}" not found: install Debian package ${pkg} (scripts/install-test-peers.sh)`;
  if (process.env["BEACON_REQUIRE_PEERS"] === "1") throw new Error(`BEACON_REQUIRE_PEERS=1 but ${why}`);
  console.warn(`\n!!! SKIPPING tests that need ${command}: ${why}\n`);
  return false;
}
