import { describe, expect, test } from "vitest";
import { ConfigError } from "./errors.js";
import { loadServerConfig } from "./load.js";

const FILE = "/etc/beacon/beacon.yaml";

function load(opts: { yaml?: string; env?: Record<string, string>; flags?: Record<string, string> } = {}) {
  return loadServerConfig({
    env: opts.env ?? {},
    flags: opts.flags ?? {},
    cwd: "/srv/beacon",
    ...(opts.yaml === undefined ? {} : { file: FILE, readFile: () => opts.yaml ?? "" }),
  });
}

function errorOf(opts: Parameters<typeof load>[0]): string {
  try {
    load(opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}

describe("admin.* and http.public_url", () => {
  test("defaults: 30m idle, 12h lifetime, setup on, no public URL", () => {
    const c = load();
    expect(c.admin).toEqual({ sessionIdleMs: 1_800_000, sessionLifetimeMs: 43_200_000, setup: true });
    expect(c.http.publicUrl).toBeUndefined();
  });

  test("durations from the file, the environment and flags", () => {
    expect(load({ yaml: "admin: { session_idle: 15m, session_lifetime: 90 }\n" }).admin).toMatchObject({
      sessionIdleMs: 900_000,
      sessionLifetimeMs: 90_000,
    });
    expect(load({ env: { BEACON_ADMIN_SESSION_IDLE: "2h", BEACON_ADMIN_SETUP: "no" } }).admin).toMatchObject({
      sessionIdleMs: 7_200_000,
      setup: false,
    });
  });

  test.each([
    ["https://dns.example.org/", "https://dns.example.org"],
    ["HTTPS://DNS.Example.org:8443", "https://dns.example.org:8443"],
    ["http://192.0.2.1:8245/beacon/", "http://192.0.2.1:8245/beacon"],
  ])("http.public_url %s → %s", (input, built) => {
    expect(load({ env: { BEACON_HTTP_PUBLIC_URL: input } }).http.publicUrl).toBe(built);
  });

  test.each([
    ["ftp://dns.example.org", "http.public_url"],
    ["https://user:pw@dns.example.org", "http.public_url"],
    ["https://dns.example.org/?x=1", "http.public_url"],
    ["https://dns.example.org/#top", "http.public_url"],
    ["not a url", "http.public_url"],
  ])("refuses http.public_url %s", (input, key) => {
    const message = errorOf({ env: { BEACON_HTTP_PUBLIC_URL: input } });
    expect(message).toContain(key);
    expect(message).not.toContain("pw@");
  });

  test.each([
    ["session_idle: 30 minutes", "admin.session_idle"],
    ["session_idle: 10s", "admin.session_idle"],
    ["session_idle: 8d", "admin.session_idle"],
    ["session_lifetime: 1000h", "admin.session_lifetime"],
    ["session_lifetime: [1h]", "admin.session_lifetime"],
    ["setup: maybe", "admin.setup"],
  ])("refuses %s", (line, key) => {
    expect(errorOf({ yaml: `admin:\n  ${line}\n` })).toContain(key);
  });
});
