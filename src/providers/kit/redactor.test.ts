import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { BeaconError } from "../../core/errors.js";
import { clip, VendorError, vendorFailure } from "../errors.js";
import { createRedactor, HIDDEN } from "./redactor.js";

const TOKEN = "tok_Abc/123+xyz=Q?&é";
const r = createRedactor([TOKEN, "user:pa ss"]);

describe("createRedactor().text", () => {
  it.each([
    ["raw", `Authorization: Bearer ${TOKEN}`],
    ["percent-encoded (a URL's query)", `GET /update?apikey=${encodeURIComponent(TOKEN)}&x=1`],
    ["form-encoded", `apikey=${encodeURIComponent("user:pa ss").replaceAll("%20", "+")}`],
    ["JSON-escaped", JSON.stringify({ echo: { token: `"${TOKEN}"` } })],
    ["base64", `seen ${Buffer.from(TOKEN).toString("base64")}`],
    ["base64url", `seen ${Buffer.from(TOKEN).toString("base64url")}`],
  ])("cuts a secret out in its %s form", (_form, text) => {
    const out = r.text(text);
    expect(out).toContain(HIDDEN);
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain(encodeURIComponent(TOKEN));
    expect(out).not.toContain(Buffer.from(TOKEN).toString("base64").slice(2, -2));
  });

  it("cuts a secret out of a Basic credential, at whatever offset the user name puts it", () => {
    for (const user of ["a", "ab", "abc", "user-name"]) {
      const password = "correct horse battery staple";
      const basic = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
      const out = createRedactor([password]).text(`echo: ${basic}`);
      expect(out).toContain(HIDDEN);
      // Left of the cut: the user name's base64 and at most one group shared with the password;
      // right of it: at most the last group (2 bytes of the password, or fewer).
      const [before = "", after = ""] = out.replace(/^echo: Basic /, "").split(HIDDEN);
      expect(before.length).toBeLessThanOrEqual(Math.ceil((user.length + 1) / 3) * 4 + 4);
      expect(after.length).toBeLessThanOrEqual(4);
    }
  });

  it("cuts the beginning of a secret that a clip cut short", () => {
    const text = clip(`denied: ${"x".repeat(280)} key=${TOKEN}`);
    expect(text).toContain("tok_A");
    const out = r.text(text);
    expect(out).not.toMatch(/tok_A/);
    expect(out.endsWith(`${HIDDEN}…`)).toBe(true);
  });

  it("leaves text without secrets alone, and ignores secrets too short to find safely", () => {
    expect(r.text("503 Service Unavailable")).toBe("503 Service Unavailable");
    expect(createRedactor(["abc", ""]).text("abc def")).toBe("abc def");
    expect(createRedactor([]).text("anything")).toBe("anything");
  });

  it("cuts the longer of two overlapping secrets whole", () => {
    expect(createRedactor(["secret", "secret-and-more"]).text("x secret-and-more y")).toBe(`x ${HIDDEN} y`);
  });
});

describe("createRedactor().error", () => {
  it("keeps the code and retry hint, redacts message, details and the vendor cause", () => {
    const cause = new VendorError("acme", `bad token ${TOKEN}`, { status: 401, vendorCode: TOKEN });
    const e = vendorFailure("provider_auth", cause, { retryAfterMs: 5 });
    const out = r.error(e);
    expect(out.code).toBe("provider_auth");
    expect(out.details?.["retryAfterMs"]).toBe(5);
    const all = JSON.stringify([out.message, out.details, (out.cause as Error).message]);
    expect(all).not.toContain(TOKEN);
    expect(out.cause).toBeInstanceOf(VendorError);
    expect((out.cause as VendorError).status).toBe(401);
  });

  it("drops any other cause (an HTTP client error's message and stack may quote the URL)", () => {
    const e = new BeaconError("network_error", "acme: fetch failed", {
      cause: new TypeError(`connect ECONNREFUSED /x?key=${TOKEN}`),
    });
    expect(r.error(e).cause).toBeUndefined();
  });

  it("turns anything else into internal, with its message redacted and clipped", () => {
    const out = r.error(new Error(`boom ${TOKEN} ${"y".repeat(500)}`));
    expect(out.code).toBe("internal");
    expect(out.message).not.toContain(TOKEN);
    expect(out.message.length).toBeLessThanOrEqual(301);
  });
});
