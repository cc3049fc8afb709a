import { describe, expect, it } from "vitest";

import {
  isInnerList,
  parseDictionary,
  serializeInnerList,
  Token,
  type InnerList,
} from "./structured-fields.js";

const INPUT =
  'beacon=("@method" "@target-uri" "content-digest");created=1700000000;keyid="tk_abc";alg="ed25519";nonce="AAAA";tag="beacon-update"';

describe("parseDictionary", () => {
  it("reads an inner list with parameters and serializes it back to the same text", () => {
    const d = parseDictionary(INPUT);
    const m = d?.get("beacon");
    expect(m && isInnerList(m)).toBe(true);
    const list = m as InnerList;
    expect(list.items.map((i) => i.value)).toEqual(["@method", "@target-uri", "content-digest"]);
    expect(list.params.get("created")).toBe(1700000000);
    expect(list.params.get("keyid")).toBe("tk_abc");
    expect(serializeInnerList(list)).toBe(INPUT.slice("beacon=".length));
  });

  it("reads byte sequences, tokens, booleans, escapes and several members", () => {
    const d = parseDictionary('a=:AQID:, b=tok/en, c, d=?0;x, e="q\\"\\\\"');
    expect(d?.get("a")).toEqual({ value: Uint8Array.from([1, 2, 3]), params: new Map() });
    expect((d?.get("b") as { value: unknown }).value).toEqual(new Token("tok/en"));
    expect(d?.get("c")).toEqual({ value: true, params: new Map() });
    expect(d?.get("d")).toEqual({ value: false, params: new Map([["x", true]]) });
    expect((d?.get("e") as { value: unknown }).value).toBe('q"\\');
    expect(parseDictionary("")?.size).toBe(0);
  });

  it.each([
    ["a trailing comma", "a=1,"],
    ["a duplicate key", "a=1, a=2"],
    ["a duplicate parameter", "a=1;x;x"],
    ["an upper-case key", "A=1"],
    ["a decimal", "a=1.5"],
    ["an integer of 16 digits", "a=1234567890123456"],
    ["an unterminated string", 'a="abc'],
    ["a bad escape", 'a="\\n"'],
    ["a control character in a string", 'a="\u0001"'],
    ["a non-ASCII string", 'a="é"'],
    ["bad base64", "a=:***:"],
    ["unpadded base64", "a=:AQI:"],
    ["an unterminated byte sequence", "a=:AQID"],
    ["an unterminated inner list", 'a=("x" "y"'],
    ["inner list items not separated", 'a=("x""y")'],
    ["a bad boolean", "a=?2"],
    ["garbage after a member", "a=1 b=2"],
    ["a tab before a parameter", "a=1;\tb"],
  ])("refuses %s", (_, text) => {
    expect(parseDictionary(text)).toBeUndefined();
  });

  it("refuses a field longer than 8 KiB without reading it", () => {
    expect(parseDictionary(`a="${"x".repeat(9000)}"`)).toBeUndefined();
  });

  it("never throws on a few thousand mutations of a valid field", () => {
    const alphabet = ' ()";=:,?*-_./\\\t\u0000é0123456789abcAZ@';
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let parsed = 0;
    for (let round = 0; round < 3000; round++) {
      const chars = [...INPUT];
      for (let k = 1 + rand(4); k > 0; k--) {
        const at = rand(chars.length);
        const op = rand(3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, alphabet[rand(alphabet.length)] ?? "");
        else chars[at] = alphabet[rand(alphabet.length)] ?? "";
      }
      const result = parseDictionary(chars.join(""));
      if (result !== undefined) parsed++;
    }
    // Some mutations stay valid (a changed digit), most do not: both paths were taken.
    expect(parsed).toBeGreaterThan(0);
    expect(parsed).toBeLessThan(3000);
  });
});
