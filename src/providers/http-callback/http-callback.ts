// Provider "http": a user-defined HTTP request per write (and optionally per delete), for services
// and home-grown endpoints no other provider covers. Write-only: nothing is read back, so every
// acknowledged write is "changed". The templates' {{placeholders}} are ENCODED FOR WHERE THEY SIT —
// percent-encoded in the URL and in form bodies, JSON-escaped inside a JSON string (a JSON literal
// outside one), raw in headers but refused when they would break the header — so a TXT value can
// neither add a header nor end a JSON string. Templates are checked at load (templates are config).

import { z } from "zod";
import { BeaconError } from "../../core/errors.js";
import { isAtOrBelow, tryNormalizeName } from "../../core/names.js";
import { codeForStatus, VendorError, vendorFailure } from "../errors.js";
import { retryAfterOf, sendVendor } from "../kit/http.js";
import { withoutSecret } from "../kit/secret-url.js";
import { secret } from "../kit/secrets.js";
import { assertSupported } from "../kit/sets.js";
import {
  BAD_HEADER_CHAR,
  bodyKind,
  CALLBACK_PLACEHOLDERS,
  fillBody,
  isPlaceholder,
  METHODS,
  render,
  requestPlaceholders,
  textOf,
  type CallbackRequestSettings,
  type Fill,
  type HttpCallbackSettings,
  type Method,
} from "./request.js";
import { fillTemplate, parseTemplate, percentEncode, placeholdersOf } from "../kit/template.js";
import type { CallContext, ProviderCapabilities, ProviderDefinition, WriteOutcome } from "../types.js";

export type { CallbackRequestSettings, HttpCallbackSettings } from "./request.js";

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const RESERVED_HEADERS = ["host", "content-length", "transfer-encoding", "connection", "content-type"];

// A URL's query values and every header value may carry a credential (`?apikey=…`, `Authorization:`).
const requestShape = (defaultMethod: Method) => ({
  url: secret(z.string({ error: "expected a URL template" }).min(1, { error: "the URL is empty" }), "url"),
  method: z.enum(METHODS, { error: `expected one of ${METHODS.join(", ")}` }).default(defaultMethod),
  headers: secret(
    z
      .record(
        z.string().regex(HEADER_NAME, { error: "not a valid header name" }),
        z.string({ error: "expected a header value template" }),
      )
      .default({}),
    "headers",
  ),
  body: z.string({ error: "expected a body template" }).optional(),
  content_type: z
    .string({ error: "expected a media type" })
    .regex(/^[\w.+-]+\/[\w.+-]+( *;[\x20-\x7e]*)?$/, {
      error: "expected a media type, e.g. application/json",
    })
    .optional(),
});

const settings: z.ZodType<HttpCallbackSettings> = z
  .strictObject({
    ...requestShape("POST"),
    delete: z.strictObject(requestShape("DELETE")).optional(),
    success: z
      .array(z.int().min(100).max(599), { error: "expected a list of HTTP status codes" })
      .min(1, { error: "list at least one status" })
      .optional(),
    zone: z
      .string({ error: "expected a zone name" })
      .refine((n) => tryNormalizeName(n) !== undefined, { error: "not a domain name" })
      .transform((n) => tryNormalizeName(n) ?? n)
      .optional(),
    secret: secret(
      z.string({ error: "expected the secret (or secret_file)" }).min(1, { error: "the secret is empty" }),
    ).optional(),
  })
  .superRefine((s, ctx) => {
    const report = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
    checkRequest(s, s, [], report);
    if (s.delete !== undefined) checkRequest(s.delete, s, ["delete"], report);
    const used = requestPlaceholders(s);
    if (!used.some((p) => p === "value" || p === "values" || p === "values_json"))
      report([], "the request never sends the record: use {{value}}, {{values}} or {{values_json}}");
  });

