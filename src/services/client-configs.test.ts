import { describe, expect, it } from "vitest";
import { loadAgentConfig } from "../agent/config/index.js";
import { BeaconError } from "../core/errors.js";
import { clientConfigs, parseServerUrl } from "./client-configs.js";

const TOKEN = "tk_abcdefgh23.AbCdEfGhIjKlMnOpQrStUvWxYz012345";
const FQDN = "home.dyn.example.com";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof BeaconError ? e.code : "not a BeaconError";
  }
}

describe("clientConfigs", () => {
  const plain = clientConfigs({ serverUrl: "http://beacon.example.com:8245", fqdn: FQDN, token: TOKEN });

  it("renders the curl command of docs/clients.md", () => {
    expect(plain.serverUrl).toBe("http://beacon.example.com:8245");
    expect(plain.curl).toBe(
      `curl -u '${FQDN}:${TOKEN}' -A 'beacon-curl/1.0' 'http://beacon.example.com:8245/nic/update?hostname=${FQDN}'\n`,
    );
  });

  it("renders ddclient.conf as docs/clients.md shows it", () => {
    expect(plain.ddclient).toBe(
      [
        "protocol=dyndns2",
        "ssl=no",
        "server=beacon.example.com:8245",
        `login=${FQDN}`,
        `password='${TOKEN}'`,
        "use=web, web=http://beacon.example.com:8245/ip",
        FQDN,
        "",
      ].join("\n"),
    );
  });

  it("renders the inadyn custom provider and the FRITZ!Box fields", () => {
    expect(plain.inadyn).toContain(`custom beacon {\n    ssl         = false\n    username    = ${FQDN}\n`);
    expect(plain.inadyn).toContain(`password    = "${TOKEN}"`);
    expect(plain.inadyn).toContain(`ddns-server = "beacon.example.com:8245"`);
    expect(plain.inadyn).toContain(`ddns-path   = "/nic/update?hostname=%h&myip=%i"`);
    expect(plain.inadyn).toContain(`checkip-path   = "/ip"`);
    expect(plain.fritzbox).toBe(
      [
        "Update URL: http://beacon.example.com:8245/nic/update?hostname=<domain>&myip=<ipaddr>&myipv6=<ip6addr>",
        `Domain name: ${FQDN}`,
        `Username: ${FQDN}`,
        `Password: ${TOKEN}`,
        "",
      ].join("\n"),
    );
  });

  it("uses TLS settings and keeps a path prefix for https behind a proxy", () => {
    const c = clientConfigs({ serverUrl: "https://ddns.example.net/beacon/", fqdn: FQDN, token: TOKEN });
    expect(c.serverUrl).toBe("https://ddns.example.net/beacon");
    expect(c.ddclient).toContain("ssl=yes\nserver=ddns.example.net\nscript=/beacon/nic/update\n");
    expect(c.ddclient).toContain("use=web, web=https://ddns.example.net/beacon/ip\n");
    expect(c.inadyn).toContain("ssl         = true");
    expect(c.inadyn).toContain(`ddns-path   = "/beacon/nic/update?hostname=%h&myip=%i"`);
    expect(c.curl).toContain("'https://ddns.example.net/beacon/nic/update?hostname=");
    expect(c.fritzbox).toContain("Update URL: https://ddns.example.net/beacon/nic/update?");
  });

  it("writes an agent YAML the agent's real config loader accepts", () => {
    for (const serverUrl of ["http://127.0.0.1:8245", "https://ddns.example.net/beacon", "http://[::1]:80"]) {
      const c = clientConfigs({ serverUrl, fqdn: "Home.Dyn.Example.com.", token: TOKEN });
      const file = "/etc/beacon/agent.yaml";
      const config = loadAgentConfig({
        file,
        env: {},
        flags: {},
        cwd: "/",
        resolvConf: "/nonexistent/resolv.conf",
        readFile: (p) => {
          if (p === file) return c.agent;
          throw Object.assign(new Error(`ENOENT ${p}`), { code: "ENOENT" });
        },
      });
      const target = config.targets.get("beacon");
      expect(target?.type).toBe("beacon");
      expect(target?.settings).toEqual({ url: new URL(c.serverUrl).toString(), token: TOKEN });
      expect(config.records.map((r) => [r.fqdn, r.type, r.target])).toEqual([[FQDN, "A", "beacon"]]);
    }
  });

  it("normalises the name", () => {
    const c = clientConfigs({ serverUrl: "http://b.example", fqdn: "HOME.dyn.example.com.", token: TOKEN });
    expect(c.ddclient).toContain(`login=${FQDN}\n`);
  });

  it.each([
    ["a bad name", { fqdn: "bad name.example.com" }, "invalid_hostname"],
    ["a name with a quote", { fqdn: "a'b.example.com" }, "invalid_hostname"],
    ["a token with a quote", { token: "tk_abcdefgh23.abc'defghijklmnopqrst" }, "bad_request"],
    ["a token with a newline", { token: `${TOKEN}\nuse=cmd` }, "bad_request"],
    ["a token of another shape", { token: "hunter2hunter2hunter2" }, "bad_request"],
    ["an empty token", { token: "" }, "bad_request"],
  ])("refuses %s", (_n, over, code) => {
    expect(
      codeOf(() => clientConfigs({ serverUrl: "http://b.example", fqdn: FQDN, token: TOKEN, ...over })),
    ).toBe(code);
  });
});

describe("parseServerUrl", () => {
  it.each([
    ["http://b.example", "http://b.example", "b.example", ""],
    ["HTTP://B.Example:8245/", "http://b.example:8245", "b.example:8245", ""],
    ["https://b.example/x/y//", "https://b.example/x/y", "b.example", "/x/y"],
    ["http://192.0.2.1:80", "http://192.0.2.1", "192.0.2.1", ""],
    ["http://[2001:db8::1]:8245", "http://[2001:db8::1]:8245", "[2001:db8::1]:8245", ""],
  ])("accepts %s", (raw, base, authority, path) => {
    expect(parseServerUrl(raw)).toMatchObject({ base, authority, path });
  });

  it.each([
    ["ftp://b.example"],
    ["javascript:alert(1)"],
    ["file:///etc/passwd"],
    ["b.example"],
    ["http://user:pass@b.example"],
    ["http://b.example/?a=1"],
    ["http://b.example/#x"],
    ["http://b.example/a b"],
    ["http://b.example/a'b"],
    ["http://b.example/a%27b"],
    ["http://b.example/$(reboot)"],
    ["http://b_x.example"],
    [`http://b.example/${"a".repeat(600)}`],
    [""],
  ])("refuses %j", (raw) => {
    expect(codeOf(() => parseServerUrl(raw))).toBe("bad_request");
  });
});
