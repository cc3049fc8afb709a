import { describe, expect, it } from "vitest";
import { readCredential } from "./credentials.js";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

describe("readCredential", () => {
  it.each([
    [
      `Basic ${b64("home.example.com:tk_aaaaaaaaaa.sec")}`,
      { user: "home.example.com", password: "tk_aaaaaaaaaa.sec" },
    ],
    [`basic ${b64("user:pa:ss")}`, { user: "user", password: "pa:ss" }],
    [`Basic ${b64(":secret")}`, { user: "", password: "secret" }],
    [`Bearer tk_aaaaaaaaaa.sec`, { password: "tk_aaaaaaaaaa.sec" }],
    [`  BEARER   abc  `, { password: "abc" }],
  ])("%s", (header, expected) => {
    expect(readCredential(header)).toEqual(expected);
  });

  it.each([
    [undefined],
    [""],
    ["Basic"],
    ["Basic !!!"],
    [`Basic ${b64("no-colon")}`],
    [`Basic ${Buffer.from([0x75, 0x3a, 0xff]).toString("base64")}`], // not UTF-8
    ["Digest abc"],
    ["Bearer a b"],
    [`Bearer ${"x".repeat(3000)}`],
  ])("refuses %j", (header) => {
    expect(readCredential(header)).toBeUndefined();
  });
});
