import { describe, expect, test } from "vitest";
import {
  applyChange,
  parsePrimaryMessage,
  parseWorkerMessage,
  recordingListener,
  type Change,
} from "./protocol.js";
import { createAnswerSteering } from "../answer/steering.js";
import { answersLocally } from "./route.js";
import { encodeName } from "../wire/name.js";

describe("parseWorkerMessage", () => {
  test("accepts each shape within its bounds", () => {
    const good = [
      { kind: "hello" },
      { kind: "ready", seq: 3 },
      { kind: "ack", seq: 0 },
      { kind: "failed", code: "EADDRINUSE", message: "bind EADDRINUSE 127.0.0.1:53" },
      { kind: "forward", id: 7, bytes: new Uint8Array(12), remoteAddress: "192.0.2.1" },
      { kind: "metrics", counts: [["beacon_dns_messages_received_total|udp", 5]] },
    ];
    for (const m of good) expect(parseWorkerMessage(m)).toEqual(m);
  });

  test.each([
    ["not an object", "ack"],
    ["null", null],
    ["unknown kind", { kind: "shutdown" }],
    ["extra field", { kind: "ack", seq: 1, evil: true }],
    ["negative seq", { kind: "ack", seq: -1 }],
    ["fractional seq", { kind: "ready", seq: 1.5 }],
    ["seq as string", { kind: "ack", seq: "1" }],
    ["forward without bytes", { kind: "forward", id: 1, remoteAddress: "::1" }],
    ["forward with a string body", { kind: "forward", id: 1, bytes: "abc", remoteAddress: "::1" }],
    ["forward empty", { kind: "forward", id: 1, bytes: new Uint8Array(0), remoteAddress: "::1" }],
    ["forward too big", { kind: "forward", id: 1, bytes: new Uint8Array(65_536), remoteAddress: "::1" }],
    ["forward id too big", { kind: "forward", id: 2 ** 31, bytes: new Uint8Array(12), remoteAddress: "::1" }],
    [
      "forward address too long",
      { kind: "forward", id: 1, bytes: new Uint8Array(12), remoteAddress: "x".repeat(65) },
    ],
    ["metrics with NaN", { kind: "metrics", counts: [["k", Number.NaN]] }],
    ["metrics negative", { kind: "metrics", counts: [["k", -1]] }],
    ["metrics key too long", { kind: "metrics", counts: [["k".repeat(201), 1]] }],
    ["metrics too many", { kind: "metrics", counts: Array.from({ length: 1001 }, (_, i) => [`k${i}`, 1]) }],
    ["failed message too long", { kind: "failed", code: "X", message: "m".repeat(1001) }],
  ])("rejects %s", (_name, raw) => {
    expect(parseWorkerMessage(raw)).toBeUndefined();
  });
});

describe("parsePrimaryMessage", () => {
  test("accepts the envelopes the pool sends", () => {
    const load = { kind: "load", seq: 1, snapshot: { zones: [], hosts: [], rrsets: [] }, changes: [] };
    expect(parsePrimaryMessage(load)).toBe(load);
    const reply = { kind: "reply", id: 4, bytes: null };
    expect(parsePrimaryMessage(reply)).toBe(reply);
    const changes = { kind: "changes", seq: 2, changes: [{ op: "zoneRemoved", name: "a.test" }] };
    expect(parsePrimaryMessage(changes)).toBe(changes);
  });

  test.each([
    ["a string", "load"],
    ["unknown kind", { kind: "exit" }],
    ["load without snapshot", { kind: "load", seq: 1, changes: [] }],
    [
      "load with a snapshot missing rrsets",
      { kind: "load", seq: 1, snapshot: { zones: [], hosts: [] }, changes: [] },
    ],
    ["changes with negative seq", { kind: "changes", seq: -2, changes: [] }],
    [
      "load with steering that is no list",
      { kind: "load", seq: 1, snapshot: { zones: [], hosts: [], rrsets: [] }, changes: [], steering: {} },
    ],
    ["reply with string bytes", { kind: "reply", id: 1, bytes: "x" }],
    ["init without listen", { kind: "init", worker: 1, logLevel: "info", limits: {} }],
    [
      "init with a catalog that is no string",
      { kind: "init", worker: 1, logLevel: "info", logFormat: "json", listen: [], limits: {}, catalog: 5 },
    ],
  ])("rejects %s", (_name, raw) => {
    expect(parsePrimaryMessage(raw)).toBeUndefined();
  });
});

describe("applyChange", () => {
  test("a steering change sets or removes the rule on the registry given, and is ignored without one", () => {
    const steering = createAnswerSteering();
    const listener = recordingListener(() => {
      throw new Error("a steering change is no index change");
    });
    const rule = { mode: "weighted" as const, weights: new Map([["192.0.2.1", 2]]) };
    const set: Change = { op: "steering", name: "p.a.test", type: "A", rule };
    applyChange(listener, set);
    expect(steering.size).toBe(0);
    applyChange(listener, set, steering);
    expect(steering.entries()).toEqual([{ name: "p.a.test", type: "A", rule }]);
    applyChange(listener, { op: "steering", name: "p.a.test", type: "A", rule: undefined }, steering);
    expect(steering.size).toBe(0);
  });
});

describe("answersLocally", () => {
  // header (id 0, flags with the opcode in bits 3-6 of byte 2), one question "a." A IN
  const message = (opcode: number, qtype: number, extra: number[] = [], arcount = 0) =>
    new Uint8Array([0, 0, opcode << 3, 0, 0, 1, 0, 0, 0, 0, 0, arcount, 1, 97, 0, 0, qtype, 0, 1, ...extra]);
  // a TSIG-typed record owned by the root with empty rdata
  const tsig = [0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 0];

  test("plain queries stay in the worker; UPDATE, NOTIFY, transfers and signed queries go to the primary", () => {
    expect(answersLocally(message(0, 1))).toBe(true);
    expect(answersLocally(message(2, 1))).toBe(true); // STATUS: NOTIMP from the engine
    expect(answersLocally(new Uint8Array([1, 2]))).toBe(true); // too short: the engine drops it
    expect(answersLocally(message(5, 6))).toBe(false);
    expect(answersLocally(message(4, 6))).toBe(false);
    expect(answersLocally(message(0, 252))).toBe(false);
    expect(answersLocally(message(0, 251))).toBe(false);
    expect(answersLocally(message(0, 1, tsig, 1))).toBe(false);
  });

  test("questions at or below the catalog zone go to the primary, whatever their case; others stay", () => {
    const catalog = encodeName("cat.invalid");
    const query = (name: string) => {
      const q = encodeName(name);
      const out = new Uint8Array(12 + q.length + 4);
      out.set([0, 0, 0, 0, 0, 1], 0);
      out.set(q, 12);
      out.set([0, 6, 0, 1], 12 + q.length);
      return out;
    };
    for (const name of ["cat.invalid", "CAT.Invalid", "version.cat.invalid", "x.zones.cat.invalid"])
      expect([name, answersLocally(query(name), catalog)]).toEqual([name, false]);
    for (const name of ["invalid", "xcat.invalid", "cat.invalid.example", "a.example", ""])
      expect([name, answersLocally(query(name), catalog)]).toEqual([name, true]);
    expect(answersLocally(query("cat.invalid"))).toBe(true); // no catalog
    // a compression pointer or a truncated name is not the catalog: the engine answers it
    expect(answersLocally(new Uint8Array([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12]), catalog)).toBe(
      true,
    );
    expect(answersLocally(query("cat.invalid").subarray(0, 16), catalog)).toBe(true);
  });
});
