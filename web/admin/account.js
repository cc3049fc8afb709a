// @ts-check
// The signed-in admin's own account: change the password (the server then ends every other session
// of this user; this one stays signed in) and two-factor sign-in (two-factor.js).

import { api } from "../shared/api.js";
import { h } from "../shared/dom.js";
import { busy, field, noteArea, showNote } from "../shared/forms.js";
import { twoFactorSection } from "./two-factor.js";
import { header } from "./util.js";

/** @param {import("./types.js").Ctx} ctx */
export function render(ctx) {
  const current = h("input", {
    type: "password",
    name: "current",
    autocomplete: "current-password",
    required: true,
  });
  const next = h("input", {
    type: "password",
    name: "new",
    autocomplete: "new-password",
    required: true,
    minlength: 10,
    maxlength: 1024,
  });
  const again = h("input", { type: "password", name: "new2", autocomplete: "new-password", required: true });
  const notes = noteArea();
  const form = h(
    "form",
    { class: "form", novalidate: true },
    field("Current password", current),
    field("New password", next, "At least 10 characters."),
    field("New password again", again),
    notes,
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Change password")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (current.value === "") return showNote(notes, "error", "Enter your current password.");
    if (next.value.length < 10)
      return showNote(notes, "error", "The new password must be at least 10 characters.");
    if (next.value !== again.value) return showNote(notes, "error", "The two new passwords differ.");
    void busy(form, async () => {
      try {
        await api("POST", "/api/v1/session/password", { current: current.value, new: next.value });
        form.reset();
        showNote(notes, "ok", "Password changed. Your other sessions were signed out.");
      } catch (e) {
        current.value = "";
        ctx.fail(e, notes);
      }
    });
  });
  ctx.view.append(
    header(`Account: ${ctx.user.name}`),
    h("section", { class: "card narrow-left" }, h("h2", {}, "Change password"), form),
    twoFactorSection(ctx),
  );
}
