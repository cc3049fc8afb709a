// The AWS sample's clients (awslabs/route53-dynamic-dns-with-lambda, Apache-2.0), as their scripts run
// them: the current dyndns.sh (curl POST JSON, `egrep -o`, `shasum -a 256`) and the older API Gateway
// client (curl GET ?mode=, jq, sha256sum). `bash` runs one with its variables in the environment.

import { execFile } from "node:child_process";

/** dyndns.sh's get and set, as it runs them. */
export const DYNDNS_SH = `
ip=\`curl --ipv4 -q -s -X POST -H 'content-type: application/json' -d '{"execution_mode":"get"}' $url | egrep -o '[0-9\\.]+'\`
hash=\`echo -n $ip$host$secret | shasum -a 256 | awk '{print $1}'\`
curl --ipv4 -s -X POST -w ",{\\"status_code\\":\\"%{http_code}\\"}" -H 'content-type: application/json' -d '{"execution_mode":"'$mode'", "ddns_hostname":"'$host'", "validation_hash":"'$hash'"}' $url
`;

/** route53-ddns-client.sh's get and set (its hostname ends in a dot, as its PowerShell sibling adds). */
export const OLD_CLIENT = `
myPublicIP=$(curl -q --ipv4 -s -H "x-api-key: $apiKey" "$myAPIURL?mode=get" | jq -r '.return_message //empty')
myHash=$(printf "$myPublicIP$myHostname$mySharedSecret" | sha256sum | awk '{print $1}')
reply=$(curl -q --ipv4 -s -H "x-api-key: $apiKey" "$myAPIURL?mode=set&hostname=$myHostname&hash=$myHash")
echo "$(echo "$reply" | jq -r '.return_status //empty'): $(echo "$reply" | jq -r '.return_message //empty')"
`;

export function bash(script: string, env: Record<string, string>): Promise<string> {
  return new Promise((res, rej) => {
    execFile(
      "bash",
      ["-c", script],
      { env: { ...process.env, ...env }, timeout: 20_000 },
      (err, stdout, stderr) => (err === null ? res(stdout) : rej(new Error(`${err.message}\n${stderr}`))),
    );
  });
}
