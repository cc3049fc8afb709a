// @ts-check
// The account page's "Two-factor sign-in" section. Off: "Set up" asks the server for a new secret and
// shows it two ways (the otpauth:// URI and the base32 secret to type into an authenticator app; there
// is no QR code: that would need a QR library in the page), then a current code turns it on and the ten
// recovery codes are shown this once. On: the recovery codes left, and turning it off with the
// password and a code.

import { api } from "../shared/api.js";
import { copyBlock } from "../shared/copy.js";
import { h, mount } from "../shared/dom.js";
import { busy, field, noteArea, showNote } from "../shared/forms.js";

const RECOVERY_WARNING =
  "Copy these recovery codes now and keep them apart from your phone: they are shown only this once. " +
  "Each one signs you in once instead of a code. Beacon keeps only their hashes.";

/** @typedef {{ enabled: boolean, pending: boolean, recoveryCodesLeft: number }} TotpStatus */

/** @param {import("./types.js").Ctx} ctx */
export function twoFactorSection(ctx) {
  const body = h("div", { class: "two-factor" });
  const section = h("section", { class: "card narrow-left" }, h("h2", {}, "Two-factor sign-in"), body);
  const codeInput = (/** @type {string} */ name) =>
    h("input", { name, autocomplete: "one-time-code", autocapitalize: "off", maxlength: 64, required: true });

  function showStatus() {
    const notes = noteArea();
    mount(body, notes);
    api("GET", "/api/v1/session/totp").then(
      (/** @type {TotpStatus} */ s) => (s.enabled ? showOn(s) : showOff()),
      (e) => ctx.fail(e, notes),
    );
  }

  function showOff() {
    const start = h("button", { type: "button", class: "primary" }, "Set up two-factor sign-in");
    const notes = noteArea();
    start.addEventListener("click", () => {
      void busy(body, async () => {
        try {
          showSecret(await api("POST", "/api/v1/session/totp/secret"));
        } catch (e) {
          ctx.fail(e, notes);
        }
      });
    });
    mount(
      body,
      h("p", {}, "Off. With it on, signing in also asks for a code from an authenticator app on your phone."),
      notes,
      h("div", { class: "row" }, start),
    );
  }

  function showSecret(/** @type {{ secret: string, uri: string }} */ s) {
    const code = codeInput("code");
    const notes = noteArea();
    const form = h(
      "form",
      { class: "form", novalidate: true },
      field("Current code", code, "The 6-digit code the app shows for Beacon, to check it works."),
      notes,
      h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Turn on")),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (code.value.trim() === "") return showNote(notes, "error", "Enter the current code.");
      void busy(form, async () => {
        try {
          const { recoveryCodes } = await api("POST", "/api/v1/session/totp/enable", { code: code.value });
          showRecovery(recoveryCodes);
        } catch (e) {
          code.value = "";
          ctx.fail(e, notes);
        }
      });
    });
    mount(
      body,
      h(
        "p",
        {},
        "Add this account to your authenticator app: open the link on the phone, or type the secret.",
      ),
      copyBlock("otpauth URI", s.uri),
      copyBlock("Secret (base32)", s.secret),
      form,
    );
    code.focus();
  }

  function showRecovery(/** @type {string[]} */ codes) {
    const done = h("button", { type: "button", class: "primary" }, "Done: I have copied them");
    done.addEventListener("click", showStatus);
    mount(
      body,
      h("p", { class: "note ok" }, "Two-factor sign-in is on."),
      h("p", { class: "note warn", role: "alert" }, RECOVERY_WARNING),
      copyBlock("Recovery codes", codes.join("\n")),
      h("div", { class: "row" }, done),
    );
  }

  function showOn(/** @type {TotpStatus} */ s) {
    const password = h("input", {
      type: "password",
      name: "password",
      autocomplete: "current-password",
      required: true,
    });
    const code = codeInput("off-code");
    const notes = noteArea();
    const form = h(
      "form",
      { class: "form", novalidate: true },
      field("Password", password),
      field("Code", code, "A code from the app, or a recovery code."),
      notes,
      h("div", { class: "row" }, h("button", { type: "submit" }, "Turn off")),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (password.value === "" || code.value.trim() === "")
        return showNote(notes, "error", "Enter your password and a code.");
      void busy(form, async () => {
        try {
          await api("POST", "/api/v1/session/totp/disable", { password: password.value, code: code.value });
          showStatus();
        } catch (e) {
          password.value = "";
          code.value = "";
          ctx.fail(e, notes);
        }
      });
    });
    mount(
      body,
      h("p", {}, `On. ${s.recoveryCodesLeft} of 10 recovery codes left.`),
      h("h3", {}, "Turn off"),
      form,
    );
  }

  showStatus();
  return section;
}
