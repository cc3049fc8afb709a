import { describe, expect, it } from "vitest";
import { fillTemplate, jsonContexts, parseTemplate, percentEncode, placeholdersOf } from "./template.js";

describe("parseTemplate", () => {
  it.each([
    [
      "a{{name}}b",
      [
        { kind: "text", text: "a" },
        { kind: "placeholder", name: "name" },
        { kind: "text", text: "b" },
      ],
    ],
    ["{{ name }}", [{ kind: "placeholder", name: "name" }]],
    ["{{name}", [{ kind: "text", text: "{{name}" }]],
    ["{name}}", [{ kind: "text", text: "{name}}" }]],
    ["{{}}", [{ kind: "placeholder", name: "" }]],
    ["{{a b}}", [{ kind: "text", text: "{{a b}}" }]],
    ["", []],
  ])("%j", (template, parts) => {
    expect(parseTemplate(template)).toEqual(parts);
  });

  it("placeholdersOf lists each name once, in order; fillTemplate replaces each", () => {
    expect(placeholdersOf(parseTemplate("{{b}}{{a}}{{b}}"))).toEqual(["b", "a"]);
    expect(fillTemplate("x{{a}}y{{b}}{{a}}", (p) => p.toUpperCase())).toBe("xAyBA");
  });
});

describe("jsonContexts", () => {
  const ctx = (t: string) =>
    jsonContexts(parseTemplate(t)).filter((_, i) => parseTemplate(t)[i]?.kind === "placeholder");
  it.each([
    ['{"a": {{x}}}', ["value"]],
    ['{"a": "{{x}}"}', ["string"]],
    ['{"{{x}}": {{y}}}', ["string", "value"]],
    ['{"a": "q\\"{{x}}"}', ["string"]],
    ['{"a": "b\\\\", "c": {{x}}}', ["value"]],
    ['["{{x}}", {{y}}, "{{z}}"]', ["string", "value", "string"]],
  ])("%s", (template, expected) => {
    expect(ctx(template)).toEqual(expected);
  });
});

describe("percentEncode", () => {
  it.each([
    ["AZaz09-._~", "AZaz09-._~"],
    ["a b&c=d#e/f?g%h+i", "a%20b%26c%3Dd%23e%2Ff%3Fg%25h%2Bi"],
    ["\r\n", "%0D%0A"],
    ["é✓", "%C3%A9%E2%9C%93"],
    ["x\ud800", "x%EF%BF%BD"],
  ])("%j → %s", (input, out) => {
    expect(percentEncode(input)).toBe(out);
  });
});
