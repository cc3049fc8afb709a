// Debian's Chromium driven by playwright-core (no browser download). Missing Chromium skips the
// browser tests loudly, or fails them under BEACON_REQUIRE_PEERS=1 (see peers.ts).

import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = process.env["BEACON_CHROMIUM"] ?? "/usr/bin/chromium";

/** True when Chromium is installed; false (with a warning) when tests may skip; throws under BEACON_REQUIRE_PEERS=1. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const why = `${CHROMIUM} not found: install Debian package chromium (scripts/install-test-peers.sh)`;
  if (process.env["BEACON_REQUIRE_PEERS"] === "1") throw new Error(`BEACON_REQUIRE_PEERS=1 but ${why}`);
  console.warn(`\n!!! SKIPPING browser tests: ${why}\n`);
  return false;
}

/**
 * Headless, sandbox off (CI runs as root), and without the background services that would try to
 * reach Google through a closed network.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/**
 * The page's script errors and CSP violations from now on (the array fills as they happen). Failed
 * loads are left out: Chromium logs the 401/404 answers a page expects (the session probe) too.
 */
export function scriptErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  return errors;
}