export const httpCallbackProvider: ProviderDefinition<HttpCallbackSettings> = {
  type: "http",
  description: "A templated HTTP request per change (URL, method, headers, body); write-only, A/AAAA/TXT",
  settings,
  create(id, s, deps) {
    const vendor = `http ${hostOf(s.url)}`;
    const used = requestPlaceholders(s);
    const caps: ProviderCapabilities = {
      types: ["A", "AAAA", "TXT"],
      read: false,
      delete: s.delete !== undefined,
      multiValue: used.includes("values") || used.includes("values_json"),
      ttl: false,
    };
    const call = async (r: CallbackRequestSettings, fill: Fill, ctx: CallContext): Promise<WriteOutcome> => {
      if (s.zone !== undefined && !isAtOrBelow(fill.name, s.zone))
        throw new BeaconError(
          "provider_zone_not_found",
          `${vendor} (${id}): ${fill.name} is not in ${s.zone}`,
        );
      const reply = await sendVendor(deps, vendor, render(r, s, fill, vendor), ctx);
      const ok =
        s.success === undefined
          ? reply.status >= 200 && reply.status < 300
          : s.success.includes(reply.status);
      if (ok) return "changed";
      // An endpoint that echoes the request would echo the secret: never let it into a message.
      const body = s.secret === undefined ? reply.body : withoutSecret(reply.body, s.secret);
      const said = body.trim() === "" ? "(empty reply)" : body;
      throw vendorFailure(
        codeForStatus(reply.status),
        new VendorError(vendor, said, { status: reply.status }),
        {
          retryAfterMs: retryAfterOf(reply, deps.clock()),
        },
      );
    };
    return {
      id,
      type: "http",
      capabilities: caps,
      get: () =>
        Promise.reject(
          new BeaconError("provider_unsupported", `${vendor} (${id}): a callback cannot read records`),
        ),
      async upsert(req, ctx) {
        assertSupported(vendor, caps, req.type, req.values.length);
        return call(s, { name: req.fqdn, type: req.type, values: req.values, ttl: req.ttl }, ctx);
      },
      async delete(fqdn, type, ctx) {
        if (s.delete === undefined)
          throw new BeaconError("provider_unsupported", `${vendor} (${id}): no delete request is configured`);
        assertSupported(vendor, caps, type);
        return call(
          { ...s.delete, headers: { ...s.headers, ...s.delete.headers } },
          { name: fqdn, type, values: [], ttl: undefined },
          ctx,
        );
      },
    };
  },
};

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "callback";
  }
}

// ---- load-time checks ----

const SAMPLE: Fill = { name: "home.example.com", type: "A", values: ["81.2.69.142"], ttl: 300 };

function checkRequest(
  r: CallbackRequestSettings,
  s: HttpCallbackSettings,
  at: PropertyKey[],
  report: (path: PropertyKey[], message: string) => void,
): void {
  const templates: [PropertyKey[], string][] = [
    [[...at, "url"], r.url],
    ...Object.entries(r.headers).map(([k, v]): [PropertyKey[], string] => [[...at, "headers", k], v]),
    ...(r.body === undefined ? [] : [[[...at, "body"], r.body] as [PropertyKey[], string]]),
  ];
  let ok = true;
  for (const [path, template] of templates) {
    for (const p of placeholdersOf(parseTemplate(template))) {
      const problem = !isPlaceholder(p)
        ? `unknown placeholder {{${p}}} (known: ${Object.keys(CALLBACK_PLACEHOLDERS)
            .map((k) => `{{${k}}}`)
            .join(", ")})`
        : p === "zone" && s.zone === undefined
          ? "{{zone}} needs the zone setting"
          : p === "secret" && s.secret === undefined
            ? "{{secret}} needs the secret setting (or secret_file)"
            : p === "secret" && path.at(-1) === "url"
              ? "{{secret}} may not go into the URL (URLs end up in logs): send it in a header or the body"
              : undefined;
      if (problem !== undefined) {
        report(path, problem);
        ok = false;
      }
    }
  }
  for (const [name, template] of Object.entries(r.headers)) {
    if (RESERVED_HEADERS.includes(name.toLowerCase()))
      report(
        [...at, "headers", name],
        `${name} is set by Beacon${name.toLowerCase() === "content-type" ? " (use content_type)" : ""}`,
      );
    else if (BAD_HEADER_CHAR.test(template))
      report([...at, "headers", name], "a header value cannot hold control characters (CR, LF, …)");
  }
  if (r.body !== undefined && r.method === "GET")
    report([...at, "body"], "a GET request carries no body: use POST or PUT");
  if (r.body === undefined && r.content_type !== undefined)
    report([...at, "content_type"], "content_type without a body");
  if (!ok) return;
  const urlProblem = checkUrl(fillTemplate(r.url, (p) => percentEncode(textOf(p, s, SAMPLE))));
  if (urlProblem !== undefined) report([...at, "url"], urlProblem);
  if (r.body !== undefined && bodyKind(r.content_type ?? "application/json") === "json") {
    try {
      JSON.parse(fillBody(r.body, "application/json", s, SAMPLE));
    } catch (e) {
      report([...at, "body"], `not JSON once filled in: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

function checkUrl(rendered: string): string | undefined {
  let url: URL;
  try {
    url = new URL(rendered);
  } catch {
    return "not an absolute URL once filled in";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "expected an http:// or https:// URL";
  if (url.username !== "" || url.password !== "")
    return "credentials do not belong in the URL: use a header with {{secret}}";
  if (url.hash !== "") return "a URL fragment (#…) is not allowed";
  return undefined;
}
