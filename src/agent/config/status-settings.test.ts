// status.password_hash, the listen rules (who may reach the local page) and secrets kept out of messages.

import { describe, expect, test } from "vitest";
import { z } from "zod";
import type { SourceDefinition } from "../detect/types.js";
import { ConfigError } from "../../config/errors.js";
import { listenScope } from "./listen-scope.js";
import { loadAgentConfigWith, type AgentRegistries } from "./load.js";

const FILE = "/etc/beacon/agent.yaml";
const HASH = "scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
const SHADOW = "root:$6$Zq1vEry$SeCrEtHaShVaLuE:19000:0:99999:7:::";

/** A schema that quotes the bad value in its message, like several real ones do. */
const quoting: SourceDefinition<{ value: string }> = {
  type: "quoting",
  description: "test",
  settings: z.strictObject({
    value: z.string().transform((s, ctx) => {
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)} is not an address (got ${s})` });
      return z.NEVER;
    }),
  }),
  create: () => {
    throw new Error("unused");
  },
};

const REGISTRIES: AgentRegistries = {
  sources: new Map([["quoting", quoting]]),
  targets: new Map(),
  notifiers: new Map(),
};

function load(yaml: string, env: Record<string, string> = {}, extra: Record<string, string> = {}) {
  const warnings: string[] = [];
  const files: Record<string, string> = { [FILE]: yaml, ...extra };
  const config = loadAgentConfigWith(
    {
      file: FILE,
      env,
      flags: {},
      cwd: "/srv",
      warn: (m) => warnings.push(m),
      readFile: (p) => {
        const t = files[p];
        if (t === undefined) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
        return t;
      },
    },
    REGISTRIES,
  );
  return { config, warnings };
}

function errorOf(yaml: string, env: Record<string, string> = {}, extra: Record<string, string> = {}): string {
  try {
    load(yaml, env, extra);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}

describe("listen scope", () => {
  test.each([
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["::1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["localhost", "loopback"],
    ["LOCALHOST.", "loopback"],
    ["0.0.0.0", "wildcard"],
    ["::", "wildcard"],
    ["192.168.1.5", "private"],
    ["10.0.0.2", "private"],
    ["172.16.0.1", "private"],
    ["100.64.0.1", "private"],
    ["fe80::1", "private"],
    ["fd00::5", "private"],
    ["::ffff:192.168.1.5", "private"],
    ["81.2.69.160", "public"],
    ["2001:4860::1", "public"],
    ["nas.lan", "public"], // a name could resolve anywhere
    ["localhost.evil.example", "public"],
  ])("%s → %s", (host, scope) => {
    expect(listenScope(host)).toBe(scope);
  });
});

describe("status.password_hash and the listen rules", () => {
  test("default: loopback, no password; scope and hash in the built config", () => {
    const { config, warnings } = load("interval: 1m\n");
    expect(config.status).toEqual({
      listen: { host: "127.0.0.1", port: 9876 },
      scope: "loopback",
      passwordHash: undefined,
    });
    expect(warnings).toEqual([]);
  });

  test("a hash from the file or from BEACON_AGENT_STATUS_PASSWORD_HASH", () => {
    expect(load(`status: { password_hash: "${HASH}" }\n`).config.status.passwordHash).toBe(HASH);
    const env = { BEACON_AGENT_STATUS_PASSWORD_HASH: HASH };
    expect(load("interval: 1m\n", env).config.status.passwordHash).toBe(HASH);
  });

  test("a malformed hash (a plain password, a truncated hash) is refused without quoting it", () => {
    for (const bad of ["hunter2hunter2", "scrypt$32768$8$1$abc", `${HASH}$extra`]) {
      const msg = errorOf(`status: { password_hash: "${bad}" }\n`);
      expect(msg).toContain("status.password_hash in /etc/beacon/agent.yaml:1:26");
      expect(msg).toContain("beacon agent password");
      expect(msg).not.toContain(bad);
    }
  });

  test("wildcard, public and host-name listeners without a hash refuse to start, naming both settings", () => {
    expect(errorOf('status: { listen: "0.0.0.0:9876" }\n')).toBe(
      "config error: status.listen in /etc/beacon/agent.yaml:1:19: 0.0.0.0 listens on every interface, public ones included: refusing to serve the local page there without status.password_hash (create one with `beacon agent password`), or listen on 127.0.0.1",
    );
    expect(errorOf('status: { listen: "[::]:9876" }\n')).toContain("listens on every interface");
    expect(errorOf('status: { listen: "81.2.69.160:9876" }\n')).toContain("81.2.69.160 is a public address");
    expect(errorOf('status: { listen: "nas.lan:9876" }\n')).toContain("nas.lan is a host name");
    // From the environment: the message names the variable.
    expect(errorOf("interval: 1m\n", { BEACON_AGENT_STATUS_LISTEN: "0.0.0.0:1" })).toContain(
      "status.listen from environment BEACON_AGENT_STATUS_LISTEN",
    );
  });

  test("with a hash, wildcard and public listeners are fine", () => {
    const w = load(`status: { listen: "0.0.0.0:9876", password_hash: "${HASH}" }\n`);
    expect(w.config.status.scope).toBe("wildcard");
    expect(load(`status: { listen: "81.2.69.160:1", password_hash: "${HASH}" }\n`).config.status.scope).toBe(
      "public",
    );
  });

  test("a LAN address without a hash starts, with a warning; disabled listener has no scope", () => {
    const { config, warnings } = load('status: { listen: "192.168.1.5:9876" }\n');
    expect(config.status.scope).toBe("private");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("answers 403 until a password is set");
    expect(load('status: { listen: "" }\n').config.status).toEqual({
      listen: undefined,
      scope: undefined,
      passwordHash: undefined,
    });
  });

  test("unknown keys under status suggest password_hash", () => {
    expect(errorOf(`status: { pasword_hash: "x" }\n`)).toContain(
      'unknown setting (did you mean "password_hash"?)',
    );
  });
});

describe("a value read from a file never appears in an error message", () => {
  test("value_file: /etc/shadow → the schema's message is redacted", () => {
    const yaml = "sources:\n  s: { type: quoting, value_file: /etc/shadow }\n";
    const msg = errorOf(yaml, {}, { "/etc/shadow": `${SHADOW}\n` });
    expect(msg).toContain("sources.s.value_file in /etc/beacon/agent.yaml:2:35");
    expect(msg).toContain("(value read from value_file)");
    for (const part of ["SeCrEtHaShVaLuE", "Zq1vEry", "root:", "19000", "99999"])
      expect(msg).not.toContain(part);
  });

  test("a value written in the YAML itself is still quoted (it is the user's own text)", () => {
    expect(errorOf("sources:\n  s: { type: quoting, value: nope-1 }\n")).toContain(
      '"nope-1" is not an address',
    );
  });
});
