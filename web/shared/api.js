// @ts-check
// The pages' only way to the server: JSON over fetch, same origin, session cookie sent by the browser.
// Changes carry the CSRF token the sign-in answered with; failures become ApiError with the problem's
// stable `code` (the server's problem+json), so pages branch on codes, never on message text.

/** @type {string | undefined} */
let csrfToken;

/** Remembers the token from a sign-in/setup/session answer (undefined after sign-out). */
export function setCsrfToken(/** @type {string | undefined} */ token) {
  csrfToken = token;
}

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code stable error code (problem+json `code`), "network_error" when nothing answered
   * @param {string} message one line for people
   * @param {number | undefined} retryAfterSeconds from a 429's Retry-After
   */
  constructor(status, code, message, retryAfterSeconds) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * @param {string} method
 * @param {string} path absolute path on this origin, e.g. "/api/v1/admin/zones"
 * @param {unknown} [body] sent as JSON when given
 * @returns {Promise<any>} the parsed JSON answer (undefined for 204)
 */
export async function api(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && method !== "HEAD" && csrfToken !== undefined) headers["x-csrf-token"] = csrfToken;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (e) {
    throw new ApiError(
      0,
      "network_error",
      `cannot reach the server: ${e instanceof Error ? e.message : e}`,
      undefined,
    );
  }
  if (res.status === 204) return undefined;
  const text = await res.text();
  /** @type {any} */
  let json;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.ok) return json;
  const retry = Number(res.headers.get("retry-after"));
  throw new ApiError(
    res.status,
    typeof json?.code === "string" ? json.code : `http_${res.status}`,
    typeof json?.detail === "string"
      ? json.detail
      : typeof json?.title === "string"
        ? json.title
        : res.statusText,
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}
