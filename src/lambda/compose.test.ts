// The Lambda composition's Route 53 side: the provider handed to the acknowledged-update layer is built
// at each call with the function's credentials read then from the environment, signs for us-east-1 at
// serverless.route53_endpoint (the Route 53 fake checks SigV4), and refuses clearly without them.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BeaconError } from "../core/errors.js";
import { startFakeRoute53, type FakeRoute53 } from "../providers/testing/fakes/route53.js";
import type { AcknowledgeDeps } from "../services/acknowledged-updates.js";
import type { UpdateService } from "../services/apply-update.js";
import type { MirrorTarget } from "../store/types.js";
import { route53MirrorId, SCHEDULE_BUDGET_MS, type AckLayer } from "./compose.js";
import { HOST, NOW, setup } from "./testing/fixture.js";

const KEY = "AKIABEACONTEST000001";
const ROTATED = "ASIABEACONTEST000002";
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN = "session-token-of-the-function";

let fake: FakeRoute53;
let zoneId: string;
beforeAll(async () => {
  fake = await startFakeRoute53({
    keys: { [KEY]: { secret: SECRET }, [ROTATED]: { secret: SECRET, sessionToken: TOKEN } },
  });
  zoneId = fake.addZone("dyn.example.com");
});
afterAll(() => fake.close());

/** An ack layer that records the deps it was given. */
function recording(): { layer: AckLayer; seen: AcknowledgeDeps[] } {
  const seen: AcknowledgeDeps[] = [];
  return {
    seen,
    layer: {
      acknowledgeUpdates: (u: UpdateService, deps) => (seen.push(deps), u),
      drainAll: (deps) => (seen.push(deps as AcknowledgeDeps), Promise.resolve(NOTHING)),
    },
  };
}

const NOTHING = { mirrors: 0, delivered: 0, pending: 0, failed: 0 };
const ctx = () => ({ signal: AbortSignal.timeout(5_000) });
const schedule = { source: "aws.events", "detail-type": "Scheduled Event" };

describe("composeLambda: Route 53 provider", () => {
  it("signs with the credentials the environment holds at each call (Lambda rotates them)", async () => {
    const { layer, seen } = recording();
    const env: Record<string, string | undefined> = { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET };
    const s = await setup(
      {
        BEACON_SERVERLESS_ROUTE53_ZONES: `dyn.example.com=${zoneId}`,
        BEACON_SERVERLESS_ROUTE53_ENDPOINT: fake.url,
      },
      layer,
      env,
    );
    await s.handler(schedule);
    const [updates, drain] = seen as [AcknowledgeDeps, AcknowledgeDeps];
    expect(updates.budgetMs).toBe(5_000);
    expect(drain.budgetMs).toBe(SCHEDULE_BUDGET_MS);
    expect([updates.deliveryTimeoutMs, drain.deliveryTimeoutMs]).toEqual([5_000, 5_000]);
    expect(updates.node).toMatch(/^lambda\/[0-9a-f]{12}$/);

    const mirror = (await s.store.getMirror(route53MirrorId("dyn.example.com"))) as MirrorTarget;
    const write = { fqdn: HOST, type: "A" as const, values: ["81.2.69.160"], ttl: 60 };
    expect(await updates.provider(mirror).upsert(write, ctx())).toBe("changed");
    expect(fake.find(zoneId, HOST, "A")[0]?.values).toEqual(["81.2.69.160"]);

    Object.assign(env, { AWS_ACCESS_KEY_ID: ROTATED, AWS_SESSION_TOKEN: TOKEN });
    const again = { ...write, values: ["81.2.69.161"] };
    expect(await updates.provider(mirror).upsert(again, ctx())).toBe("changed");
    expect(fake.find(zoneId, HOST, "A")[0]?.values).toEqual(["81.2.69.161"]);
    expect(JSON.stringify(mirror.settings)).toBe(`{"hosted_zone_id":"${zoneId}"}`);
  });

  it("without credentials in the environment: config_invalid naming them, no secret quoted", async () => {
    const { layer, seen } = recording();
    const s = await setup({}, layer, { AWS_ACCESS_KEY_ID: KEY });
    await s.handler(schedule);
    const mirror = (await s.store.getMirror(route53MirrorId("dyn.example.com"))) as MirrorTarget;
    const err = (() => {
      try {
        seen[0]?.provider(mirror);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(BeaconError);
    expect((err as BeaconError).code).toBe("config_invalid");
    expect((err as BeaconError).message).toContain("secret_access_key");
    expect((err as BeaconError).message).not.toContain(KEY);
  });

  it("a mirror of another provider is refused: the function delivers to route53 only", async () => {
    const { layer, seen } = recording();
    const s = await setup({}, layer, {});
    await s.handler(schedule);
    const other = { id: "cf", zone: "dyn.example.com", provider: "cloudflare", settings: {}, createdAt: NOW };
    expect(() => seen[0]?.provider(other)).toThrow(/route53 mirrors only/);
  });
});
