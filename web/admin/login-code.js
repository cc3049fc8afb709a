// @ts-check
// The second sign-in step for admins with two-factor sign-in on: the server answered the password with
// 202 {secondFactor: "totp"} and a short-lived challenge cookie; this form sends the code from the
// authenticator app (or a recovery code) to /api/v1/session/code. A challenge that timed out (5 min)
// sends the person back to the password.

import { api, ApiError } from "../shared/api.js";
import { h } from "../shared/dom.js";
import { busy, field, noteArea, showNote } from "../shared/forms.js";
import { describe } from "./messages.js";

/**
 * Replaces the password form in `card` with the code form.
 * @param {import("./types.js").Ctx} ctx
 * @param {HTMLElement} card
 * @param {(note: string) => void} restart shows the password form again with a note
 */
export function codeStep(ctx, card, restart) {
  const code = h("input", {
    name: "code",
    autocomplete: "one-time-code",
    autocapitalize: "off",
    spellcheck: "false",
    maxlength: 64,
    required: true,
  });
  const notes = noteArea();
  const form = h(
    "form",
    { class: "form", novalidate: true },
    field("Code", code, "The 6-digit code from your authenticator app, or one of your recovery codes."),
    notes,
    h("button", { type: "submit", class: "primary" }, "Verify"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (code.value.trim() === "") return showNote(notes, "error", "Enter the code.");
    void busy(form, async () => {
      try {
        ctx.signedIn(await api("POST", "/api/v1/session/code", { code: code.value }));
      } catch (e) {
        if (e instanceof ApiError && e.code === "sign_in_expired")
          return restart("The sign-in took too long. Enter your password again.");
        code.value = "";
        showNote(notes, "error", describe(e));
        code.focus();
      }
    });
  });
  card.replaceChildren(h("h1", {}, "Two-factor sign-in"), form);
  code.focus();
}
