import { describe, expect, it } from "vitest";
import { PROVIDER_TYPES } from "../../providers/registry.js";
import { T0 } from "../../store/testing/fixtures.js";
import type { MirrorStatus, MirrorTarget } from "../../store/types.js";
import { mirrorStatusView, mirrorStatusViews, mirrorView, type SchemaOf } from "./views.js";

const schemaOf: SchemaOf = (type) => PROVIDER_TYPES.get(type)?.settings;

const URL_KEY = "url-api-key-0001";
const HEADER = "Bearer header-token-0002";
const CALLBACK_SECRET = "callback-secret-0003";
const hook: MirrorTarget = {
  id: "hook",
  zone: "example.com",
  provider: "http",
  settings: {
    url: `https://hook.example/update?apikey=${URL_KEY}&name={{name}}&ip={{value}}`,
    headers: { Authorization: HEADER, "X-Trace": "on" },
    body: '{"token":"{{secret}}"}',
    secret: CALLBACK_SECRET,
  },
  createdAt: T0,
};

const base: Omit<MirrorStatus, "lastError"> = {
  id: "hook",
  zone: "example.com",
  provider: "http",
  pending: 1,
  oldestPendingAt: T0,
  lastSuccessAt: undefined,
  delivered: 0,
  skipped: 0,
  attempts: 2,
  nextTryAt: T0 + 1000,
  lease: { owner: "dns1.example/4242/0a1b2c3d4e5f", until: T0 + 60_000 },
};
/** A message recorded by an older version, quoting every secret in several forms. */
const leaky: MirrorStatus = {
  ...base,
  lastError: {
    code: "provider_auth",
    message: `http hook.example: 401 denied ${HEADER} /update?apikey=${encodeURIComponent(URL_KEY)} {"token":"${CALLBACK_SECRET}"}`,
    at: T0,
  },
};
const SECRETS = [URL_KEY, HEADER, "header-token-0002", CALLBACK_SECRET];

describe("mirror views", () => {
  it("shows settings by the provider's marks: secrets redacted, URLs without their keys, X_file paths kept", () => {
    const view = mirrorView({ ...hook, settings: { ...hook.settings, secret_file: "/run/s" } }, schemaOf);
    expect(view.settings).toEqual({
      url: "https://hook.example/update?apikey=[secret]&name={{name}}&ip={{value}}",
      headers: { Authorization: "<redacted>", "X-Trace": "<redacted>" },
      body: '{"token":"{{secret}}"}',
      secret: "<redacted>",
      secret_file: "/run/s",
    });
    expect(view.createdAt).toBe("2023-11-14T22:13:20.000Z");
  });

  it("shows admins the vendor's words without any secret of the mirror, in any form", () => {
    const [view] = mirrorStatusViews([leaky], [hook], schemaOf);
    const text = JSON.stringify(view);
    for (const s of SECRETS) expect(text).not.toContain(s);
    expect(text).not.toContain(encodeURIComponent(URL_KEY));
    expect(view?.lastError?.message).toContain("401 denied [secret]");
    expect(view?.settings["secret"]).toBe("<redacted>");
  });

  it("shows token holders the code and its generic title, never the vendor's words", () => {
    expect(mirrorStatusView(leaky).lastError).toEqual({
      code: "provider_auth",
      message: "The provider rejected the credentials",
      at: "2023-11-14T22:13:20.000Z",
    });
    const odd = { ...leaky, lastError: { code: "something_old", message: "x", at: T0 } };
    expect(mirrorStatusView(odd).lastError?.message).toBe("The mirror delivery failed");
  });

  it("shows admins which node holds the lease, token holders nothing of the nodes", () => {
    expect(mirrorStatusViews([leaky], [hook], schemaOf)[0]?.lease).toEqual({
      owner: "dns1.example/4242/0a1b2c3d4e5f",
      until: "2023-11-14T22:14:20.000Z",
    });
    expect(mirrorStatusViews([{ ...leaky, lease: undefined }], [hook], schemaOf)[0]?.lease).toBeNull();
    expect(JSON.stringify(mirrorStatusView(leaky))).not.toContain("dns1.example");
  });

  it("shows times as ISO strings and absent values as null", () => {
    expect(
      mirrorStatusView({ ...base, oldestPendingAt: undefined, nextTryAt: undefined, lastError: undefined }),
    ).toMatchObject({ oldestPendingAt: null, lastSuccessAt: null, lastError: null, nextTryAt: null });
  });

  it("redacts every setting of a provider this build does not know, and of a mirror already gone", () => {
    const unknown = {
      ...hook,
      provider: "gone-vendor",
      settings: { region: "x", api_secret: "zzzz-secret" },
    };
    expect(mirrorView(unknown, schemaOf).settings).toEqual({
      region: "<redacted>",
      api_secret: "<redacted>",
    });
    const [view] = mirrorStatusViews([leaky], [], schemaOf);
    expect(view?.settings).toEqual({});
  });
});
