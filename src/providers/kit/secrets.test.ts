import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PROVIDER_TYPES } from "../registry.js";
import { displaySettings, marksSecrets, REDACTED, secret, secretValues, urlSecrets } from "./secrets.js";

/** Each provider's secret settings with a value; every value here but URLs' non-query parts is secret. */
const SECRETS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  alidns: { access_key_id: "LTAI5tExampleId", access_key_secret: "ali-secret-value" },
  cloudflare: { api_token: "cf-token-value" },
  desec: { token: "desec-token-value" },
  digitalocean: { api_token: "dop_v1_value" },
  dnspod: { secret_id: "AKIDexample", secret_key: "dnspod-secret-key" },
  duckdns: { token: "a7c4d0ad-duck" },
  dyndns2: { password: "dyn-password", url: "https://dyn.example/nic/update?key=URLKEY1" },
  gandi: { api_token: "gandi-pat-value" },
  godaddy: { api_key: "godaddy-key", api_secret: "godaddy-secret" },
  hetzner: { api_token: "hetzner-token" },
  http: {
    url: "https://hook.example/u?apikey=URLKEY2&n={{name}}",
    headers: { authorization: "Bearer HDRTOKEN" },
    secret: "callback-secret",
    delete: { url: "https://hook.example/d?apikey=URLKEY3", headers: { "x-key": "DELKEY" } },
  },
  huaweicloud: { access_key: "HWAKEXAMPLE", secret_key: "huawei-secret" },
  namecheap: { password: "namecheap0pass" },
  porkbun: { api_key: "pk1_key", secret_api_key: "sk1_secret" },
  powerdns: { api_key: "pdns-api-key" },
  rfc2136: { key_secret: "c2VjcmV0LWtleQ==" },
  route53: { access_key_id: "AKIAEXAMPLE00000", secret_access_key: "aws-secret", session_token: "aws-sess" },
};

/** The string leaves of `v`, URLs reduced to their query values. */
function leaves(v: unknown): string[] {
  if (typeof v === "string") return v.startsWith("https://") ? urlSecrets(v) : [v];
  return typeof v === "object" && v !== null ? Object.values(v).flatMap(leaves) : [];
}

describe("secret settings marked in every provider's schema", () => {
  it("covers every registered provider", () => {
    expect([...PROVIDER_TYPES.keys()].sort()).toEqual(Object.keys(SECRETS).sort());
    for (const def of PROVIDER_TYPES.values()) expect(marksSecrets(def.settings), def.type).toBe(true);
  });

  it.each(Object.entries(SECRETS))("%s: finds exactly its secret values", (type, values) => {
    const schema = PROVIDER_TYPES.get(type)?.settings ?? z.never();
    const harmless = {
      zone: "example.com",
      domain: "example.com",
      endpoint: "https://api.example",
      username: "someone",
      api_token_file: "/run/secrets/t",
    };
    const found = secretValues(schema, { ...harmless, ...values });
    expect(new Set(found)).toEqual(new Set(leaves(values)));
  });
});

describe("urlSecrets", () => {
  it("finds query values (raw and decoded) and userinfo, never a template's placeholders", () => {
    expect(urlSecrets("https://u:p%40ss@h.example/x?a=1&key=k%2Bv&tpl={{name}}&mix=lit{{value}}#f")).toEqual([
      "u:p%40ss",
      "p%40ss",
      "1",
      "1",
      "k%2Bv",
      "k+v",
      "lit",
      "lit",
    ]);
    expect(urlSecrets("https://h.example/path")).toEqual([]);
  });
});

describe("displaySettings", () => {
  const schema = z.strictObject({
    token: secret(z.string()),
    url: secret(z.string(), "url"),
    headers: secret(z.record(z.string(), z.string()), "headers"),
    nested: z.strictObject({ key: secret(z.string()).optional(), name: z.string() }).optional(),
    zone: z.string(),
  });
  const cut = (t: string) => t.replaceAll("K3Y", "[secret]");

  it("redacts marked settings, secret parts of URLs and header values, keeps the rest", () => {
    expect(
      displaySettings(
        schema,
        {
          token: "t0ken",
          url: "https://h/x?k=K3Y",
          headers: { authorization: "Bearer x" },
          nested: { key: "k", name: "n" },
          zone: "example.com",
          token_file: "/run/t",
        },
        cut,
      ),
    ).toEqual({
      token: REDACTED,
      url: "https://h/x?k=[secret]",
      headers: { authorization: REDACTED },
      nested: { key: REDACTED, name: "n" },
      zone: "example.com",
      token_file: "/run/t",
    });
  });

  it("redacts every value but X_file paths for a provider it does not know", () => {
    expect(displaySettings(undefined, { a: "x", n: 5, a_file: "/p" }, cut)).toEqual({
      a: REDACTED,
      n: REDACTED,
      a_file: "/p",
    });
  });
});
