// The settings of Beacon's own HTTPS (http.tls.*) that only make sense together, checked once the
// schema has passed: a certificate file needs its key file and the other way round, and either needs
// an HTTPS listener to serve it. Promises: never throws; every problem is a ConfigIssue naming the
// setting and where it was written. The files themselves are read by the server at start-up (and on
// every reload), which reports an unreadable file or a key that does not match (cli/tls).

import { formatPath, type ConfigIssue } from "./errors.js";
import type { Locate } from "./issues.js";

export interface TlsSettings {
  readonly listen: readonly unknown[];
  readonly cert_file?: string | undefined;
  readonly key_file?: string | undefined;
}

export function tlsIssues(tls: TlsSettings, locate: Locate): ConfigIssue[] {
  const issue = (key: "cert_file" | "key_file", message: string): ConfigIssue => {
    const path = ["http", "tls", key];
    return { setting: formatPath(path), source: locate(path, "key"), message };
  };
  if (tls.cert_file !== undefined && tls.key_file === undefined)
    return [issue("cert_file", "http.tls.cert_file is set but http.tls.key_file is not: set both")];
  if (tls.key_file !== undefined && tls.cert_file === undefined)
    return [issue("key_file", "http.tls.key_file is set but http.tls.cert_file is not: set both")];
  if (tls.cert_file !== undefined && tls.listen.length === 0)
    return [
      issue(
        "cert_file",
        "http.tls.cert_file is set but http.tls.listen is empty: nothing would serve it (add an HTTPS address such as 0.0.0.0:443)",
      ),
    ];
  return [];
}
