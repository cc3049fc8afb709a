// One dnsperf run against 127.0.0.1:<port>, optionally pinned to a CPU with taskset, and what it
// reported. Bounded: dnsperf stops sending after `seconds` and is killed if it is not done 30 s later.

import { execFile } from "node:child_process";

/**
 * `clients` (-c), `outstanding` (-q), `maxQps` (-Q, omitted: as fast as answers come back), `cpu`: a
 * taskset CPU list or undefined for unpinned. Resolves { sent, completed, lost, qps, rcodes: { NOERROR: n, … }, responseBytes (mean) }; rejects when
 * dnsperf fails or prints nothing it can read.
 */
export function runDnsperf({ port, file, seconds, clients = 4, outstanding = 200, maxQps, cpu }) {
  const args = ["-s", "127.0.0.1", "-p", String(port), "-d", file, "-l", String(seconds)];
  args.push("-c", String(clients), "-q", String(outstanding), "-t", "2");
  if (maxQps !== undefined) args.push("-Q", String(Math.max(1, Math.round(maxQps))));
  const [cmd, argv] =
    cpu === undefined ? ["dnsperf", args] : ["taskset", ["-c", String(cpu), "dnsperf", ...args]];
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { timeout: (seconds + 30) * 1000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const pick = (re) => {
        const m = re.exec(stdout);
        return m ? Number(m[1]) : undefined;
      };
      const qps = pick(/Queries per second:\s+([\d.]+)/);
      const completed = pick(/Queries completed:\s+(\d+)/);
      if (qps === undefined || completed === undefined) {
        reject(new Error(`dnsperf failed (${error?.message ?? "no figures"}):\n${stdout}\n${stderr}`.trim()));
        return;
      }
      const rcodes = {};
      for (const m of (/Response codes:\s+(.*)/.exec(stdout)?.[1] ?? "").matchAll(/([A-Z]+) (\d+)/g))
        rcodes[m[1]] = Number(m[2]);
      resolve({
        sent: pick(/Queries sent:\s+(\d+)/) ?? 0,
        completed,
        lost: pick(/Queries lost:\s+(\d+)/) ?? 0,
        qps,
        rcodes,
        responseBytes: pick(/Average packet size:.*response (\d+)/),
      });
    });
  });
}

/** dnsperf's version line ("2.10.0"), or "?" */
export function dnsperfVersion() {
  return new Promise((resolve) => {
    execFile("dnsperf", ["-h"], { timeout: 5000 }, (_e, stdout, stderr) => {
      resolve(/Version\s+(\S+)/.exec(`${stdout}${stderr}`)?.[1] ?? "?");
    });
  });
}
