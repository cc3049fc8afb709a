// Settings pieces shared by several source types.

import { z } from "zod";
import { parseIp, type IpFamily } from "../../core/ip.js";

/** Families a source answers; a list of 4 and/or 6, at least one. */
export const familiesSetting = z
  .array(z.union([z.literal(4), z.literal(6)]))
  .min(1)
  .max(2)
  .transform((list) => [...new Set(list)].sort() as IpFamily[]);

/** Who runs the service; sources with the same operator count as one vote. */
export const operatorSetting = z.string().trim().min(1).max(64);

export const ipSetting = z
  .string()
  .refine((s) => parseIp(s) !== undefined, { message: "must be an IPv4 or IPv6 address" })
  .transform((s) => parseIp(s)!);

export const httpUrlSetting = z.string().refine(
  (s) => {
    try {
      const u = new URL(s);
      return u.protocol === "http:" || u.protocol === "https:";
    } catch {
      return false;
    }
  },
  { message: "must be an http:// or https:// URL" },
);
