import { describe, expect, test } from "vitest";
import { hostAllowed, hostName, ownOrigins, type HostRule } from "./guard.js";

describe("hostName", () => {
  test.each([
    ["127.0.0.1:9876", "127.0.0.1"],
    ["[::1]:9876", "::1"],
    ["[::1]", "::1"],
    ["LocalHost:1", "localhost"],
    ["nas.lan.", "nas.lan"],
    ["", undefined],
    [undefined, undefined],
    ["evil.example:80:80", undefined],
    ["a b", undefined],
    ["[::1", undefined],
    ["127.0.0.1:999999", undefined],
    ["x".repeat(300), undefined],
  ])("%s → %s", (header, name) => {
    expect(hostName(header)).toBe(name);
  });
});

describe("hostAllowed (DNS rebinding)", () => {
  const loopback: HostRule = { listenHost: "127.0.0.1", scope: "loopback", passwordSet: false };
  const lan: HostRule = { listenHost: "192.168.1.5", scope: "private", passwordSet: false };
  const wildcard: HostRule = { listenHost: "0.0.0.0", scope: "wildcard", passwordSet: false };

  test.each([
    [loopback, "127.0.0.1:9876", true],
    [loopback, "localhost:9876", true],
    [loopback, "app.localhost:9876", true],
    [loopback, "127.0.0.2:9876", true], // a loopback literal: no name to rebind
    [{ ...loopback, listenHost: "localhost" }, "127.0.0.1:9876", true],
    [{ ...loopback, listenHost: "localhost" }, "[::1]:9876", true],
    [loopback, "192.168.1.5:9876", false], // not the address listened on
    [loopback, "evil.example:9876", false], // a rebinding name
    [loopback, "127.0.0.1.nip.io:9876", false],
    [loopback, undefined, false],
    [{ ...loopback, listenHost: "::1" }, "[::1]:9876", true],
    [{ ...loopback, listenHost: "::1" }, "[0:0:0:0:0:0:0:1]:9876", true],
    [{ ...loopback, listenHost: "localhost" }, "localhost:9876", true],
    [lan, "192.168.1.5:9876", true],
    [lan, "localhost:9876", false],
    [lan, "nas.lan:9876", false],
    [{ ...lan, passwordSet: true }, "nas.lan:9876", true], // the session protects, names are fine
    [wildcard, "10.1.2.3:9876", true],
    [wildcard, "evil.example:9876", false],
  ])("%o with Host %s → %s", (rule, header, ok) => {
    expect(hostAllowed(header, rule)).toBe(ok);
  });
});

describe("ownOrigins", () => {
  test("http and https of the Host; none without a Host", () => {
    expect(ownOrigins("127.0.0.1:9876")).toEqual(["http://127.0.0.1:9876", "https://127.0.0.1:9876"]);
    expect(ownOrigins(undefined)).toEqual([]);
  });
});
