// @ts-check
// The agent's local page: asks GET /api/session, then shows the status or the configuration view
// (#status, #config) when signed in. Before the agent has a password (loopback), the page is
// read-only: the status, and the setup form (#setup) that sets the password with the one-time code.
// Any answer meaning "not signed in" brings the password form back; the configuration draft survives
// it, so an expired session loses no edits.

import { ApiError, api, setCsrfToken } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { forgetConfig, mountConfig } from "./config.js";
import { errorText } from "./errors.js";
import { mountLogin } from "./login.js";
import { mountSetup } from "./setup.js";
import { mountStatus } from "./status.js";

/** @typedef {import("./types.js").AppContext} AppContext */
/** @typedef {import("./types.js").SessionView} SessionView */
/** @typedef {import("./types.js").SetupView} SetupView */

const view = /** @type {HTMLElement} */ (document.getElementById("view"));
const banner = /** @type {HTMLElement} */ (document.getElementById("banner"));
const nav = /** @type {HTMLElement} */ (document.getElementById("nav"));
const signOut = /** @type {HTMLButtonElement} */ (document.getElementById("sign-out"));
const navConfig = /** @type {HTMLElement} */ (document.getElementById("nav-config")?.parentElement);
const navSetup = /** @type {HTMLElement} */ (document.getElementById("nav-setup")?.parentElement);

/** @type {{ stop(): void } | undefined} */
let current;
let signedIn = false;
/** While the agent has no password: what GET /api/session said about setting one (read-only view). */
/** @type {SetupView | undefined} */
let setup;
/** The banner survives exactly one navigation (a message set right before ctx.go). */
let keepBanner = false;
/** @type {number | undefined} */
let followSince;

/** @type {AppContext} */
const ctx = {
  readOnly: false,
  handleAuth(e) {
    if (!(e instanceof ApiError)) return false;
    if (e.code === "setup_required") {
      void boot();
      return true;
    }
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
  if (!signedIn && setup === undefined) return;
  current?.stop();
  if (!keepBanner) mount(banner);
  keepBanner = false;
  const asked = location.hash === "#config" ? "config" : location.hash === "#setup" ? "setup" : "status";
  // Read-only: anything but the status is the setup form; signed in, there is nothing to set up.
  const name =
    setup !== undefined && asked !== "status" ? "setup" : signedIn && asked === "setup" ? "status" : asked;
  for (const [id, n] of [
    ["nav-status", "status"],
    ["nav-config", "config"],
    ["nav-setup", "setup"],
  ]) {
    const a = document.getElementById(id ?? "");
    if (n === name) a?.setAttribute("aria-current", "page");
    else a?.removeAttribute("aria-current");
  }
  const since = followSince;
  followSince = undefined;
  if (name === "setup" && setup !== undefined) {
    mountSetup(
      view,
      setup,
      (s) => {
        // One navigation to the status view (no hashchange), so the note survives it.
        history.replaceState(null, "", "#status");
        ctx.notify("Password set. From now on this page asks for it.", "ok");
        enter(s.csrfToken);
      },
      () => showLogin("A password was set meanwhile. Sign in with it."),
    );
    current = undefined;
  } else {
    current = name === "config" ? mountConfig(view, ctx) : mountStatus(view, ctx, since);
  }
}

/** @param {string} [reason] */
function showLogin(reason) {
  current?.stop();
  current = undefined;
  signedIn = false;
  setup = undefined;
  setCsrfToken(undefined);
  nav.hidden = true;
  mountLogin(
    view,
    (s) => {
      enter(s.csrfToken);
    },
    reason,
  );
}

/** No password yet: the status without its buttons, and the setup form. */
function showReadOnly(/** @type {SetupView} */ offer) {
  signedIn = false;
  setup = offer;
  setCsrfToken(undefined);
  ctx.readOnly = true;
  nav.hidden = false;
  navConfig.hidden = true;
  navSetup.hidden = false;
  signOut.hidden = true;
  route();
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

/** @param {string} csrf */
function enter(csrf) {
  setCsrfToken(csrf);
  signedIn = true;
  setup = undefined;
  ctx.readOnly = false;
  nav.hidden = false;
  navConfig.hidden = false;
  navSetup.hidden = true;
  signOut.hidden = false;
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
    const s = /** @type {SessionView} */ (await api("GET", "/api/session"));
    if (s.authenticated && typeof s.csrfToken === "string") enter(s.csrfToken);
    else if (s.setup !== undefined) showReadOnly(s.setup);
    else showLogin();
  } catch (e) {
    if (!ctx.handleAuth(e))
      mount(view, h("p", { class: "note error" }, `The agent did not answer: ${errorText(e)}`));
  }
}

void boot();
