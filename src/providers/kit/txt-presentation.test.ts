import { describe, expect, it } from "vitest";
import { quoteTxt, unquoteTxt } from "./txt-presentation.js";

describe("quoteTxt", () => {
  it.each([
    ["token-1_abcDEF", '"token-1_abcDEF"'],
    ["v=spf1 include:_spf.example.net ~all", '"v=spf1 include:_spf.example.net ~all"'],
    ['say "hi" \\ bye', '"say \\"hi\\" \\\\ bye"'],
    ["é", '"\\195\\169"'],
    ["tab\there", '"tab\\009here"'],
    ["", '""'],
  ])("%j → %s", (value, want) => {
    expect(quoteTxt(value)).toBe(want);
  });
});

describe("unquoteTxt", () => {
  it.each([
    ['"token-1_abcDEF"', "token-1_abcDEF"],
    ['"say \\"hi\\" \\\\ bye"', 'say "hi" \\ bye'],
    ['"\\195\\169"', "é"],
    ['"é"', "é"],
    ['"part one" "part two"', "part onepart two"],
    ["bare", "bare"],
    ['bare "quoted"', "barequoted"],
    ['  "padded"  ', "padded"],
    ['"\\065BC"', "ABC"],
  ])("%s → %j", (content, want) => {
    expect(unquoteTxt(content)).toBe(want);
  });

  it.each([
    ['"unterminated', "an unterminated quote"],
    ['"bad \\2" ', "a short \\DDD escape"],
    ['"\\256"', "a \\DDD above 255"],
    ['"trailing\\', "a backslash at the end"],
    ['"a"b', "text glued to a closing quote"],
    ['"\\255\\255"', "bytes that are not UTF-8"],
    ["", "an empty content"],
    ["   ", "only spaces"],
    ['bad"quote', "a quote inside a bare token"],
  ])("%s (%s) is undefined", (content) => {
    expect(unquoteTxt(content)).toBeUndefined();
  });

  it("round-trips every printable ASCII character and some UTF-8", () => {
    const all = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join("");
    for (const v of [all, "ünïcödé ✓", "\u0001\u007f"]) expect(unquoteTxt(quoteTxt(v))).toBe(v);
  });
});
