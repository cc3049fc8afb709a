import { describe, expect, test } from "vitest";
import { BeaconError } from "../../core/errors.js";
import { launchdPlist, launchdPlistPath, xmlEscape } from "./launchd.js";
import type { ServiceOptions } from "./options.js";
import { parsePlist } from "./testing/parse.js";

const base: ServiceOptions = {
  nodePath: "/usr/local/bin/node",
  entryPath: "/usr/local/lib/node_modules/beacon-ddns/dist/cli/main.js",
  configPath: "/usr/local/etc/beacon/agent.yaml",
};

const plist = (opts: ServiceOptions) => parsePlist(launchdPlist(opts)) as Record<string, unknown>;

describe("launchdPlist", () => {
  test("is a well-formed plist with the launchd keys", () => {
    expect(plist(base)).toEqual({
      Label: "dev.beacon.agent",
      ProgramArguments: [base.nodePath, base.entryPath, "agent", "--config", base.configPath],
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 10,
      StandardOutPath: "/Library/Logs/Beacon/dev.beacon.agent.log",
      StandardErrorPath: "/Library/Logs/Beacon/dev.beacon.agent.err.log",
      WorkingDirectory: "/Library/Application Support/Beacon",
    });
  });

  test("UserName and GroupName appear only when given; stateDir becomes the working directory", () => {
    const p = plist({ ...base, user: "_beacon", group: "staff", stateDir: "/usr/local/var/beacon" });
    expect(p["UserName"]).toBe("_beacon");
    expect(p["GroupName"]).toBe("staff");
    expect(p["WorkingDirectory"]).toBe("/usr/local/var/beacon");
    expect(Object.keys(plist(base))).not.toContain("UserName");
  });

  test("a custom label names the job and its logs", () => {
    const p = plist({ ...base, label: "org.example.beacon" });
    expect(p["Label"]).toBe("org.example.beacon");
    expect(p["StandardOutPath"]).toBe("/Library/Logs/Beacon/org.example.beacon.log");
    expect(launchdPlistPath("org.example.beacon")).toBe("/Library/LaunchDaemons/org.example.beacon.plist");
  });

  test("& < > \" ' in a value are escaped and read back unchanged", () => {
    const configPath = `/Users/Shared/R&D <"beacon's"> cfg/a&amp;b.yaml`;
    const text = launchdPlist({ ...base, configPath });
    expect(text).toContain(
      "<string>/Users/Shared/R&amp;D &lt;&quot;beacon&apos;s&quot;&gt; cfg/a&amp;amp;b.yaml</string>",
    );
    expect((plist({ ...base, configPath })["ProgramArguments"] as string[]).at(-1)).toBe(configPath);
  });

  test("xmlEscape escapes all five specials and nothing else", () => {
    expect(xmlEscape(`a&b<c>d"e'f %$\\`)).toBe("a&amp;b&lt;c&gt;d&quot;e&apos;f %$\\");
  });

  test("the well-formedness check itself rejects a raw & and an unbalanced element", () => {
    const good = launchdPlist(base);
    expect(() => parsePlist(good.replace("agent.yaml", "a&b.yaml"))).toThrow(/bad entity/);
    expect(() => parsePlist(good.replace("</array>", ""))).toThrow();
  });

  test.each<[string, Partial<ServiceOptions>, RegExp]>([
    ["a label with a slash", { label: "dev/beacon" }, /--label: /],
    ["an empty label", { label: "" }, /--label: /],
    ["a relative entry", { entryPath: "main.js" }, /--entry: /],
    ["a control character", { configPath: "/etc/a\u0001b" }, /--config: .*control/],
    ["root", { user: "root" }, /--user: the agent must not run as root/],
    ["group without user", { group: "staff" }, /--group needs --user/],
  ])("rejects %s", (_why, bad, message) => {
    const run = () => launchdPlist({ ...base, ...bad });
    expect(run).toThrow(BeaconError);
    expect(run).toThrow(message);
  });
});
