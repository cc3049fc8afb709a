// The AcmeCa port (services/acme/ports.ts) over acme-client (RFC 8555): account, order, challenges
// through the given solver, finalize, download. acme-client's own challenge check (a DNS lookup or an
// HTTP fetch of our own name) is skipped: the solver resolves only once Beacon serves the challenge.
//
// acme.ca_file: acme-client makes its requests through one axios instance of the module, so the extra
// CA (beside Node's roots) is set on that instance's defaults: one CA per process, the only ACME client
// being this one.
//
// acme-client (with axios, node-forge and @peculiar/x509: ~8 MiB of heap) is loaded on first use, so a
// server without ACME never pays for it.

import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { rootCertificates } from "node:tls";
import type * as AcmeClient from "acme-client";
import { BeaconError } from "../../core/errors.js";
import type { AcmeCa, ChallengeTask, IssueRequest } from "../../services/acme/ports.js";

/** `caFile`: PEM of a CA to trust for the directory's HTTPS besides Node's roots (a test CA). */
export function createAcmeCa(caFile: string | undefined): AcmeCa {
  let extraCa: string | undefined;
  if (caFile !== undefined) {
    let ca: string;
    try {
      ca = readFileSync(caFile, "utf8");
    } catch (e) {
      throw new BeaconError("config_invalid", `acme.ca_file: cannot read ${caFile}`, { cause: e });
    }
    extraCa = ca;
  }
  let loaded: Promise<AcmeLib> | undefined;
  const lib = (): Promise<AcmeLib> =>
    (loaded ??= import("acme-client").then((m) => {
      if (extraCa !== undefined)
        m.axios.defaults.httpsAgent = new Agent({ ca: [...rootCertificates, extraCa] });
      return m;
    }));
  return {
    async newAccountKey() {
      return (await (await lib()).crypto.createPrivateEcdsaKey("P-256")).toString();
    },
    async issue(req) {
      try {
        return await issue(await lib(), req);
      } catch (e) {
        if (e instanceof BeaconError) throw e;
        const message = e instanceof Error ? e.message : String(e);
        throw new BeaconError("acme_failed", `${req.directoryUrl}: ${message}`, { cause: e });
      }
    },
  };
}

type AcmeLib = typeof AcmeClient;

async function issue({ Client, crypto: acmeCrypto }: AcmeLib, req: IssueRequest) {
  const client = new Client({
    directoryUrl: req.directoryUrl,
    accountKey: req.accountKeyPem,
    ...(req.accountUrl === undefined ? {} : { accountUrl: req.accountUrl }),
  });
  const key =
    req.keyType === "rsa"
      ? await acmeCrypto.createPrivateRsaKey(2048)
      : await acmeCrypto.createPrivateEcdsaKey("P-256");
  const [, csr] = await acmeCrypto.createCsr({ commonName: req.names[0], altNames: [...req.names] }, key);
  const task = (name: string, challenge: { type: string; token: string }, value: string): ChallengeTask => {
    // auto() falls back to another type when the CA offers none of the one asked for.
    if (challenge.type !== req.challenge)
      throw new BeaconError("acme_failed", `the CA offers no ${req.challenge} challenge for ${name}`);
    return { type: req.challenge, name, token: challenge.token, value };
  };
  const chainPem = await client.auto({
    csr,
    ...(req.email === undefined ? {} : { email: req.email }),
    termsOfServiceAgreed: true,
    skipChallengeVerification: true,
    challengePriority: [req.challenge],
    challengeCreateFn: (authz, challenge, value) =>
      req.solver.present(task(authz.identifier.value, challenge, value)),
    challengeRemoveFn: async (authz, challenge, value) => {
      if (challenge.type === req.challenge)
        await req.solver.cleanUp(task(authz.identifier.value, challenge, value));
    },
  });
  return { chainPem, keyPem: key.toString(), accountUrl: client.getAccountUrl() };
}
