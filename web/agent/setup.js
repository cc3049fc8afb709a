// @ts-check
// First visit on loopback: the page is read-only until it has a password. The person proves they can
// read the agent's output (the one-time setup code printed at start) and chooses the password; the
// agent stores its hash in the configuration file and signs the page in. When the agent cannot store
// it (no file, a read-only one), the page says so and shows the way by hand.

import { api } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { field, noteArea, showNote } from "../shared/forms.js";
import { errorCode, errorText } from "./errors.js";

/** @typedef {import("./types.js").SetupView} SetupView */
/** @typedef {import("./types.js").SignedIn} SignedIn */

const MIN_LENGTH = 10;

/**
 * @param {HTMLElement} root
 * @param {SetupView} setup what GET /api/session said
 * @param {(session: SignedIn) => void} onSignedIn
 * @param {() => void} onPasswordExists a password was set meanwhile: show the sign-in form
 */
export function mountSetup(root, setup, onSignedIn, onPasswordExists) {
  const intro = h(
    "p",
    {},
    "Until this page has a password it only shows the status: checking or changing the configuration, ",
    "and running checks, need one.",
  );
  if (!setup.possible) {
    mount(root, card(intro, h("p", { class: "note warn", id: "setup-unavailable" }, setup.detail), byHand()));
    return;
  }
  const code = h("input", {
    name: "code",
    id: "setup-code",
    autocomplete: "one-time-code",
    spellcheck: "false",
    required: true,
  });
  const password = h("input", {
    type: "password",
    name: "password",
    id: "setup-password",
    autocomplete: "new-password",
    required: true,
    minlength: MIN_LENGTH,
    maxlength: 1024,
  });
  const again = h("input", {
    type: "password",
    name: "password2",
    id: "setup-again",
    autocomplete: "new-password",
    required: true,
  });
  const submit = h("button", { type: "submit", class: "primary", id: "setup-submit" }, "Set password");
  const notes = noteArea();
  notes.id = "setup-error";
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    field(
      "Setup code",
      code,
      "Printed by the agent when it started: on its terminal (standard error) and in its log, on the line “local page setup”.",
    ),
    field("Password", password, `At least ${MIN_LENGTH} characters.`),
    field("Password again", again),
    notes,
    h("div", { class: "row" }, submit),
  );
  mount(
    root,
    card(
      intro,
      h("p", { class: "muted small" }, "The password's hash is stored in ", h("code", {}, setup.file), "."),
      form,
    ),
  );

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (code.value.trim() === "") return showNote(notes, "error", "Enter the setup code.");
    if ([...password.value].length < MIN_LENGTH)
      return showNote(notes, "error", `The password must have at least ${MIN_LENGTH} characters.`);
    if (password.value !== again.value) return showNote(notes, "error", "The two passwords differ.");
    submit.disabled = true;
    void (async () => {
      try {
        const s = /** @type {SignedIn} */ (
          await api("POST", "/api/setup", { code: code.value.trim(), password: password.value })
        );
        onSignedIn(s);
      } catch (e) {
        const c = errorCode(e);
        if (c === "setup_done") return onPasswordExists();
        if (c === "setup_code_invalid") {
          showNote(notes, "error", "The setup code is wrong. Copy it from the agent's output.");
          code.focus();
        } else if (c === "setup_unavailable") {
          mount(notes, h("p", { class: "note error" }, errorText(e)), byHand());
        } else {
          showNote(notes, "error", errorText(e));
        }
      } finally {
        submit.disabled = false;
      }
    })();
  });
  code.focus();
}

/** @param {...Node} children */
function card(...children) {
  return h(
    "section",
    { class: "card narrow login", id: "setup" },
    h("h1", {}, "Set a password"),
    ...children,
  );
}

/** The way without the page: `beacon agent password`, then the hash in the YAML and a restart. */
function byHand() {
  return h(
    "div",
    { class: "stack" },
    h(
      "p",
      {},
      "On this machine, run ",
      h("code", {}, "beacon agent password"),
      ", put the printed line under ",
      h("code", {}, "status:"),
      " in the agent's configuration (or the hash in ",
      h("code", {}, "BEACON_AGENT_STATUS_PASSWORD_HASH"),
      ") and restart the agent.",
    ),
  );
}
