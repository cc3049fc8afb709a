import { describe, expect, it } from "vitest";
import { dispatch, firstQuestionType } from "./dispatch.js";
import { buildQuery } from "./testing/fixtures.js";
import type { DnsHandler } from "./answer/types.js";

const tag =
  (name: string): DnsHandler =>
  () =>
    new TextEncoder().encode(name);
const routes = dispatch({
  query: tag("query"),
  update: tag("update"),
  notify: tag("notify"),
  transfer: tag("xfr"),
});
const ctx = { transport: "tcp", remoteAddress: "127.0.0.1" } as const;
const route = (msg: Uint8Array) => new TextDecoder().decode(routes(msg, ctx) as Uint8Array);

function withOpcode(msg: Uint8Array, opcode: number): Uint8Array {
  const out = Uint8Array.from(msg);
  out[2] = ((out[2] ?? 0) & 0x87) | (opcode << 3);
  return out;
}

describe("dispatch", () => {
  it("queries go to the engine, AXFR and IXFR to the transfer handler", () => {
    expect(route(buildQuery("www.example.test", { type: "A" }))).toBe("query");
    expect(route(buildQuery("example.test", { type: "AXFR" }))).toBe("xfr");
    expect(route(buildQuery("example.test", { type: "IXFR" }))).toBe("xfr");
  });

  it("UPDATE and NOTIFY go to their handlers; other opcodes to the engine (NOTIMP there)", () => {
    const q = buildQuery("example.test", { type: "SOA" });
    expect(route(withOpcode(q, 5))).toBe("update");
    expect(route(withOpcode(q, 4))).toBe("notify");
    expect(route(withOpcode(q, 2))).toBe("query");
    expect(route(withOpcode(q, 15))).toBe("query");
  });

  it("without the optional handlers everything goes to the engine", () => {
    const only = dispatch({ query: tag("query") });
    const q = buildQuery("example.test", { type: "AXFR" });
    expect(new TextDecoder().decode(only(withOpcode(q, 5), ctx) as Uint8Array)).toBe("query");
    expect(new TextDecoder().decode(only(q, ctx) as Uint8Array)).toBe("query");
  });

  it.each([
    ["empty", new Uint8Array(0)],
    ["header only", new Uint8Array(12)],
    ["QDCOUNT 1 but no question", Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])],
    ["a label running past the end", Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 60, 97, 98])],
    [
      "a compression pointer in the question",
      Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 252, 0, 1]),
    ],
    ["no room for QTYPE", Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 97, 0, 0])],
  ])("garbage (%s) has no question type and goes to the engine", (_name, msg) => {
    expect(firstQuestionType(msg)).toBe(-1);
    expect(route(msg)).toBe("query");
  });
});
