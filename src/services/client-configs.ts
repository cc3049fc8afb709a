// Copy-ready client configurations for one host and its token, in the shapes docs/clients.md shows
// (each tested there with the real client): a curl command, ddclient.conf, an inadyn custom provider,
// the FRITZ!Box "User-defined" fields and a Beacon agent YAML with a `beacon` target. Pure.
//
// Every value is checked before it is written into a text someone will paste into a shell or a config
// file: the name is canonical, the token has the issued shape, and the server URL is a plain
// http(s)://host[:port][/path] (it may come from a request header). Anything else is bad_request.

import { BeaconError } from "../core/errors.js";
import { normalizeName } from "../core/names.js";

export interface ClientConfigInput {
  /** Base URL clients reach the server at (http.public_url or the request's origin). */
  readonly serverUrl: string;
  readonly fqdn: string;
  /** The presented token `tk_….secret`. */
  readonly token: string;
}

export interface ClientConfigs {
  /** The normalised base URL the texts use (no trailing slash). */
  readonly serverUrl: string;
  readonly curl: string;
  readonly ddclient: string;
  readonly inadyn: string;
  readonly fritzbox: string;
  readonly agent: string;
}

const TOKEN = /^tk_[a-z2-7]{10}\.[A-Za-z0-9_-]{16,128}$/;
const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/;
const PATH = /^(?:\/[A-Za-z0-9._~-]+)*$/;

interface ServerUrl {
  readonly base: string;
  readonly https: boolean;
  /** host[:port], as ddclient's server= and inadyn's ddns-server take it. */
  readonly authority: string;
  /** "" or "/prefix" (no trailing slash). */
  readonly path: string;
}

/** Parses the base URL; bad_request unless it is http(s)://host[:port][/path] with safe characters. */
export function parseServerUrl(raw: string): ServerUrl {
  const refuse = (): never => {
    throw new BeaconError(
      "bad_request",
      `the server URL "${raw.slice(0, 100)}" must be http(s)://host[:port][/path]`,
    );
  };
  if (raw.length > 512) refuse();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse();
  }
  const https = url.protocol === "https:";
  if (!https && url.protocol !== "http:") refuse();
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") refuse();
  if (raw.includes("?") || raw.includes("#") || raw.includes("@")) refuse();
  if (!HOST.test(url.hostname)) refuse();
  if (url.port !== "" && !/^\d{1,5}$/.test(url.port)) refuse();
  const path = url.pathname.replace(/\/+$/, "");
  if (!PATH.test(path)) refuse();
  const authority = url.port === "" ? url.hostname : `${url.hostname}:${url.port}`;
  return { base: `${url.protocol}//${authority}${path}`, https, authority, path };
}

/** bad_request for a bad URL or token; invalid_hostname for a bad name. */
export function clientConfigs(input: ClientConfigInput): ClientConfigs {
  const server = parseServerUrl(input.serverUrl);
  const fqdn = normalizeName(input.fqdn);
  if (!TOKEN.test(input.token)) throw new BeaconError("bad_request", "the token is not a Beacon token");
  const token = input.token;
  const update = `${server.base}/nic/update`;

  const curl =
    `curl -u ${shellQuote(`${fqdn}:${token}`)} -A 'beacon-curl/1.0' ` +
    `${shellQuote(`${update}?hostname=${fqdn}`)}\n`;

  const ddclient = [
    "protocol=dyndns2",
    `ssl=${server.https ? "yes" : "no"}`,
    `server=${server.authority}`,
    ...(server.path === "" ? [] : [`script=${server.path}/nic/update`]),
    `login=${fqdn}`,
    `password='${token}'`,
    `use=web, web=${server.base}/ip`,
    fqdn,
    "",
  ].join("\n");

  const inadyn = [
    "custom beacon {",
    `    ssl         = ${server.https ? "true" : "false"}`,
    `    username    = ${fqdn}`,
    `    password    = "${token}"`,
    `    ddns-server = "${server.authority}"`,
    `    ddns-path   = "${server.path}/nic/update?hostname=%h&myip=%i"`,
    `    checkip-server = "${server.authority}"`,
    `    checkip-path   = "${server.path}/ip"`,
    `    hostname    = ${fqdn}`,
    "}",
    "",
  ].join("\n");

  const fritzbox = [
    `Update URL: ${update}?hostname=<domain>&myip=<ipaddr>&myipv6=<ip6addr>`,
    `Domain name: ${fqdn}`,
    `Username: ${fqdn}`,
    `Password: ${token}`,
    "",
  ].join("\n");

  const agent = [
    `# Beacon agent for ${fqdn}: beacon agent --config agent.yaml`,
    "# Better: put the token in a file readable only by the agent and use token_file: /path/to/it",
    "targets:",
    "  beacon:",
    "    type: beacon",
    `    url: ${JSON.stringify(server.base)}`,
    `    token: ${JSON.stringify(token)}`,
    "records:",
    `  - name: ${fqdn}`,
    "    type: A",
    "    target: beacon",
    "  # When the machine has public IPv6 too:",
    `  # - name: ${fqdn}`,
    "  #   type: AAAA",
    "  #   target: beacon",
    "",
  ].join("\n");

  return { serverUrl: server.base, curl, ddclient, inadyn, fritzbox, agent };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
