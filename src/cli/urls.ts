import type { ServerConfig } from "../config/index.js";

/** The URL people should use to reach the first HTTP listener (for printed examples). */
export function httpBaseUrl(config: ServerConfig, port?: number): string {
  const first = config.http.listen[0];
  if (first === undefined) return "http://127.0.0.1:8245";
  return `http://${reachable(first.host)}:${port ?? first.port}`;
}

/** The same for the first HTTPS listener (http.tls.listen); undefined without one. */
export function httpsBaseUrl(config: ServerConfig, port?: number): string | undefined {
  const first = config.http.tls.listen[0];
  if (first === undefined) return undefined;
  return `https://${reachable(first.host)}:${port ?? first.port}`;
}

function reachable(host: string): string {
  return host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
}
