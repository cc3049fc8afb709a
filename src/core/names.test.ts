import { describe, expect, it } from "vitest";
import { BeaconError } from "./errors.js";
import { asciiLowerCase, normalizeName, tryNormalizeName } from "./names.js";

describe("normalizeName", () => {
  it("folds ASCII capitals and drops one trailing dot", () => {
    expect(normalizeName("  WwW.Example.TEST. ")).toBe("www.example.test");
    expect(normalizeName("_acme-challenge.Example.test")).toBe("_acme-challenge.example.test");
    expect(normalizeName("xn--bcher-kva.example")).toBe("xn--bcher-kva.example");
  });

  // Each of these becomes ASCII under String#toLowerCase/toUpperCase/NFKC; a name must be refused
  // rather than silently turned into another (ASCII) name that a token may cover.
  const hostile: [string, string][] = [
    ["KELVIN SIGN (toLowerCase → k)", "\u212Aey.example.test"],
    ["dotless i (toUpperCase → I)", "\u0131nfo.example.test"],
    ["capital I with dot (toLowerCase → i + U+0307)", "\u0130nfo.example.test"],
    ["LONG S (toUpperCase → S)", "\u017Fub.example.test"],
    ["fullwidth letters (NFKC → ASCII)", "\uFF57\uFF57\uFF57.example.test"],
    ["fullwidth full stop as a separator", "www\uFF0Eexample.test"],
    ["ligature ff (toUpperCase → FF)", "\uFB00.example.test"],
    ["sharp s (toUpperCase → SS)", "stra\u00DFe.example.test"],
    ["ideographic space around the name", "\u3000www.example.test\u3000"],
    ["non-breaking space around the name", "\u00A0www.example.test"],
  ];
  for (const [what, input] of hostile) {
    it(`refuses ${what}`, () => {
      expect(tryNormalizeName(input)).toBeUndefined();
      const thrown = (() => {
        try {
          return normalizeName(input);
        } catch (e) {
          return e;
        }
      })();
      expect(thrown).toBeInstanceOf(BeaconError);
      expect((thrown as BeaconError).code).toBe("invalid_hostname");
    });
  }

  it("asciiLowerCase leaves every non-ASCII character as it is", () => {
    expect(asciiLowerCase("AbC\u212A\u0130\u017F\uFF21")).toBe("abc\u212A\u0130\u017F\uFF21");
  });
});
