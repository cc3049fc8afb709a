import { describe, expect, it } from "vitest";
import { EVENT_FIELDS, eventFields, type EventFields } from "./fields.js";
import { compileTemplate, jsonEscape, rawEscape, urlEscape } from "./template.js";

const fields = Object.fromEntries(EVENT_FIELDS.map((f) => [f, f.toUpperCase()])) as EventFields;

describe("compileTemplate", () => {
  it("fills every known field, tolerates spaces inside braces, keeps other text and lone braces", () => {
    const t = compileTemplate(
      `${EVENT_FIELDS.map((f) => `{{${f}}}`).join("|")} {{ fqdn }} {"a":{"b":1}}`,
      rawEscape,
    );
    expect(t.ok && t.template.render(fields)).toBe(
      `${EVENT_FIELDS.map((f) => f.toUpperCase()).join("|")} FQDN {"a":{"b":1}}`,
    );
  });

  it("escapes values with the escape given, never the literal text", () => {
    const v = { ...fields, detail: 'a"b\n&c' };
    const j = compileTemplate('"{{detail}}" & "', jsonEscape);
    expect(j.ok && j.template.render(v)).toBe('"a\\"b\\n&c" & "');
    const u = compileTemplate("?d={{detail}}&x", urlEscape);
    expect(u.ok && u.template.render(v)).toBe("?d=a%22b%0A%26c&x");
  });

  it("does not re-expand placeholders that arrive inside values", () => {
    const t = compileTemplate("{{detail}}", rawEscape);
    expect(t.ok && t.template.render({ ...fields, detail: "{{fqdn}}" })).toBe("{{fqdn}}");
  });

  it.each([
    ["an unknown name", "{{ip}}", /unknown placeholder \{\{ip\}\}/],
    ["a case variant", "{{FQDN}}", /unknown placeholder/],
    ["an empty name", "{{}}", /unknown placeholder/],
    ["an unclosed placeholder", "x {{fqdn", /unclosed placeholder at offset 2/],
    ["a filter-like syntax", "{{fqdn|upper}}", /unknown placeholder/],
  ])("rejects %s", (_name, source, message) => {
    const r = compileTemplate(source, rawEscape);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});

describe("eventFields", () => {
  it("joins values with commas, leaves unknown ones empty, drops NUL characters", () => {
    const f = eventFields({
      kind: "recovered",
      fqdn: "a.example",
      type: "A",
      old: undefined,
      new: ["81.2.69.142", "81.2.69.160"],
      status: "updated",
      detail: "ok\u0000!",
      target: "t",
      at: 0,
    });
    expect(f).toEqual({
      kind: "recovered",
      fqdn: "a.example",
      type: "A",
      old: "",
      new: "81.2.69.142,81.2.69.160",
      status: "updated",
      detail: "ok!",
      target: "t",
      at: "1970-01-01T00:00:00.000Z",
    });
  });
});
