// @ts-check
// The admin console's entry point: finds out whether setup or sign-in is needed, then routes on
// location.hash ("#/hosts", "#/hosts/<fqdn>", …). Each navigation gets a fresh <section>, so a view
// still loading when the person moves on writes into a detached element and changes nothing visible.

import { api, ApiError, setCsrfToken } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { describe, needsSignIn } from "./messages.js";
import { showNote } from "../shared/forms.js";
import * as setup from "./setup.js";
import * as login from "./login.js";
import * as hosts from "./hosts.js";
import * as host from "./host.js";
import * as zones from "./zones.js";
import * as tokens from "./tokens.js";
import * as keys from "./keys.js";
import * as mirrors from "./mirrors.js";
import * as pools from "./pools.js";
import * as pool from "./pool.js";
import * as server from "./server.js";
import * as account from "./account.js";

/** @typedef {import("./types.js").Ctx} Ctx */
/** @typedef {import("./types.js").User} User */
/** @typedef {(ctx: Ctx, arg: string) => void | Promise<void>} View */

/** @type {Record<string, View>} */
const VIEWS = {
  hosts: (ctx, arg) => (arg === "" ? hosts.render(ctx) : host.render(ctx, arg)),
  zones: zones.render,
  tokens: tokens.render,
  keys: keys.render,
  mirrors: mirrors.render,
  pools: (ctx, arg) => (arg === "" ? pools.render(ctx) : pool.render(ctx, arg)),
  server: server.render,
  account: account.render,
};

const main = /** @type {HTMLElement} */ (document.getElementById("view"));
const topbar = /** @type {HTMLElement} */ (document.getElementById("topbar"));
const userEl = /** @type {HTMLElement} */ (document.getElementById("user"));

/** @type {{ user: User | undefined, setupRequired: boolean, note: string | undefined, after: string }} */
const state = { user: undefined, setupRequired: false, note: undefined, after: "#/hosts" };

/** "#/hosts/a.example" → ["hosts", "a.example"]; the argument is URI-decoded. */
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const slash = raw.indexOf("/");
  const name = slash < 0 ? raw : raw.slice(0, slash);
  let arg = slash < 0 ? "" : raw.slice(slash + 1);
  try {
    arg = decodeURIComponent(arg);
  } catch {
    arg = "";
  }
  return { name, arg };
}

function go(/** @type {string} */ hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** @param {import("./types.js").SessionAnswer} answer */
function signedIn(answer) {
  setCsrfToken(answer.csrfToken);
  state.user = answer.user;
  state.setupRequired = false;
  state.note = undefined;
  const next =
    state.after.startsWith("#/login") || state.after.startsWith("#/setup") ? "#/hosts" : state.after;
  state.after = "#/hosts";
  go(next);
}

function signedOut(/** @type {string | undefined} */ note) {
  setCsrfToken(undefined);
  state.user = undefined;
  state.note = note;
  go("#/login");
}

/** @param {unknown} e @param {Element} area */
function fail(e, area) {
  if (needsSignIn(e)) {
    if (location.hash !== "#/login") state.after = location.hash;
    const expired = e instanceof ApiError && e.code === "session_expired";
    signedOut(expired ? "Your session expired. Sign in again." : "Your session has ended. Sign in again.");
    return;
  }
  showNote(area, "error", describe(e));
}

function route() {
  const { name, arg } = parseHash();
  const section = h("section", { class: `view view-${name || "home"}` });
  mount(main, section);
  /** @type {Ctx} */
  const ctx = {
    view: section,
    user: state.user ?? { name: "" },
    go,
    fail,
    signedIn,
    note: state.note,
  };
  state.note = undefined;
  topbar.hidden = state.user === undefined;
  userEl.textContent = state.user === undefined ? "" : state.user.name;

  if (state.setupRequired) {
    if (name !== "setup") return go("#/setup");
    return void setup.render(ctx);
  }
  if (state.user === undefined) {
    if (name !== "login") {
      if (name !== "" && name !== "setup") state.after = location.hash;
      return go("#/login");
    }
    return void login.render(ctx);
  }
  const view = VIEWS[name];
  if (view === undefined) return go("#/hosts");
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.getAttribute("href") === `#/${name}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.title = `${name[0]?.toUpperCase()}${name.slice(1)} · Beacon admin`;
  void Promise.resolve(view(ctx, arg)).catch((/** @type {unknown} */ e) => fail(e, section));
}

async function start() {
  try {
    const s = await api("GET", "/api/v1/setup");
    state.setupRequired = s?.required === true;
    if (!state.setupRequired) {
      const answer = await api("GET", "/api/v1/session");
      setCsrfToken(answer.csrfToken);
      state.user = answer.user;
    }
  } catch (e) {
    if (!needsSignIn(e)) {
      mount(main, h("p", { class: "note error" }, describe(e)));
      return;
    }
    if (e instanceof ApiError && e.code === "session_expired")
      state.note = "Your session expired. Sign in again.";
  }
  window.addEventListener("hashchange", () => {
    route();
    main.focus({ preventScroll: true });
  });
  route();
}

document.getElementById("signout")?.addEventListener("click", () => {
  void api("DELETE", "/api/v1/session")
    .catch(() => undefined)
    .then(() => signedOut("You are signed out."));
});

void start();
