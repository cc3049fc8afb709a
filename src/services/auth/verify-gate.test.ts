import { describe, expect, it } from "vitest";
import { createVerifyGate } from "./verify-gate.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("verify gate", () => {
  it("runs at most `concurrency` at once, in arrival order", async () => {
    const gate = createVerifyGate({ concurrency: 2, maxWaiting: 10 });
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const blockers = Array.from({ length: 5 }, deferred);
    const runs = blockers.map((b, i) =>
      gate.run(async () => {
        active++;
        peak = Math.max(peak, active);
        order.push(i);
        await b.promise;
        active--;
        return i;
      }),
    );
    for (const b of blockers) {
      await new Promise((r) => setImmediate(r));
      b.resolve();
    }
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it("refuses with too_many_attempts when the queue is full, and recovers", async () => {
    const gate = createVerifyGate({ concurrency: 1, maxWaiting: 1 });
    const block = deferred();
    const first = gate.run(() => block.promise);
    const second = gate.run(() => Promise.resolve("second"));
    await expect(gate.run(() => Promise.resolve("third"))).rejects.toMatchObject({
      code: "too_many_attempts",
    });
    block.resolve();
    await first;
    expect(await second).toBe("second");
    expect(await gate.run(() => Promise.resolve("later"))).toBe("later");
  });

  it("frees the slot when the task fails", async () => {
    const gate = createVerifyGate({ concurrency: 1, maxWaiting: 0 });
    await expect(gate.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await gate.run(() => Promise.resolve(1))).toBe(1);
  });
});
