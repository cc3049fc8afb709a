import { describe, expect, test } from "vitest";
import { loadAgentConfig } from "../config/index.js";
import { assembleAgent, type AssembleDeps } from "./assemble.js";
import { DEFAULT_SOURCE_IDS } from "../detect/builtin.js";
import { fakeDns, fakeInterfaces } from "../testing/fakes.js";

const FILE = "/etc/beacon/agent.yaml";
const YAML = [
  "sources:",
  "  wan: { type: interface, interface: ppp0 }",
  "  fixed: { type: static, address: 81.2.69.160 }",
  "targets:",
  "  a: { type: dyndns2, url: https://ddns.example/nic/update, username: u, password: p }",
  "  b: { type: beacon, url: https://beacon.example, token: tk_x.y }",
  "notify:",
  "  - { type: exec, command: [/bin/true] }",
  "records:",
  "  - { name: one.example.com, type: A, target: a, sources: [wan, fixed] }",
  "  - { name: two.example.com, type: A, target: a, sources: [fixed], bind: { interface: eth2 } }",
  "  - { name: three.example.com, type: AAAA, target: b }",
  "  - { name: four.example.com, type: A, target: b, sources: [fixed, builtin] }",
].join("\n");

const deps: AssembleDeps = {
  httpRequest: () => Promise.reject(new Error("no network in this test")),
  dnsQuery: fakeDns().query,
  readInterfaces: fakeInterfaces().read,
  runCommand: () => Promise.reject(new Error("no commands in this test")),
  clock: () => 0,
  userAgent: "test",
};

function assemble() {
  const config = loadAgentConfig({ file: FILE, env: {}, flags: {}, cwd: "/", readFile: () => YAML });
  return assembleAgent(config, deps);
}

describe("assembleAgent", () => {
  test("records get their sources (built-in set per family), shared targets, and interface watches", () => {
    const a = assemble();
    const [one, two, three, four] = a.records;
    expect(one?.sources.map((s) => s.id)).toEqual(["wan", "fixed"]);
    expect(one?.watch).toEqual(new Set(["ppp0"]));
    expect(two?.watch).toEqual(new Set(["eth2"]));
    expect(three?.sources.map((s) => s.id)).toEqual(DEFAULT_SOURCE_IDS[6]);
    expect(three?.watch).toBe("none");
    expect(three?.ownRanges.size).toBe(DEFAULT_SOURCE_IDS[6].length);
    expect(four?.sources.map((s) => s.id)).toEqual(["fixed", ...DEFAULT_SOURCE_IDS[4]]);
    expect(one?.target).toBe(two?.target);
    expect(three?.target).toBe(four?.target);
    expect(one?.target).not.toBe(three?.target);
    expect(one?.key).toBe("one.example.com A a");
    expect(a.notifiers.map((n) => n.id)).toEqual(["exec-1"]);
    expect([...a.sources.keys()]).toEqual(["wan", "fixed"]);
  });
});
