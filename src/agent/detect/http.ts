// Source type "http": any echo URL. The reply must be 2xx and, after trimming, exactly one address;
// or with `pattern`, the capture group of every match must name one address (e.g. `^ip=(.+)$` for
// Cloudflare's /cdn-cgi/trace); or with `format: json`, the string at `field` (a dotted path).
// The request is made over the asked family and from ctx.localAddress (multi-WAN).

import { z } from "zod";
import { isBeaconError } from "../../core/errors.js";
import type { IpFamily } from "../../core/ip.js";
import { addressFromText, addressFromValues, quote } from "./extract.js";
import { failed, guardObserve } from "./observe.js";
import { familiesSetting, httpUrlSetting, operatorSetting } from "./schema.js";
import type { IpSource, Observation, SourceDefinition, SourceDeps } from "./types.js";

/** Echo replies are tiny; a bigger body is not an echo reply. */
const MAX_BYTES = 16 * 1024;

function captureGroups(pattern: string): number | undefined {
  try {
    return new RegExp(`${pattern}|`, "m").exec("")!.length - 1;
  } catch {
    return undefined;
  }
}

const settings = z
  .strictObject({
    url: httpUrlSetting,
    /** Regular expression (compiled with the `m` flag) with exactly one capture group. */
    pattern: z
      .string()
      .min(1)
      .max(256)
      .refine((p) => captureGroups(p) === 1, {
        message: "must be a valid regular expression with exactly one capture group",
      })
      .optional(),
    format: z.enum(["text", "json"]).default("text"),
    /** Dotted path of the address in a JSON reply. */
    field: z.string().min(1).max(128).default("ip"),
    families: familiesSetting.default([4, 6]),
    operator: operatorSetting.optional(),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .refine((s) => !(s.format === "json" && s.pattern !== undefined), {
    message: "pattern applies to text replies only; use field with format: json",
    path: ["pattern"],
  });

export type HttpSourceSettings = z.infer<typeof settings>;

export const httpSource: SourceDefinition<HttpSourceSettings> = {
  type: "http",
  description: "An HTTP(S) echo service that replies with the caller's address",
  settings,
  create: (id, s, deps) => createHttpSource(id, s, deps),
};

export function createHttpSource(id: string, s: HttpSourceSettings, deps: SourceDeps): IpSource {
  const families = s.families;
  return {
    id,
    operator: s.operator ?? new URL(s.url).hostname,
    families,
    observe: (ctx) =>
      guardObserve(families, ctx, async () => {
        let reply;
        try {
          reply = await deps.httpRequest(s.url, {
            headers: { accept: s.format === "json" ? "application/json" : "text/plain", ...s.headers },
            family: ctx.family,
            localAddress: ctx.localAddress,
            signal: ctx.signal,
            maxBytes: MAX_BYTES,
          });
        } catch (e) {
          if (isBeaconError(e) && e.code === "parameter_too_large")
            return failed("unparsable", `the reply is larger than ${MAX_BYTES} bytes`);
          throw e;
        }
        if (reply.status < 200 || reply.status > 299)
          return failed(
            "http_status",
            `HTTP ${reply.status}${reply.body.trim() ? ` ${quote(reply.body)}` : ""}`,
          );
        return interpret(reply.body, s, ctx.family);
      }),
  };
}

function interpret(body: string, s: HttpSourceSettings, family: IpFamily): Observation {
  if (s.format === "json") return fromJson(body, s.field, family);
  if (s.pattern === undefined) return addressFromText(body, family);
  const captures = [...body.matchAll(new RegExp(s.pattern, "gm"))].map((m) => m[1] ?? "");
  return addressFromValues(captures, family, "match of the pattern");
}

function fromJson(body: string, field: string, family: IpFamily): Observation {
  if (body.trim() === "") return failed("empty", "the reply is empty");
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return failed("unparsable", `the reply is not JSON: ${quote(body)}`);
  }
  for (const key of field.split(".")) {
    value =
      typeof value === "object" && value !== null && Object.hasOwn(value, key)
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  if (typeof value !== "string") return failed("no_address", `no string at "${field}" in the JSON reply`);
  return addressFromText(value, family);
}
