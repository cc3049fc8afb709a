// A mirror provider for service tests: records each write it accepted, and lets the test decide the
// fate of every call through `gate` (reject it, hold it until the signal fires, or let it through).

import { BeaconError } from "../../core/errors.js";
import { fullCapabilities } from "../../providers/kit/sets.js";
import type { CallContext, Provider, ProviderRecordType, WriteRequest } from "../../providers/types.js";

export interface FakeCall {
  readonly op: "upsert" | "delete";
  readonly fqdn: string;
  readonly type: ProviderRecordType;
  readonly values?: readonly string[];
}

export class FakeProvider implements Provider {
  readonly type = "fake";
  readonly capabilities = fullCapabilities();
  /** Writes accepted, in order. */
  readonly accepted: FakeCall[] = [];
  /** Every call, accepted or not. */
  attempts = 0;
  gate: ((call: FakeCall, signal: AbortSignal) => Promise<void>) | undefined;
  constructor(readonly id: string) {}

  get(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
  upsert(req: WriteRequest, ctx: CallContext): Promise<"changed"> {
    return this.#call({ op: "upsert", fqdn: req.fqdn, type: req.type, values: req.values }, ctx);
  }
  delete(fqdn: string, type: ProviderRecordType, ctx: CallContext): Promise<"changed"> {
    return this.#call({ op: "delete", fqdn, type }, ctx);
  }
  async #call(call: FakeCall, ctx: CallContext): Promise<"changed"> {
    this.attempts += 1;
    await this.gate?.(call, ctx.signal);
    this.accepted.push(call);
    return "changed";
  }
}

/** A gate that holds every call until its signal fires, then rejects as a provider does: aborted. */
export const hang = (_call: FakeCall, signal: AbortSignal): Promise<void> =>
  new Promise((_resolve, reject) => {
    signal.addEventListener("abort", () =>
      reject(new BeaconError("aborted", "fake: aborted before a reply")),
    );
  });
