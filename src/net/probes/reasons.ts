// A probe failure's reason from a Node error: short, lowercase and stable, because transitions,
// webhooks and the console show it and people match on it. Connection errors get plain words
// ("refused", "timeout", "unreachable", "reset"); other errors their code lowercased, with "tls: "
// before it while a TLS handshake runs; a malformed HTTP reply "bad reply: <parser code>".

const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "refused",
  ETIMEDOUT: "timeout",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  ECONNRESET: "reset",
  EPIPE: "reset",
};

function codeOf(e: unknown): string | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && code !== "" ? code : undefined;
}

/** `tls`: the error came from a TLS connection before its handshake completed. */
export function reasonOf(e: unknown, tls = false): string {
  const code = codeOf(e);
  if (code === undefined) return "error";
  const word = ERRNO_WORDS[code];
  if (word !== undefined) return word;
  if (code.startsWith("HPE_")) return `bad reply: ${code.slice(4).toLowerCase()}`;
  if (tls) return `tls: ${code.toLowerCase()}`;
  return code.toLowerCase();
}
