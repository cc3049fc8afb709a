// @ts-check
// Sign-in. Wrong user and wrong password get the same answer; after too many failures the server
// answers 429 with Retry-After, shown as "try again in N s" with the button held until then. An admin
// with two-factor sign-in on is then asked for a code (login-code.js) before any session exists.

import { api, ApiError } from "../shared/api.js";
import { h } from "../shared/dom.js";
import { busy, field, noteArea, showNote } from "../shared/forms.js";
import { codeStep } from "./login-code.js";
import { describe } from "./messages.js";

/** @param {import("./types.js").Ctx} ctx */
export function render(ctx) {
  const username = h("input", { name: "username", autocomplete: "username", required: true });
  const password = h("input", {
    type: "password",
    name: "password",
    autocomplete: "current-password",
    required: true,
  });
  const notes = noteArea();
  const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h(
    "form",
    { class: "form", novalidate: true },
    field("User name", username),
    field("Password", password),
    notes,
    submit,
  );
  if (ctx.note !== undefined) showNote(notes, "warn", ctx.note);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (username.value.trim() === "" || password.value === "") {
      return showNote(notes, "error", "Enter your user name and password.");
    }
    /** @type {number | undefined} */
    let holdFor;
    void busy(form, async () => {
      try {
        const answer = await api("POST", "/api/v1/session", {
          username: username.value.trim(),
          password: password.value,
        });
        if (answer?.secondFactor === "totp") codeStep(ctx, card, (note) => render({ ...ctx, note }));
        else ctx.signedIn(answer);
      } catch (e) {
        password.value = "";
        const text =
          e instanceof ApiError && e.code === "unauthorized" ? "Wrong user name or password." : describe(e);
        showNote(notes, "error", text);
        if (e instanceof ApiError && e.code === "too_many_attempts") holdFor = e.retryAfterSeconds ?? 30;
        password.focus();
      }
    }).then(() => {
      if (holdFor === undefined) return;
      submit.disabled = true;
      setTimeout(() => (submit.disabled = false), holdFor * 1000);
    });
  });
  const card = h("div", { class: "card narrow auth" }, h("h1", {}, "Sign in to Beacon"), form);
  ctx.view.replaceChildren(card);
  username.focus();
}
