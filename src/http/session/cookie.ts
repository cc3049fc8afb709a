// The session cookie, for any Hono app (the server's admin console, the agent's page). Always
// HttpOnly (scripts never see it), SameSite=Strict (no cross-site request carries it), Path=/, and
// Secure when the request came over HTTPS. No Max-Age: the server enforces idle and absolute expiry,
// and the browser forgets the cookie when it closes.

import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

export const SESSION_COOKIE = "beacon_session";

/** The value of the cookie `name`, or undefined (also for a malformed Cookie header). */
export function readSessionCookie(c: Context, name = SESSION_COOKIE): string | undefined {
  try {
    const value = getCookie(c, name);
    return value === undefined || value === "" ? undefined : value;
  } catch {
    return undefined;
  }
}

export function setSessionCookie(c: Context, value: string, secure: boolean, name = SESSION_COOKIE): void {
  setCookie(c, name, value, { httpOnly: true, sameSite: "Strict", path: "/", secure });
}

/** Tells the browser to drop the cookie (an expired one with the same attributes). */
export function clearSessionCookie(c: Context, secure: boolean, name = SESSION_COOKIE): void {
  deleteCookie(c, name, { httpOnly: true, sameSite: "Strict", path: "/", secure });
}
