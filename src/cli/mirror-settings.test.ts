import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { buildMirrorProvider } from "./mirror-provider.js";
import { scalarOf, settingsFromInput } from "./mirror-settings.js";
import { testProviderDeps } from "../providers/testing/deps.js";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "beacon-mirror-settings-"));
  writeFileSync(join(dir, "token"), "file-token_123\n");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const input = (sets: string[], file?: string) => ({ sets, file, cwd: dir });

function failure(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error("expected a failure");
}

describe("scalarOf", () => {
  it.each([
    ["5353", 5353],
    ["true", true],
    ["1.5", 1.5],
    ["abc", "abc"],
    ['"5353"', "5353"],
    ["a: b", "a: b"],
    ["[1, 2]", "[1, 2]"],
    ["- x", "- x"],
    ["", ""],
    ["~", "~"],
    ["@x", "@x"],
    ["https://api.example/v4?x=1", "https://api.example/v4?x=1"],
  ])("%j → %j", (text, value) => {
    expect(scalarOf(text)).toEqual(value);
  });
});

describe("settingsFromInput (provider cloudflare)", () => {
  it("parses --set values as YAML scalars and keeps X_file paths, made absolute", () => {
    const s = settingsFromInput(
      "cf",
      "cloudflare",
      input(["api_token_file=token", "ttl=120", "proxied=true"]),
    );
    expect(s).toEqual({ api_token_file: join(dir, "token"), ttl: 120, proxied: true });
  });

  it("uses the text as written when the schema wants a string (a token of digits)", () => {
    expect(settingsFromInput("cf", "cloudflare", input(["api_token=0123456789"]))).toEqual({
      api_token: "0123456789",
    });
  });

  it("reads a settings file, X_file relative to it, and lets --set win", () => {
    mkdirSync(join(dir, "conf"));
    writeFileSync(join(dir, "conf", "t2"), "other-token\n");
    writeFileSync(join(dir, "conf", "cf.yaml"), "api_token_file: t2\nttl: 300\nproxied: false\n");
    const s = settingsFromInput("cf", "cloudflare", input(["ttl=600"], "conf/cf.yaml"));
    expect(s).toEqual({ api_token_file: join(dir, "conf", "t2"), ttl: 600, proxied: false });
  });

  it("names every wrong setting in one bad_request, without echoing the values", () => {
    const e = failure(() =>
      settingsFromInput(
        "cf",
        "cloudflare",
        input(["api_token=has space-s3cret", "zone_id=nothex", "bogus=1", "ttl=1.5"]),
      ),
    );
    expect(e.code).toBe("bad_request");
    expect(e.message).toMatch(/^mirror cf: /);
    for (const s of ["api_token:", "zone_id:", "bogus: unknown setting", "ttl:"])
      expect(e.message).toContain(s);
    expect(e.message).not.toContain("s3cret");
  });

  it("reports an unreadable secret file at its X_file setting", () => {
    const e = failure(() => settingsFromInput("cf", "cloudflare", input(["api_token_file=missing"])));
    expect(e.message).toContain(`api_token_file: cannot read ${join(dir, "missing")}`);
  });

  it("suggests the provider type when it is unknown", () => {
    const e = failure(() => settingsFromInput("cf", "cloudflair", input(["api_token=x"])));
    expect(e.message).toContain('unknown provider type "cloudflair" (did you mean "cloudflare"?)');
  });

  it.each([
    [["novalue"], "expected key=value"],
    [["=x"], "expected key=value"],
    [["type=cloudflare", "api_token=x"], `"type" is not a setting`],
    [["__proto__=1", "api_token=x"], "__proto__: unknown setting"],
  ])("refuses %j", (sets, message) => {
    const e = failure(() => settingsFromInput("cf", "cloudflare", input(sets)));
    expect(e.code).toBe("bad_request");
    expect(e.message).toContain(message);
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
  });

  it.each([
    ["missing.yaml", undefined, "--settings-file"],
    ["list.yaml", "- a\n- b\n", "expected a mapping of settings"],
    ["bad.yaml", "a: [1\n", "--settings-file"],
  ])("refuses the settings file %s", (name, content, message) => {
    if (content !== undefined) writeFileSync(join(dir, name), content);
    const e = failure(() => settingsFromInput("cf", "cloudflare", input(["api_token=x"], name)));
    expect(e.code).toBe("bad_request");
    expect(e.message).toContain(message);
  });
});

describe("buildMirrorProvider", () => {
  const target = (settings: Record<string, unknown>) => ({
    id: "cf",
    zone: "example.com",
    provider: "cloudflare",
    settings,
    createdAt: 0,
  });

  it("builds the provider with the secret read from its file now", () => {
    const p = buildMirrorProvider(target({ api_token_file: join(dir, "token") }), testProviderDeps());
    expect(p.type).toBe("cloudflare");
    expect(p.id).toBe("cf");
  });

  it("fails with config_invalid naming the setting when the file is gone", () => {
    const e = failure(() =>
      buildMirrorProvider(target({ api_token_file: join(dir, "gone") }), testProviderDeps()),
    );
    expect(e.code).toBe("config_invalid");
    expect(e.message).toContain("api_token_file: cannot read");
  });
});
