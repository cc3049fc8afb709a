// fanOut keeps the order of listeners and of changes, and settles only when every listener that
// can settle has; kickOnCommit kicks on a serial change and a removed zone, and on nothing else.

import { describe, expect, it } from "vitest";

import type { ChangeListener } from "../store/change-listener.js";
import { zoneFixture } from "../store/testing/fixtures.js";
import { fanOut, kickOnCommit } from "./fan-out.js";

/** A listener that writes each call as "name:method" into `calls`. */
function recording(name: string, calls: string[]): ChangeListener {
  const note = (method: string) => () => void calls.push(`${name}:${method}`);
  return {
    zoneChanged: note("zoneChanged"),
    zoneRemoved: note("zoneRemoved"),
    hostChanged: note("hostChanged"),
    hostRemoved: note("hostRemoved"),
    serialChanged: note("serialChanged"),
  };
}

describe("fanOut", () => {
  it("tells every listener every change, listeners in the order given", () => {
    const calls: string[] = [];
    const all = fanOut(recording("index", calls), recording("journal", calls));
    all.hostChanged("a.example.com", "example.com", []);
    all.serialChanged("example.com", 2);
    all.zoneChanged(zoneFixture("example.com"));
    all.hostRemoved("a.example.com", "example.com");
    all.zoneRemoved("example.com");
    expect(calls).toEqual([
      "index:hostChanged",
      "journal:hostChanged",
      "index:serialChanged",
      "journal:serialChanged",
      "index:zoneChanged",
      "journal:zoneChanged",
      "index:hostRemoved",
      "journal:hostRemoved",
      "index:zoneRemoved",
      "journal:zoneRemoved",
    ]);
  });

  it("settles once every listener that can settle has", async () => {
    let release!: () => void;
    const slow: ChangeListener = {
      ...recording("workers", []),
      settled: () => new Promise<void>((r) => (release = r)),
    };
    let done = false;
    const settled = fanOut(recording("index", []), slow).settled!().then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    release();
    await settled;
    expect(done).toBe(true);
  });
});

describe("kickOnCommit", () => {
  it("kicks on a serial change and a removed zone only", () => {
    let kicks = 0;
    const listener = kickOnCommit({ kick: () => kicks++ });
    listener.hostChanged("a.example.com", "example.com", []);
    listener.hostRemoved("a.example.com", "example.com");
    listener.zoneChanged(zoneFixture("example.com"));
    expect(kicks).toBe(0);
    listener.serialChanged("example.com", 2);
    listener.zoneRemoved("example.com");
    expect(kicks).toBe(2);
  });
});
