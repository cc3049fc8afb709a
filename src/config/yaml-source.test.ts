import { describe, expect, test } from "vitest";
import { ConfigError } from "./errors.js";
import { readYamlSource } from "./yaml-source.js";

const FILE = "/etc/beacon.yaml";
const read = (text: string) => readYamlSource(FILE, () => text);

function messageOf(text: string): string {
  try {
    read(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("readYamlSource", () => {
  test("empty values count as not set", () => {
    const y = read("http:\n  listen:\n  max_body_bytes: 2048\ndns:\n");
    expect(y.raw).toEqual({ http: { max_body_bytes: 2048 } });
    expect(y.has(["http", "listen"])).toBe(false);
    expect(y.has(["http", "max_body_bytes"])).toBe(true);
    expect(y.has(["dns"])).toBe(false);
  });

  test("locate points at values, list items and keys; falls back to the deepest existing part", () => {
    const y = read("http:\n  listen:\n    - a\n    - b\n  trusted_proxies: []\n");
    expect(y.locate(["http", "listen", 1])).toEqual({ kind: "file", file: FILE, line: 4, column: 7 });
    expect(y.locate(["http", "trusted_proxies"], "key")).toEqual({
      kind: "file",
      file: FILE,
      line: 5,
      column: 3,
    });
    expect(y.locate(["http", "listen", 9])).toEqual({ kind: "file", file: FILE, line: 3, column: 5 });
    expect(y.locate(["http", "nothing"])).toEqual({ kind: "file", file: FILE, line: 2, column: 3 });
  });

  test("__proto__ stays an ordinary key and does not change any prototype", () => {
    const y = read("__proto__:\n  polluted: 1\n");
    expect(Object.keys(y.raw)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(y.raw)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  test("a self-referencing alias is an error, not a stack overflow", () => {
    expect(messageOf("a: &x [*x]\n")).toBe(
      `config error: ${FILE}: invalid YAML: an alias refers to a node that contains it`,
    );
  });

  test("alias expansion is bounded", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 6; i++) {
      const prev = String.fromCharCode(97 + i);
      lines.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${prev}`).join(", ")}]`,
      );
    }
    expect(messageOf(lines.join("\n") + "\n")).toMatch(/^config error: \/etc\/beacon\.yaml: invalid YAML: /);
  });

  test("several documents in one file are a YAML error", () => {
    expect(messageOf("log: {}\n---\nhttp: {}\n")).toMatch(
      /^config error: \/etc\/beacon\.yaml:2:1: invalid YAML: /,
    );
  });
});
