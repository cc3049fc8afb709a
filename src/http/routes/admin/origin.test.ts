import { Hono } from "hono";
import { describe, expect, test } from "vitest";
import type { AppEnv } from "../../deps.js";
import { requestOrigin } from "./origin.js";

const PROXY = "10.0.0.5";

/** An app whose transport middleware decided `secure` (undefined: none ran, as on the agent's page). */
function app(secure: boolean | undefined, publicUrl?: string) {
  const a = new Hono<AppEnv>();
  a.use("*", async (c, next) => {
    if (secure !== undefined) c.set("secure", secure);
    await next();
  });
  a.get("*", (c) =>
    c.text(
      requestOrigin(c, { publicUrl, clientAddress: (x) => x.req.header("x-test-peer") ?? "192.0.2.10" }, [
        `${PROXY}/32`,
      ]),
    ),
  );
  return a;
}

describe("requestOrigin", () => {
  test("the scheme comes from the socket, not from an absolute-form https:// target sent over plain HTTP", async () => {
    expect(await (await app(false).request("https://dns.example.org/admin/")).text()).toBe(
      "http://dns.example.org",
    );
    expect(await (await app(true).request("http://dns.example.org/admin/")).text()).toBe(
      "https://dns.example.org",
    );
    // Without the transport middleware (the agent's page) the URL is all there is.
    expect(await (await app(undefined).request("https://dns.example.org/")).text()).toBe(
      "https://dns.example.org",
    );
  });

  test("X-Forwarded-Proto and -Host count from a trusted proxy only; http.public_url wins", async () => {
    const headers = { "x-forwarded-proto": "https", "x-forwarded-host": "dyn.example.net" };
    const forged = await app(false).request("http://10.1.1.1:8245/", { headers });
    expect(await forged.text()).toBe("http://10.1.1.1:8245");
    const proxied = await app(false).request("http://10.1.1.1:8245/", {
      headers: { ...headers, "x-test-peer": PROXY },
    });
    expect(await proxied.text()).toBe("https://dyn.example.net");
    const configured = await app(false, "https://beacon.example.org").request("http://x/", { headers });
    expect(await configured.text()).toBe("https://beacon.example.org");
  });
});
