// A throwaway certificate authority and one server certificate it signed, made by the openssl
// command line: the CA is what a client is told to trust (curl --cacert, ddclient ssl_ca_file), the
// leaf (for IP 127.0.0.1 and localhost) is what the server presents. Valid for two days; every file
// is written in `dir`.

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface TestCa {
  /** The CA certificate (PEM) clients trust. */
  readonly caFile: string;
  /** The server certificate (PEM), for 127.0.0.1 and localhost. */
  readonly certFile: string;
  /** The server certificate's private key (PEM). */
  readonly keyFile: string;
}

const EC = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes".split(" ");
const CA_EXTENSIONS =
  "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign";
const LEAF_EXTENSIONS =
  "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n";

function openssl(args: readonly string[]): void {
  execFileSync("openssl", args, { stdio: "pipe" });
}

export function makeTestCa(dir: string): TestCa {
  const file = (name: string) => join(dir, name);
  const [caFile, caKey, certFile, keyFile, csr, ext] = [
    file("ca.pem"),
    file("ca-key.pem"),
    file("cert.pem"),
    file("key.pem"),
    file("leaf.csr"),
    file("leaf.ext"),
  ] as const;
  openssl([
    "req",
    "-x509",
    ...EC,
    "-days",
    "2",
    "-subj",
    "/CN=Beacon test CA",
    ...CA_EXTENSIONS.split(" "),
    "-keyout",
    caKey,
    "-out",
    caFile,
  ]);
  openssl(["req", ...EC, "-subj", "/CN=localhost", "-keyout", keyFile, "-out", csr]);
  writeFileSync(ext, LEAF_EXTENSIONS);
  openssl([
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    caFile,
    "-CAkey",
    caKey,
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    ext,
    "-out",
    certFile,
  ]);
  return { caFile, certFile, keyFile };
}
