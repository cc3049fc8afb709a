// The JWT authenticator against a local issuer on loopback (testing/local-issuer.ts) through the
// real HttpRequest: a good token, then every bad input the brief names — expired, nbf in the future,
// too old, wrong aud, untrusted iss, alg none, HS256 signed with the public key, unknown kid (then
// rotation), tampered payload, claim mismatch, issuer down (then back), discovery issuer mismatch,
// oversize token, garbage JWKS, not a JWT at all.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SignJWT } from "jose";

import { createHttpRequest } from "../../net/http-request.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import type { Store } from "../../store/ports.js";
import { createIssuerKeys } from "./issuer-keys.js";
import { createJwtAuthenticator, looksLikeJwt, type JwtAuthenticator } from "./jwt-auth.js";
import { startLocalIssuer, type LocalIssuer } from "./testing/local-issuer.js";
import { checkTrustRule } from "./trust-rules.js";

const GITHUB_CLAIMS = {
  sub: "repo:acme/site:ref:refs/heads/main",
  aud: "https://beacon.example",
  repository: "acme/site",
  ref: "refs/heads/main",
  environment: "production",
  job_workflow_ref: "acme/site/.github/workflows/deploy.yml@refs/heads/main",
};

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

let issuer: LocalIssuer;
let store: Store;
let offset: number;
let auth: JwtAuthenticator;

async function addRule(id: string, claims: Record<string, string>, over: { audience?: string } = {}) {
  await store.createTrustRule(
    checkTrustRule(
      {
        id,
        issuer: issuer.url,
        audience: over.audience ?? "https://beacon.example",
        claims: Object.entries(claims).map(([claim, value]) => ({ claim, value })),
        names: [{ name: "ci.example.com", subtree: false }],
        types: ["A", "AAAA"],
      },
      Date.now(),
    ),
  );
}

const codeOf = async (jwt: string) => {
  const verdict = await auth.check(jwt);
  return verdict.ok ? "ok" : verdict.error.code;
};

beforeEach(async () => {
  issuer = await startLocalIssuer();
  store = createMemoryStore();
  offset = 0;
  const clock = () => Date.now() + offset;
  auth = createJwtAuthenticator({
    store,
    clock,
    keys: createIssuerKeys({ http: createHttpRequest(), clock, cooldownMs: 30_000 }),
  });
  await addRule("deploy", { repository: "acme/site", ref: "refs/heads/main" });
});

afterEach(async () => {
  await issuer.close();
  await store.close();
});

