import type { ServerConfig } from "../config/index.js";

/** The URL people should use to reach the first HTTP listener (for printed examples). */
export function httpBaseUrl(config: ServerConfig, port?: number): string {
  const first = config.http.listen[0];
  if (first === undefined) return "http://127.0.0.1:8245";
  const host = first.host.includes(":")
    ? `[${first.host}]`
    : first.host === "0.0.0.0"
      ? "127.0.0.1"
      : first.host;
  return `http://${host}:${port ?? first.port}`;
}
