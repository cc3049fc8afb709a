// The pair check every certificate goes through before a listener serves it. Bad inputs: garbage and
// empty PEM, a key that is not one, a key of another certificate, an encrypted key, a chain whose first
// certificate is not the key's (intermediate first).

import { generateKeyPairSync } from "node:crypto";
import { describe, expect, test } from "vitest";
import { BeaconError } from "../../core/errors.js";
import { checkPair } from "./certificate-pair.js";
import { PAIR_A, PAIR_B } from "./testing/pairs.js";

const NOW = new Date("2027-01-01T00:00:00Z");

function refusal(certPem: string, keyPem: string): string {
  try {
    checkPair({ certPem, keyPem, origin: "/etc/beacon/cert.pem" }, NOW);
  } catch (e) {
    expect(e).toBeInstanceOf(BeaconError);
    expect((e as BeaconError).code).toBe("config_invalid");
    return (e as BeaconError).message;
  }
  throw new Error("expected a refusal");
}

describe("checkPair", () => {
  test("a good pair: subject, names from subjectAltName, notAfter, in date", () => {
    const c = checkPair({ ...PAIR_A, origin: "/etc/beacon/cert.pem" }, NOW);
    expect(c.status).toEqual({
      origin: "/etc/beacon/cert.pem",
      subject: "CN=beacon.test",
      names: ["beacon.test", "127.0.0.1"],
      notAfter: new Date("2126-11-14T00:03:30Z"),
    });
    expect(c.outOfDate).toBe(false);
    expect(checkPair({ ...PAIR_A, origin: "x" }, new Date("2130-01-01T00:00:00Z")).outOfDate).toBe(true);
  });

  test("bad inputs are config_invalid naming the origin, never quoting the key", () => {
    expect(refusal("not a certificate", PAIR_A.keyPem)).toBe(
      "the TLS certificate from /etc/beacon/cert.pem: the certificate is not a PEM X.509 certificate",
    );
    expect(refusal("", PAIR_A.keyPem)).toContain("not a PEM X.509 certificate");
    expect(refusal(PAIR_A.certPem, "garbage")).toContain("the key is not a PEM private key");
    expect(refusal(PAIR_A.certPem, PAIR_A.certPem)).toContain("the key is not a PEM private key");
    expect(refusal(PAIR_A.certPem, PAIR_B.keyPem)).toContain("the key does not match the certificate");
    // Chain order matters: the first certificate must be the key's.
    expect(refusal(`${PAIR_B.certPem}\n${PAIR_A.certPem}`, PAIR_A.keyPem)).toContain("does not match");
    const encrypted = generateKeyPairSync("ec", {
      namedCurve: "P-256",
      privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    }).privateKey;
    const message = refusal(PAIR_A.certPem, encrypted);
    expect(message).toContain("the key is not a PEM private key");
    expect(message).not.toContain("PRIVATE KEY");
  });
});
