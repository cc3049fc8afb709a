// A tiny OpenID Connect issuer on 127.0.0.1:0 for tests: serves its discovery document and JWKS,
// mints tokens with jose's SignJWT, and can misbehave on demand (down, garbage key set, a discovery
// document naming another issuer, a rotated key). Counts the key-set fetches so tests can see a
// refetch happen.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";

export type IssuerMode = "ok" | "down" | "garbage_jwks" | "wrong_issuer";

export interface LocalIssuer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  mode: IssuerMode;
  /** How many times the JWKS was served. */
  jwksFetches: number;
  /** Signs `claims` (iss, iat and exp added unless given) with the current key, kid in the header. */
  mint(claims: JWTPayload, opts?: { alg?: string; kid?: string; key?: CryptoKey }): Promise<string>;
  /** A new key pair: published from now on (alone unless `keepOld`), its kid returned. */
  rotate(keepOld?: boolean): Promise<string>;
  /** A key pair never published (for a token with an unknown kid). */
  strayKey(): Promise<{ kid: string; key: CryptoKey }>;
  /** The current public key as a JWK (for the key-confusion test). */
  publicJwk(): JWK;
  close(): Promise<void>;
}

interface Pair {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

export async function startLocalIssuer(alg = "ES256"): Promise<LocalIssuer> {
  let counter = 0;
  const makePair = async (): Promise<Pair> => {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `key-${++counter}`;
    return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
  };
  let published: Pair[] = [await makePair()];

  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    if (issuer.mode === "down") return reply(503, { error: "down" });
    if (req.url === "/.well-known/openid-configuration")
      return reply(200, {
        issuer: issuer.mode === "wrong_issuer" ? "https://evil.example" : issuer.url,
        jwks_uri: `${issuer.url}/jwks`,
      });
    if (req.url === "/jwks") {
      issuer.jwksFetches++;
      if (issuer.mode === "garbage_jwks") return reply(200, '{"keys": "not a list"}');
      return reply(200, { keys: published.map((p) => p.jwk) });
    }
    reply(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  const issuer: LocalIssuer = {
    url: `http://127.0.0.1:${port}`,
    mode: "ok",
    jwksFetches: 0,
    async mint(claims, opts = {}) {
      const current = published[published.length - 1]!;
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer.url, iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg: opts.alg ?? alg, kid: opts.kid ?? current.kid, typ: "JWT" })
        .sign(opts.key ?? current.privateKey);
    },
    async rotate(keepOld = false) {
      const next = await makePair();
      published = keepOld ? [...published, next] : [next];
      return next.kid;
    },
    async strayKey() {
      const pair = await makePair();
      return { kid: pair.kid, key: pair.privateKey };
    },
    publicJwk: () => published[published.length - 1]!.jwk,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return issuer;
}
