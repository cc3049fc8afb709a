// Source type "static": a configured address. Useful for a fixed line, or to pin one family while the
// other is detected. Its operator is "static" unless configured.

import { z } from "zod";
import { guardObserve } from "./observe.js";
import { ipSetting, operatorSetting } from "./schema.js";
import type { SourceDefinition } from "./types.js";

const settings = z.strictObject({
  address: ipSetting,
  operator: operatorSetting.optional(),
});

export type StaticSourceSettings = z.infer<typeof settings>;

export const staticSource: SourceDefinition<StaticSourceSettings> = {
  type: "static",
  description: "A configured address",
  settings,
  create: (id, s) => {
    const families = [s.address.family];
    return {
      id,
      operator: s.operator ?? "static",
      families,
      observe: (ctx) => guardObserve(families, ctx, () => Promise.resolve({ ok: true, ip: s.address })),
    };
  },
};
