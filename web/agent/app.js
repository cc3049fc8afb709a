// @ts-check
// The agent's local page: asks whether a session is needed, then shows the status or the
// configuration view (#status, #config). Any answer meaning "not signed in" brings the password form
// back; the configuration draft survives it, so an expired session loses no edits.

import { ApiError, api, setCsrfToken } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { forgetConfig, mountConfig } from "./config.js";
import { errorText } from "./errors.js";
import { mountLogin } from "./login.js";
import { mountStatus } from "./status.js";

/** @typedef {import("./types.js").AppContext} AppContext */

const view = /** @type {HTMLElement} */ (document.getElementById("view"));
const banner = /** @type {HTMLElement} */ (document.getElementById("banner"));
const nav = /** @type {HTMLElement} */ (document.getElementById("nav"));
const signOut = /** @type {HTMLButtonElement} */ (document.getElementById("sign-out"));

/** @type {{ stop(): void } | undefined} */
let current;
let signedIn = false;
/** The banner survives exactly one navigation (a message set right before ctx.go). */
let keepBanner = false;
/** @type {number | undefined} */
let followSince;

/** @type {AppContext} */
const ctx = {
  handleAuth(e) {
    if (!(e instanceof ApiError)) return false;
    if (e.status === 401) {
      showLogin("Your session ended. Sign in again (unsaved configuration edits are kept).");
      return true;
    }
    if (e.code === "password_required" || e.code === "bad_host") {
      showRefusal(e);
      return true;
    }
    return false;
  },
  go(name, since) {
    followSince = since;
    if (location.hash === `#${name}`) route();
    else location.hash = `#${name}`;
  },
  notify(message, kind = "") {
    keepBanner = message !== "";
    mount(banner, message === "" ? null : h("p", { class: `note ${kind}`, id: "banner-note" }, message));
  },
};

function route() {
  if (!signedIn) return;
  current?.stop();
  if (!keepBanner) mount(banner);
  keepBanner = false;
  const name = location.hash === "#config" ? "config" : "status";
  for (const [id, n] of [
    ["nav-status", "status"],
    ["nav-config", "config"],
  ]) {
    const a = document.getElementById(id ?? "");
    if (n === name) a?.setAttribute("aria-current", "page");
    else a?.removeAttribute("aria-current");
  }
  const since = followSince;
  followSince = undefined;
  current = name === "config" ? mountConfig(view, ctx) : mountStatus(view, ctx, since);
}

/** @param {string} [reason] */
function showLogin(reason) {
  current?.stop();
  current = undefined;
  signedIn = false;
  setCsrfToken(undefined);
  nav.hidden = true;
  mountLogin(
    view,
    (s) => {
      enter(s.csrfToken, true);
    },
    reason,
  );
}

/** @param {ApiError} e */
function showRefusal(e) {
  current?.stop();
  current = undefined;
  signedIn = false;
  nav.hidden = true;
  mount(
    view,
    h(
      "section",
      { class: "card narrow" },
      h("h1", {}, "Page disabled"),
      h("p", { class: "note error", id: "refusal" }, e.message),
      e.code === "password_required"
        ? h(
            "p",
            {},
            "This agent listens beyond loopback without a password. Create one with ",
            h("code", {}, "beacon agent password"),
            " and put the printed hash in ",
            h("code", {}, "status.password_hash"),
            ".",
          )
        : null,
    ),
  );
}

/** @param {string} csrf @param {boolean} withPassword */
function enter(csrf, withPassword) {
  setCsrfToken(csrf);
  signedIn = true;
  nav.hidden = false;
  signOut.hidden = !withPassword;
  route();
}

signOut.addEventListener("click", () => {
  void (async () => {
    try {
      await api("DELETE", "/api/session");
    } catch {
      // Signed out locally either way; the server's session expires on its own.
    }
    forgetConfig();
    showLogin();
  })();
});
window.addEventListener("hashchange", route);

async function boot() {
  try {
    const s = /** @type {{ authenticated: boolean, passwordRequired?: boolean, csrfToken?: string }} */ (
      await api("GET", "/api/session")
    );
    if (s.authenticated && typeof s.csrfToken === "string") enter(s.csrfToken, s.passwordRequired !== false);
    else showLogin();
  } catch (e) {
    if (!ctx.handleAuth(e))
      mount(view, h("p", { class: "note error" }, `The agent did not answer: ${errorText(e)}`));
  }
}

void boot();
