// A PEM certificate chain and key checked as a pair before any listener serves it: the chain parses
// (leaf first), the key parses and is the leaf's (X509Certificate.checkPrivateKey), and Node builds a
// secure context from them. Promises: a bad pair is a BeaconError `config_invalid` naming its origin
// and what is wrong, never a half-installed certificate; nothing secret (the key) is quoted.

import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import type { CertificatePair, CertificateStatus } from "../../core/certificates.js";
import { BeaconError } from "../../core/errors.js";

export interface CheckedPair {
  readonly pair: CertificatePair;
  readonly status: CertificateStatus;
  /** Not yet valid or already expired at `now` (served anyway: the operator's files, logged). */
  readonly outOfDate: boolean;
}

export function checkPair(pair: CertificatePair, now: Date): CheckedPair {
  const bad = (what: string, cause?: unknown) =>
    new BeaconError("config_invalid", `the TLS certificate from ${pair.origin}: ${what}`, { cause });
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(pair.certPem);
  } catch (e) {
    throw bad("the certificate is not a PEM X.509 certificate", e);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pair.keyPem);
  } catch (e) {
    throw bad("the key is not a PEM private key (an encrypted key is not supported)", e);
  }
  if (!leaf.checkPrivateKey(key))
    throw bad("the key does not match the certificate (the first certificate of the chain must be the leaf)");
  const notAfter = new Date(leaf.validTo);
  const status: CertificateStatus = {
    origin: pair.origin,
    subject: leaf.subject.replaceAll("\n", ", "),
    names: subjectNames(leaf.subjectAltName),
    notAfter,
  };
  const outOfDate = now.getTime() > notAfter.getTime() || now.getTime() < new Date(leaf.validFrom).getTime();
  return { pair, status, outOfDate };
}

/** "DNS:a.example, IP Address:192.0.2.1" → ["a.example", "192.0.2.1"]. */
function subjectNames(san: string | undefined): string[] {
  if (san === undefined) return [];
  return san
    .split(/,\s*/)
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ""))
    .filter((n) => n !== "");
}
