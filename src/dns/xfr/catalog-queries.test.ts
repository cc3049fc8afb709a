import { describe, expect, it } from "vitest";
import { buildQuery, decode } from "../testing/fixtures.js";
import { RCODE } from "../wire/constants.js";
import { CatalogZone } from "./catalog-zone.js";
import { catalogQueries } from "./catalog-queries.js";

const CAT = "catalog.beacon.invalid";
const CTX = { transport: "udp" as const, remoteAddress: "192.0.2.1" };
const PASSED = Uint8Array.of(0xff); // what the next route answered

function route(published = true) {
  const cat = new CatalogZone(CAT);
  if (published) cat.publish(42, [{ name: "a.example", createdAt: 1 }]);
  const seen: Uint8Array[] = [];
  const answer = catalogQueries((msg) => {
    seen.push(msg);
    return PASSED;
  }, cat);
  return { answer, seen };
}

describe("catalogQueries", () => {
  it("answers the catalog's SOA authoritatively, with the published serial", () => {
    const reply = decode(route().answer(buildQuery(CAT.toUpperCase(), { type: "SOA", id: 7 }), CTX));
    expect([reply.rcode, reply.aa, reply.msg.id]).toEqual([RCODE.NOERROR, true, 7]);
    expect(reply.msg.answers).toHaveLength(1);
    expect(reply.msg.answers?.[0]).toMatchObject({
      name: CAT,
      type: "SOA",
      data: { serial: 42, mname: "invalid" },
    });
  });

  it("refuses every other question about the catalog's names: members, version, other types and classes", () => {
    const { answer, seen } = route();
    const questions: [string, Parameters<typeof buildQuery>[1]][] = [
      [`version.${CAT}`, { type: "TXT" }],
      [`zones.${CAT}`, { type: "PTR" }],
      [`0123456789abcdef.zones.${CAT}`, { type: "PTR" }],
      [CAT, { type: "NS" }],
      [CAT, { type: "ANY" }],
      [CAT, { type: "SOA", class: "CH" }],
    ];
    for (const [name, opts] of questions) {
      const reply = decode(answer(buildQuery(name, opts), CTX));
      expect([name, opts?.type, reply.rcode, reply.aa, reply.msg.answers ?? []]).toEqual([
        name,
        opts?.type,
        RCODE.REFUSED,
        false,
        [],
      ]);
    }
    expect(seen).toEqual([]);
  });

  it("passes on everything else: other names, names below the catalog outside its own, malformed messages", () => {
    const { answer, seen } = route();
    const others = [
      buildQuery("a.example", { type: "SOA" }),
      buildQuery(`other.${CAT}`, { type: "A" }),
      buildQuery(`x${CAT}`, { type: "SOA" }),
      Uint8Array.of(1, 2, 3),
    ];
    for (const msg of others) expect(answer(msg, CTX)).toBe(PASSED);
    expect(seen).toHaveLength(others.length);
  });

  it("until published: SERVFAIL for the SOA (try again), REFUSED for the rest, nothing passed on", () => {
    const { answer, seen } = route(false);
    expect(decode(answer(buildQuery(CAT, { type: "SOA" }), CTX)).rcode).toBe(RCODE.SERVFAIL);
    expect(decode(answer(buildQuery(`version.${CAT}`, { type: "TXT" }), CTX)).rcode).toBe(RCODE.REFUSED);
    expect(seen).toEqual([]);
  });

  it("is the route itself without a catalog", () => {
    const next = () => PASSED;
    expect(catalogQueries(next, undefined)).toBe(next);
  });
});
