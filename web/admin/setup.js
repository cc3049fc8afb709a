// @ts-check
// First run: no admin exists yet. The person proves they can read the server's log (the one-time
// setup code printed at start) and chooses the admin's name and password.

import { api, ApiError } from "../shared/api.js";
import { h } from "../shared/dom.js";
import { busy, field, noteArea, showNote } from "../shared/forms.js";
import { describe } from "./messages.js";

/** @param {import("./types.js").Ctx} ctx */
export function render(ctx) {
  const code = h("input", {
    name: "code",
    autocomplete: "one-time-code",
    required: true,
    spellcheck: "false",
  });
  const username = h("input", { name: "username", autocomplete: "username", required: true, value: "admin" });
  const password = h("input", {
    type: "password",
    name: "password",
    autocomplete: "new-password",
    required: true,
    minlength: 10,
    maxlength: 1024,
  });
  const again = h("input", {
    type: "password",
    name: "password2",
    autocomplete: "new-password",
    required: true,
  });
  const notes = noteArea();
  const form = h(
    "form",
    { class: "form", novalidate: true },
    field(
      "Setup code",
      code,
      "Printed in the server's log at start, on the line “first-run setup” (setupCode).",
    ),
    field("Admin user name", username),
    field("Password", password, "At least 10 characters."),
    field("Password again", again),
    notes,
    h("button", { type: "submit", class: "primary" }, "Create admin and sign in"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (code.value.trim() === "" || username.value.trim() === "") {
      return showNote(notes, "error", "Enter the setup code and a user name.");
    }
    if (password.value.length < 10)
      return showNote(notes, "error", "The password must be at least 10 characters.");
    if (password.value !== again.value) return showNote(notes, "error", "The two passwords differ.");
    void busy(form, async () => {
      try {
        const answer = await api("POST", "/api/v1/setup", {
          code: code.value.trim(),
          username: username.value.trim(),
          password: password.value,
        });
        ctx.signedIn(answer);
      } catch (e) {
        if (e instanceof ApiError && e.code === "setup_done") return ctx.go("#/login");
        showNote(notes, "error", describe(e));
      }
    });
  });
  ctx.view.append(
    h(
      "div",
      { class: "card narrow auth" },
      h("h1", {}, "Set up Beacon"),
      h("p", { class: "muted" }, "No admin exists yet. Create the first one."),
      form,
    ),
  );
  code.focus();
}
