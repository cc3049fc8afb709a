// @ts-check
// The password form (only when the agent has status.password_hash). The password goes in the POST
// body, never in a URL; the field is cleared after every attempt.

import { api } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { errorCode, errorText } from "./errors.js";

/**
 * @param {HTMLElement} root
 * @param {(session: { csrfToken: string, expiresAt: string | null }) => void} onSignedIn
 * @param {string} [reason] shown above the form (e.g. "Your session expired.")
 */
export function mountLogin(root, onSignedIn, reason) {
  const password = h("input", {
    type: "password",
    id: "password",
    name: "password",
    autocomplete: "current-password",
    required: true,
  });
  const submit = h("button", { type: "submit", class: "primary", id: "sign-in" }, "Sign in");
  const error = h("div", { id: "login-error", role: "alert" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "password" }, "Password"), password),
    error,
    h("div", { class: "row" }, submit),
  );
  mount(
    root,
    h(
      "section",
      { class: "card narrow login" },
      h("h1", {}, "Sign in"),
      reason === undefined ? null : h("p", { class: "note warn" }, reason),
      h(
        "p",
        { class: "muted" },
        "This agent's page is protected by the password set in status.password_hash.",
      ),
      form,
    ),
  );

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const value = password.value;
    if (value === "") {
      mount(error, h("p", { class: "note error" }, "Enter the password."));
      return;
    }
    submit.disabled = true;
    void (async () => {
      try {
        const s = /** @type {{ csrfToken: string, expiresAt: string | null }} */ (
          await api("POST", "/api/session", { password: value })
        );
        onSignedIn(s);
      } catch (e) {
        const code = errorCode(e);
        mount(
          error,
          h("p", { class: "note error" }, code === "unauthorized" ? "Wrong password." : errorText(e)),
        );
        password.value = "";
        password.focus();
      } finally {
        submit.disabled = false;
      }
    })();
  });
  password.focus();
}