describe("JWT authentication (keyless updates)", () => {
  it("accepts a GitHub-shaped token that meets the rule: the rule's scope, the subject in the id", async () => {
    const token = await auth.authenticate(await issuer.mint(GITHUB_CLAIMS));
    expect(token).toMatchObject({
      id: "jwt:deploy:repo:acme/site:ref:refs/heads/main",
      names: [{ name: "ci.example.com", subtree: false }],
      types: ["A", "AAAA"],
      revokedAt: undefined,
    });
    expect(token.secretHash).toBe("");
  });

  it("takes the first rule (by id) whose conditions hold; globs match", async () => {
    await addRule("any-branch", { repository: "acme/*", ref: "refs/heads/*" });
    const verdict = await auth.check(await issuer.mint({ ...GITHUB_CLAIMS, ref: "refs/heads/dev" }));
    expect(verdict.ok && verdict.rule.id).toBe("any-branch");
  });

  it("refuses a claim mismatch (a token of another branch) with jwt_no_rule, naming the condition", async () => {
    const verdict = await auth.check(await issuer.mint({ ...GITHUB_CLAIMS, ref: "refs/heads/evil" }));
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.error.code).toBe("jwt_no_rule");
    expect(verdict.error.status).toBe(403);
    expect(verdict.reasons.join()).toContain('claim ref is "refs/heads/evil", wanted refs/heads/main');
    expect(verdict).toMatchObject({ verified: true, subject: GITHUB_CLAIMS.sub, issuer: issuer.url });
  });

  it("refuses an absent or non-scalar claim", async () => {
    const { repository: _gone, ...rest } = GITHUB_CLAIMS;
    expect(await codeOf(await issuer.mint(rest))).toBe("jwt_no_rule");
    expect(await codeOf(await issuer.mint({ ...GITHUB_CLAIMS, repository: ["acme/site"] }))).toBe(
      "jwt_no_rule",
    );
  });

  it("refuses expired tokens, nbf in the future, tokens older than an hour, missing exp", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await auth.check(await issuer.mint({ ...GITHUB_CLAIMS, iat: now - 600, exp: now - 120 }));
    expect(expired.ok || [expired.error.code, expired.error.message]).toEqual([
      "jwt_invalid",
      "the JWT has expired",
    ]);
    expect(await codeOf(await issuer.mint({ ...GITHUB_CLAIMS, nbf: now + 600 }))).toBe("jwt_invalid");
    expect(await codeOf(await issuer.mint({ ...GITHUB_CLAIMS, iat: now - 7200, exp: now + 600 }))).toBe(
      "jwt_invalid",
    );
    const noExp = await auth.check(await issuer.mint({ ...GITHUB_CLAIMS, exp: undefined }));
    expect(noExp.ok || noExp.error.message).toContain("exp claim");
  });

  it("allows 60 s of clock skew, not more (exp, nbf, iat in the future)", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await codeOf(await issuer.mint({ ...GITHUB_CLAIMS, nbf: now + 30 }))).toBe("ok");
    expect(await codeOf(await issuer.mint({ ...GITHUB_CLAIMS, exp: now - 30 }))).toBe("ok");
    expect(await codeOf(await issuer.mint({ ...GITHUB_CLAIMS, exp: now - 90 }))).toBe("jwt_invalid");
    expect(await codeOf(await issuer.mint({ ...GITHUB_CLAIMS, iat: now + 90, exp: now + 600 }))).toBe(
      "jwt_invalid",
    );
  });

  it("refuses a token for another audience with jwt_invalid (401)", async () => {
    const verdict = await auth.check(await issuer.mint({ ...GITHUB_CLAIMS, aud: "https://other.example" }));
    expect(verdict.ok || [verdict.error.code, verdict.error.status]).toEqual(["jwt_invalid", 401]);
  });

  it("refuses an issuer no rule names, and a token without iss", async () => {
    expect(await codeOf(await issuer.mint({ ...GITHUB_CLAIMS, iss: "https://evil.example" }))).toBe(
      "jwt_untrusted_issuer",
    );
    expect(await codeOf(await issuer.mint({ ...GITHUB_CLAIMS, iss: `${issuer.url}/` }))).toBe(
      "jwt_untrusted_issuer",
    );
    const noIss = `${b64({ alg: "ES256" })}.${b64({ sub: "x" })}.c2ln`;
    expect(await codeOf(noIss)).toBe("jwt_invalid");
  });

  it('refuses alg "none" and HS256 signed with the issuer\'s public key (key confusion)', async () => {
    const payload = { ...GITHUB_CLAIMS, iss: issuer.url, iat: Math.floor(Date.now() / 1000), exp: 9e9 };
    expect(await codeOf(`${b64({ alg: "none" })}.${b64(payload)}.`)).toBe("jwt_invalid");
    const secret = new TextEncoder().encode(JSON.stringify(issuer.publicJwk()));
    const hs = await new SignJWT(payload).setProtectedHeader({ alg: "HS256" }).sign(secret);
    expect(await codeOf(hs)).toBe("jwt_invalid");
    expect(issuer.jwksFetches).toBe(0);
  });

  it("refuses a tampered payload", async () => {
    const [h, , s] = (await issuer.mint(GITHUB_CLAIMS)).split(".");
    expect(await codeOf(`${h}.${b64({ ...GITHUB_CLAIMS, iss: issuer.url, exp: 9e9 })}.${s}`)).toBe(
      "jwt_invalid",
    );
  });

  it("an unknown kid refetches once per cooldown; after the issuer rotates, the new key is accepted", async () => {
    expect(await codeOf(await issuer.mint(GITHUB_CLAIMS))).toBe("ok");
    expect(issuer.jwksFetches).toBe(1);
    const stray = await issuer.strayKey();
    expect(await codeOf(await issuer.mint(GITHUB_CLAIMS, stray))).toBe("jwt_invalid");
    expect(await codeOf(await issuer.mint(GITHUB_CLAIMS, stray))).toBe("jwt_invalid");
    expect(issuer.jwksFetches).toBe(1); // within the cooldown: no refetch for made-up kids
    await issuer.rotate();
    offset = 31_000;
    expect(await codeOf(await issuer.mint(GITHUB_CLAIMS))).toBe("ok");
    expect(issuer.jwksFetches).toBe(2);
  });

  it("an issuer that is down is oidc_unavailable (503), and the next request tries again", async () => {
    issuer.mode = "down";
    const verdict = await auth.check(await issuer.mint(GITHUB_CLAIMS));
    expect(verdict.ok || [verdict.error.code, verdict.error.status]).toEqual(["oidc_unavailable", 503]);
    issuer.mode = "ok";
    expect(await codeOf(await issuer.mint(GITHUB_CLAIMS))).toBe("ok");
  });

  it("an issuer that stopped listening is oidc_unavailable", async () => {
    const jwt = await issuer.mint(GITHUB_CLAIMS);
    await issuer.close();
    expect(await codeOf(jwt)).toBe("oidc_unavailable");
    issuer = await startLocalIssuer(); // for afterEach
  });

  it("a discovery document naming another issuer, or a garbage JWKS, is oidc_unavailable", async () => {
    issuer.mode = "wrong_issuer";
    expect(await codeOf(await issuer.mint(GITHUB_CLAIMS))).toBe("oidc_unavailable");
    issuer.mode = "garbage_jwks";
    expect(await codeOf(await issuer.mint(GITHUB_CLAIMS))).toBe("oidc_unavailable");
  });

  it("refuses an oversize token and strings that are no JWT", async () => {
    expect(await codeOf(await issuer.mint({ ...GITHUB_CLAIMS, pad: "x".repeat(9000) }))).toBe("jwt_invalid");
    for (const bad of ["a.b", "a.b.c.d", "!!!.@@@.###", `${b64("x")}.${b64("y")}.z`, ""])
      expect(await codeOf(bad)).toBe("jwt_invalid");
  });

  it("authenticate throws the verdict's error", async () => {
    await expect(auth.authenticate(await issuer.mint({ ...GITHUB_CLAIMS, ref: "x" }))).rejects.toMatchObject({
      code: "jwt_no_rule",
    });
  });

  it("looksLikeJwt tells a JWT from a Beacon token", async () => {
    expect(looksLikeJwt(await issuer.mint(GITHUB_CLAIMS))).toBe(true);
    expect(looksLikeJwt("tk_abcdefghij.c2VjcmV0c2VjcmV0")).toBe(false);
    expect(looksLikeJwt("a.b.c")).toBe(true);
    expect(looksLikeJwt("a b.c.d")).toBe(false);
  });
});
