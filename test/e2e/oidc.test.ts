// Keyless updates end to end: the real `beacon serve` (built dist/), a rule added with the real
// `beacon trust add` (another process), a local OIDC issuer on loopback (discovery + JWKS), and curl
// sending a minted GitHub-Actions-shaped JWT as `Authorization: Bearer`. Asserts: the update is
// applied (good, then nochg), a token of another branch is !yours and changes nothing, a token for
// another audience is badauth, the JSON API takes the same token, `beacon trust test` agrees, and
// the token appears in no log line.

import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startLocalIssuer, type LocalIssuer } from "../../src/services/oidc/testing/local-issuer.js";
import { DEMO_ZONE, runCli, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";

const run = promisify(execFile);
const HOST = `ci.${DEMO_ZONE}`;
const AUDIENCE = "https://beacon.e2e.test";

/** A GitHub Actions ID token's claims (docs.github.com, "About security hardening with OpenID Connect"). */
const GITHUB_CLAIMS = {
  sub: "repo:acme/site:environment:production",
  aud: AUDIENCE,
  repository: "acme/site",
  repository_owner: "acme",
  ref: "refs/heads/main",
  ref_type: "branch",
  environment: "production",
  workflow: "deploy",
  job_workflow_ref: "acme/site/.github/workflows/deploy.yml@refs/heads/main",
  event_name: "push",
  runner_environment: "github-hosted",
};

async function curl(args: readonly string[]): Promise<{ status: string; body: string }> {
  const { stdout } = await run("curl", ["-sS", "--max-time", "20", "-w", "\n%{http_code}", ...args]);
  const cut = stdout.lastIndexOf("\n");
  return { body: stdout.slice(0, cut), status: stdout.slice(cut + 1) };
}

describe("keyless updates with an OIDC JWT", () => {
  const dir = tempDir();
  let issuer: LocalIssuer;
  let beacon: Beacon | undefined;

  beforeAll(async () => {
    issuer = await startLocalIssuer("RS256");
    await seedHosts(dir.path, [HOST]);
  });
  afterAll(async () => {
    await beacon?.stop("SIGTERM");
    await issuer.close();
    dir.remove();
  });

  it("updates through curl with a minted token; refuses other branches and audiences", async () => {
    const add = await runCli(dir.path, [
      "trust",
      "add",
      "site-deploy",
      "--issuer",
      issuer.url,
      "--audience",
      AUDIENCE,
      "--claim",
      "repository=acme/site",
      "--claim",
      "ref=refs/heads/main",
      "--claim",
      "environment=production",
      "--name",
      HOST,
    ]);
    expect([add.code, add.stderr]).toEqual([0, ""]);
    beacon = await startBeacon({ dataDir: dir.path });

    const jwt = await issuer.mint(GITHUB_CLAIMS);
    const update = (token: string, ip: string) =>
      curl([
        "-H",
        `Authorization: Bearer ${token}`,
        "-A",
        "e2e-oidc/1.0",
        `${beacon!.url}/nic/update?hostname=${HOST}&myip=${ip}`,
      ]);
    expect(await update(jwt, "81.2.69.11")).toEqual({ status: "200", body: "good 81.2.69.11" });
    expect(await update(jwt, "81.2.69.11")).toEqual({ status: "200", body: "nochg 81.2.69.11" });
    const otherBranch = await issuer.mint({ ...GITHUB_CLAIMS, ref: "refs/heads/feature" });
    expect(await update(otherBranch, "81.2.69.12")).toEqual({ status: "200", body: "!yours" });
    const otherAudience = await issuer.mint({ ...GITHUB_CLAIMS, aud: "https://elsewhere.test" });
    expect(await update(otherAudience, "81.2.69.12")).toEqual({ status: "401", body: "badauth" });

    const api = await curl([
      "-X",
      "PUT",
      "-H",
      `Authorization: Bearer ${jwt}`,
      "-H",
      "content-type: application/json",
      "-A",
      "e2e-oidc/1.0",
      "--data",
      '{"values":["81.2.69.13"]}',
      `${beacon.url}/api/v1/hosts/${HOST}/records/A`,
    ]);
    expect(api.status).toBe("200");
    expect(JSON.parse(api.body)).toMatchObject({
      status: "good",
      records: [{ type: "A", values: ["81.2.69.13"] }],
    });

    const test = await runCli(dir.path, ["trust", "test", "site-deploy", "--jwt", otherBranch]);
    expect(test.code).not.toBe(0);
    expect(test.stdout).toContain('claim ref is "refs/heads/feature", wanted refs/heads/main');

    const signature = jwt.split(".")[2] ?? "";
    expect(beacon.stdout() + beacon.stderr()).not.toContain(signature);
  });
});
