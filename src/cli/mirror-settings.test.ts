import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { buildMirrorProvider } from "./mirror-provider.js";
import { scalarOf, settingsFromInput, valueOf } from "./mirror-settings.js";
import { createProgram } from "./program.js";
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

describe("valueOf", () => {
  it.each([
    ['{"Authorization": "Bearer {{secret}}"}', { Authorization: "Bearer {{secret}}" }],
    [' [1, "a"]', [1, "a"]],
    ['{"values": {{values_json}}}', '{"values": {{values_json}}}'],
    ['{"a": 1', '{"a": 1'],
    ["5353", 5353],
    ["a: b", "a: b"],
  ])("%j → %j", (text, value) => {
    expect(valueOf(text)).toEqual(value);
  });
});

describe("settingsFromInput (provider http): JSON values for object settings", () => {
  const url = "url=https://dns.example.net/api/records/{{name}}/{{type}}";

  it("takes a JSON object for headers and delete, and a JSON-looking template as text", () => {
    const s = settingsFromInput(
      "hook",
      "http",
      input([
        url,
        'headers={"Authorization": "Bearer {{secret}}"}',
        'body={"values": {{values_json}}, "ttl": {{ttl}}}',
        "secret_file=token",
        'delete={"url": "https://dns.example.net/api/records/{{name}}/{{type}}"}',
      ]),
    );
    expect(s).toEqual({
      url: "https://dns.example.net/api/records/{{name}}/{{type}}",
      headers: { Authorization: "Bearer {{secret}}" },
      body: '{"values": {{values_json}}, "ttl": {{ttl}}}',
      secret_file: join(dir, "token"),
      delete: { url: "https://dns.example.net/api/records/{{name}}/{{type}}" },
    });
  });

  it.each([
    ['headers={"Authorization": "Bearer s3cret', "JSON at character 33)"],
    ['headers={"Authorization": s3cret}', "JSON)"],
    ["headers=[1, 2", "JSON at character 6)"],
  ])("broken JSON %j is a bad_request saying where, without quoting the value", (set, where) => {
    const e = failure(() => settingsFromInput("hook", "http", input([url, set])));
    expect(e.code).toBe("bad_request");
    expect(e.message).toMatch(/^mirror hook: headers: /);
    expect(e.message).toContain(`(the --set value is not valid ${where}`);
    expect(e.message).not.toContain("s3cret");
  });
});

/** Splits one shell command line into words: '…', "…" (with \ escapes), \x, blanks. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    word ??= "";
    if (c === "'" || c === '"') {
      let j = i + 1;
      for (; j < line.length && line.charAt(j) !== c; j++) {
        if (c === '"' && line.charAt(j) === "\\") j++;
        word += line.charAt(j);
      }
      if (j >= line.length) throw new Error(`unterminated ${c} in: ${line}`);
      i = j;
    } else if (c === "\\") word += line.charAt(++i);
    else word += c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The text of each fenced code block of a markdown page. */
function codeBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  let open: string[] | undefined;
  for (const line of markdown.split("\n")) {
    if (!line.startsWith("```")) open?.push(line);
    else if (open === undefined) open = [];
    else {
      blocks.push(open.join("\n"));
      open = undefined;
    }
  }
  return blocks;
}

/** Every `beacon mirror add …` command in the fenced blocks of the mirroring docs, joined across `\` lines. */
function documentedMirrorAdds(): { doc: string; argv: string[] }[] {
  const docs = new URL("../../docs/", import.meta.url);
  const pages = [
    "mirroring.md",
    ...readdirSync(new URL("providers/", docs))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `providers/${f}`),
  ];
  return pages.flatMap((doc) => {
    const text = readFileSync(new URL(doc, docs), "utf8");
    return codeBlocks(text)
      .flatMap((b) => b.replaceAll("\\\n", " ").split("\n"))
      .filter((line) => /^\s*(sudo )?(npx )?beacon mirror add /.test(line))
      .map((line) => ({ doc, argv: shellWords(line.slice(line.indexOf("mirror"))) }));
  });
}

describe("the documented `beacon mirror add` examples", () => {
  const examples = documentedMirrorAdds();

  it("are found in every provider page", () => {
    const pages = readdirSync(new URL("../../docs/providers/", import.meta.url)).filter(
      (f) => f.endsWith(".md") && f !== "README.md",
    );
    expect(new Set(examples.map((e) => e.doc))).toEqual(
      new Set(["mirroring.md", ...pages.map((p) => `providers/${p}`)]),
    );
    expect(examples.some((e) => e.argv.includes('headers={"Authorization": "Bearer {{secret}}"}'))).toBe(
      true,
    );
  });

  it.each(examples.map((e) => [e.doc, e.argv.join(" "), e.argv] as const))(
    "%s: %s parses with the real command and passes the provider's schema",
    async (_doc, _line, argv) => {
      const program = createProgram();
      const add = program.commands
        .find((c) => c.name() === "mirror")
        ?.commands.find((c) => c.name() === "add");
      let parsed: { id: string; opts: Record<string, unknown> } | undefined;
      add?.action((id: string, opts: Record<string, unknown>) => {
        parsed = { id, opts };
      });
      await program.parseAsync(argv, { from: "user" });
      if (parsed === undefined) throw new Error("mirror add did not run");
      const { id, opts } = parsed;
      // Secret files are read through the injected reader: the documented /run/secrets paths need not exist.
      const settings = settingsFromInput(id, opts["provider"] as string, {
        sets: (opts["set"] as string[] | undefined) ?? [],
        file: undefined,
        cwd: dir,
        readFile: () => "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\n", // letters and digits, and base64
      });
      expect(Object.keys(settings).length).toBeGreaterThan(0);
    },
  );
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
