// The contract every IP source passes (see ../types.ts). A source type's test calls
// runSourceContract with a factory and, per family it answers, fake deps under which it reports a
// known address; the suite then checks the failure paths with broken, hanging and lying deps.

import { describe, expect, it } from "vitest";
import type { IpFamily } from "../../../core/ip.js";
import type { IpSource, ObserveContext, SourceDeps } from "../types.js";
import { fakeDeps, hangingDeps, throwingDeps } from "./deps.js";

export interface SourceContractCase {
  readonly name: string;
  create(deps: SourceDeps): IpSource;
  /** One entry per family the source answers: deps under which it reports `address`. */
  readonly answers: readonly {
    readonly family: IpFamily;
    readonly deps: SourceDeps;
    readonly address: string;
  }[];
  /** Deps under which the service reports an address of the other family than `family`. */
  readonly otherFamily: readonly { readonly family: IpFamily; readonly deps: SourceDeps }[];
}

const ctx = (family: IpFamily, signal = new AbortController().signal): ObserveContext => ({
  family,
  signal,
  localAddress: undefined,
});

export function runSourceContract(c: SourceContractCase): void {
  describe(`source contract: ${c.name}`, () => {
    const families = c.create(fakeDeps()).families;

    it("has an id, an operator and answers at least one family, each covered by the case", () => {
      const source = c.create(fakeDeps());
      expect(source.id).not.toBe("");
      expect(source.operator).not.toBe("");
      expect(source.families.length).toBeGreaterThan(0);
      expect([...c.answers.map((a) => a.family)].sort()).toEqual([...families].sort());
    });

    for (const a of c.answers) {
      it(`reports ${a.address} for IPv${a.family} when the service says so`, async () => {
        const obs = await c.create(a.deps).observe(ctx(a.family));
        expect(obs).toEqual({ ok: true, ip: { text: a.address, family: a.family } });
      });
    }

    for (const family of [4, 6] as const) {
      it(`never throws when every dependency throws synchronously (IPv${family})`, async () => {
        const obs = await c.create(throwingDeps()).observe(ctx(family));
        if (obs.ok) expect(obs.ip.family).toBe(family);
        else expect(obs.detail).not.toBe("");
      });

      it(`never throws when every dependency rejects (IPv${family})`, async () => {
        const obs = await c.create(fakeDeps()).observe(ctx(family));
        if (obs.ok) expect(obs.ip.family).toBe(family);
        else expect(obs.reason).not.toBe("timeout");
      });

      it(`answers an already-aborted signal with a failed observation, even over hanging deps (IPv${family})`, async () => {
        const obs = await c.create(hangingDeps()).observe(ctx(family, AbortSignal.abort()));
        expect(obs.ok).toBe(false);
      });

      it(`returns when the signal fires mid-request over deps that hang (IPv${family})`, async () => {
        const ctrl = new AbortController();
        const pending = c.create(hangingDeps()).observe(ctx(family, ctrl.signal));
        ctrl.abort();
        const obs = await pending;
        expect(obs.ok).toBe(false);
      });
    }

    for (const o of c.otherFamily) {
      it(`rejects an address of the other family when IPv${o.family} is asked`, async () => {
        const obs = await c.create(o.deps).observe(ctx(o.family));
        expect(obs.ok).toBe(false);
      });
    }

    for (const family of ([4, 6] as const).filter((f) => !families.includes(f))) {
      it(`refuses IPv${family}, which it does not answer`, async () => {
        const ok = c.answers[0]!;
        const obs = await c.create(ok.deps).observe(ctx(family));
        expect(obs).toMatchObject({ ok: false, reason: "wrong_family" });
      });
    }
  });
}
