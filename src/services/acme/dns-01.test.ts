import { describe, expect, it } from "vitest";

import type { DesiredSets, HostOutcome } from "../../core/update.js";
import type { UpdateRequest } from "../apply-update.js";
import { createDnsChallenges } from "./dns-01.js";
import type { ChallengeTask } from "./ports.js";
import { ClockTimers } from "./testing.js";

const task = (name: string, value: string): ChallengeTask => ({ type: "dns-01", name, token: "t", value });

/** An update service that keeps TXT sets in a map (what the DNS index would answer) or fails. */
function fakeUpdates() {
  const txt = new Map<string, readonly string[]>();
  const requests: UpdateRequest[] = [];
  let fail: string | undefined;
  return {
    txt,
    requests,
    failWith: (m: string | undefined) => (fail = m),
    update(req: UpdateRequest): Promise<HostOutcome[]> {
      requests.push(req);
      const fqdn = req.hosts[0] ?? "";
      if (fail !== undefined)
        return Promise.resolve([{ status: "failed", fqdn, code: "store_unavailable", message: fail }]);
      const sets: DesiredSets = req.sets;
      const set = sets.TXT;
      if (set === null || set === undefined) txt.delete(fqdn);
      else txt.set(fqdn, set.values);
      return Promise.resolve([{ status: "good", fqdn, sets: [] }]);
    },
  };
}

function setup(answers: "follow" | "never" = "follow") {
  const updates = fakeUpdates();
  const timers = new ClockTimers(0);
  const solver = createDnsChallenges({
    updates,
    zoneOf: (n) => (n.endsWith(".dyn.example.com") ? "dyn.example.com" : undefined),
    answered: (n) => (answers === "follow" ? (updates.txt.get(n) ?? []) : []),
    clock: timers.clock,
    timers,
    waitMs: 1000,
  });
  return { updates, timers, solver };
}

describe("DNS-01 by Beacon", () => {
  it("writes _acme-challenge TXT through the update service as protocol acme, creating the host", async () => {
    const { updates, solver } = setup();
    await solver.present(task("home.dyn.example.com", "abc"));
    expect(updates.txt.get("_acme-challenge.home.dyn.example.com")).toEqual(["abc"]);
    const req = updates.requests[0];
    expect(req?.source.protocol).toBe("acme");
    expect(req?.token).toBeUndefined();
    expect([...(req?.createHosts ?? [])]).toEqual([
      ["_acme-challenge.home.dyn.example.com", "dyn.example.com"],
    ]);
    expect(req?.sets.TXT).toEqual({ values: ["abc"], ttl: 60 });
  });

  it("keeps every value of one name while each is pending; the last removal deletes the set", async () => {
    const { updates, solver } = setup();
    await Promise.all([
      solver.present(task("both.dyn.example.com", "one")),
      solver.present(task("both.dyn.example.com", "two")),
    ]);
    const fqdn = "_acme-challenge.both.dyn.example.com";
    expect(updates.txt.get(fqdn)).toEqual(["one", "two"]);
    await solver.cleanUp(task("both.dyn.example.com", "one"));
    expect(updates.txt.get(fqdn)).toEqual(["two"]);
    await solver.cleanUp(task("both.dyn.example.com", "two"));
    expect(updates.txt.has(fqdn)).toBe(false);
    expect(updates.requests.at(-1)?.sets.TXT).toBeNull();
    // Cleaning up what is not present writes nothing.
    const writes = updates.requests.length;
    await solver.cleanUp(task("both.dyn.example.com", "two"));
    await solver.cleanUp(task("elsewhere.example.net", "x"));
    expect(updates.requests).toHaveLength(writes);
  });

  it("refuses a name outside every zone (outside_zone) and reports a failed write with its code", async () => {
    const { updates, solver } = setup();
    await expect(solver.present(task("www.example.net", "v"))).rejects.toMatchObject({
      code: "outside_zone",
    });
    updates.failWith("disk gone");
    await expect(solver.present(task("a.dyn.example.com", "v"))).rejects.toMatchObject({
      code: "store_unavailable",
      message: "writing the TXT record _acme-challenge.a.dyn.example.com: disk gone",
    });
  });

  it("fails (acme_failed) when Beacon's DNS does not answer the record in time", async () => {
    const { timers, solver } = setup("never");
    const presenting = solver.present(task("a.dyn.example.com", "v"));
    const outcome = presenting.then(
      () => "resolved",
      (e: unknown) => e,
    );
    for (let i = 0; i < 100 && timers.nextAt() === undefined; i++) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 30 && timers.nextAt() !== undefined; i++) {
      timers.fireNext();
      await new Promise((r) => setImmediate(r));
    }
    expect(await outcome).toMatchObject({ code: "acme_failed" });
  });
});
