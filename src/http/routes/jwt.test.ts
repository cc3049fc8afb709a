// Keyless updates over HTTP: a bearer JWT from a local issuer (services/oidc/testing) on /nic/update
// and the JSON API. Asserts the reply words and statuses each verdict maps to (good, badauth for a
// bad signature / expired / untrusted issuer, !yours for claims that meet no rule, 911 + Retry-After
// for an issuer that is down, nohost + a history entry naming the subject for a name outside the
// rule's scope), and that the token never reaches the log.

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { createHttpRequest } from "../../net/http-request.js";
import { createIssuerKeys } from "../../services/oidc/issuer-keys.js";
import { createJwtAuthenticator } from "../../services/oidc/jwt-auth.js";
import { startLocalIssuer, type LocalIssuer } from "../../services/oidc/testing/local-issuer.js";
import { checkTrustRule } from "../../services/oidc/trust-rules.js";
import { recordingLog, type LogLine } from "../../services/testing/recorders.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import { CLIENT_V4, createFixture, UA, type Fixture } from "../testing/fixture.js";

const CLAIMS = {
  sub: "repo:acme/site:ref:refs/heads/main",
  aud: "beacon-test",
  repository: "acme/site",
  ref: "refs/heads/main",
};

let issuer: LocalIssuer;
let fx: Fixture;
let jwtLogs: LogLine[];

beforeEach(async () => {
  issuer = await startLocalIssuer("EdDSA");
  jwtLogs = [];
  const store = createMemoryStore();
  const jwt = createJwtAuthenticator({
    store,
    clock: Date.now,
    keys: createIssuerKeys({ http: createHttpRequest(), clock: Date.now, cooldownMs: 0 }),
    log: recordingLog(jwtLogs),
  });
  fx = await createFixture({ store, jwt });
  await store.createTrustRule(
    checkTrustRule(
      {
        id: "deploy",
        issuer: issuer.url,
        audience: "beacon-test",
        claims: [
          { claim: "repository", value: "acme/site" },
          { claim: "ref", value: "refs/heads/main" },
        ],
        names: [{ name: "home.example.com", subtree: false }],
        types: ["A"],
      },
      0,
    ),
  );
});

afterEach(async () => {
  await issuer.close();
});

const update = (jwt: string, hostname = "home.example.com") =>
  fx.request(`/nic/update?hostname=${hostname}&myip=${CLIENT_V4}`, {
    headers: { authorization: `Bearer ${jwt}`, "user-agent": UA },
  });

describe("keyless updates (JWT) over HTTP", () => {
  it("dyndns2: a good token updates the host; history names the rule and subject, never the token", async () => {
    const jwt = await issuer.mint(CLAIMS);
    const res = await update(jwt);
    expect([res.status, await res.text()]).toEqual([200, `good ${CLIENT_V4}`]);
    expect(await fx.rrsets("home.example.com")).toEqual([{ type: "A", ttl: 60, values: [CLIENT_V4] }]);
    const history = await fx.store.listHistory("home.example.com", { limit: 5 });
    expect(history[0]?.tokenId).toBe(`jwt:deploy:${CLAIMS.sub}`);
    expect(JSON.stringify(fx.logs)).not.toContain(jwt.split(".")[2]);
  });

  it("dyndns2: a name outside the rule's scope is nohost (and, as for tokens, not in that host's history)", async () => {
    const res = await update(await issuer.mint(CLAIMS), "office.example.com");
    expect(await res.text()).toBe("nohost");
    expect(await fx.store.listHistory("office.example.com", { limit: 5 })).toEqual([]);
  });

  it("dyndns2: a tampered, expired or untrusted token is badauth (401)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const [h, p] = (await issuer.mint(CLAIMS)).split(".");
    for (const jwt of [
      `${h}.${p}.${"A".repeat(86)}`,
      await issuer.mint({ ...CLAIMS, iat: now - 900, exp: now - 600 }),
      await issuer.mint({ ...CLAIMS, iss: "https://evil.example" }),
    ]) {
      const res = await update(jwt);
      expect([res.status, await res.text()]).toEqual([401, "badauth"]);
    }
  });

  it("dyndns2: claims that meet no rule are !yours, logged with issuer and subject", async () => {
    const jwt = await issuer.mint({ ...CLAIMS, ref: "refs/heads/evil" });
    const res = await update(jwt);
    expect([res.status, await res.text()]).toEqual([200, "!yours"]);
    const line = jwtLogs.find((l) => l.msg === "JWT refused");
    expect(line?.obj).toMatchObject({ code: "jwt_no_rule", issuer: issuer.url, subject: CLAIMS.sub });
    expect(JSON.stringify([...jwtLogs, ...fx.logs])).not.toContain(jwt.split(".")[1]);
    expect(await fx.rrsets("home.example.com")).toEqual([]);
  });

  it("dyndns2: an issuer that is down is 911 with 503 and Retry-After, then works again", async () => {
    issuer.mode = "down";
    const res = await update(await issuer.mint(CLAIMS));
    expect([res.status, res.headers.get("retry-after"), await res.text()]).toEqual([503, "30", "911"]);
    issuer.mode = "ok";
    expect(await (await update(await issuer.mint(CLAIMS))).text()).toBe(`good ${CLIENT_V4}`);
  });

  it("JSON API: a good token writes; refusals are problem documents with their codes; in-scope refusals in history", async () => {
    let challenge: string | null = null;
    const put = async (jwt: string, values = ["81.2.69.160"]) => {
      const res = await fx.request("/api/v1/hosts/home.example.com/records/A", {
        method: "PUT",
        headers: { authorization: `Bearer ${jwt}`, "content-type": "application/json", "user-agent": UA },
        body: JSON.stringify({ values }),
      });
      const body = (await res.json()) as { code?: string; status?: string };
      challenge = res.headers.get("www-authenticate");
      return [res.status, body.code ?? body.status];
    };
    expect(await put(await issuer.mint(CLAIMS))).toEqual([200, "good"]);
    expect(await put(await issuer.mint(CLAIMS), ["10.0.0.1"])).toEqual([400, "ip_not_global"]);
    const refused = (await fx.store.listHistory("home.example.com", { limit: 1 }))[0];
    expect([refused?.outcome, refused?.tokenId]).toEqual(["ip_not_global", `jwt:deploy:${CLAIMS.sub}`]);
    expect(await put(await issuer.mint({ ...CLAIMS, ref: "refs/heads/dev" }))).toEqual([403, "jwt_no_rule"]);
    expect(await put(await issuer.mint({ ...CLAIMS, aud: "other" }))).toEqual([401, "jwt_invalid"]);
    expect(challenge).toContain("Bearer");
    // The key set is cached: an issuer outage after the first fetch does not stop updates.
    issuer.mode = "down";
    expect(await put(await issuer.mint(CLAIMS))).toEqual([200, "nochg"]);
    await issuer.rotate();
    expect(await put(await issuer.mint(CLAIMS))).toEqual([503, "oidc_unavailable"]);
  });

  it("a Beacon token as Bearer still goes to the token service, not the JWT check", async () => {
    const res = await update(await fx.token(["home.example.com"]));
    expect([res.status, await res.text()]).toEqual([200, `good ${CLIENT_V4}`]);
    expect(jwtLogs).toEqual([]);
  });

  it("without the authenticator a JWT is just an unknown token (badauth)", async () => {
    fx = await createFixture();
    const res = await update(await issuer.mint(CLAIMS));
    expect([res.status, await res.text()]).toEqual([401, "badauth"]);
  });
});
