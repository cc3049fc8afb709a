// @ts-check
// Form building blocks shared by the pages: labelled fields (every input has a <label>), a note area
// for results and errors, buttons that confirm by a second click (no window.confirm dialogs), and
// busy-state handling so a form cannot be sent twice.

import { h, mount } from "./dom.js";

let seq = 0;

/** A unique element id with a readable prefix. */
export function uid(prefix = "f") {
  seq += 1;
  return `${prefix}-${seq}`;
}

/**
 * A labelled field: the control gets an id (unless it has one) and the label points at it.
 * @template {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} C
 * @param {string} label
 * @param {C} control
 * @param {string} [hint] shown under the label and linked by aria-describedby
 */
export function field(label, control, hint) {
  if (control.id === "") control.id = uid(control.name || "field");
  const hintEl = hint === undefined ? null : h("span", { class: "hint", id: `${control.id}-hint` }, hint);
  if (hintEl !== null) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintEl);
}

/** A checkbox with its label beside it. */
export function checkbox(/** @type {string} */ label, /** @type {string} */ name, checked = false) {
  const input = h("input", { type: "checkbox", name, id: uid(name), checked });
  return { input, el: h("label", { class: "check", for: input.id }, input, label) };
}

/** A region that announces results and errors to screen readers. */
export function noteArea() {
  return h("div", { class: "notes", role: "status", "aria-live": "polite" });
}

/** Shows one note (replacing the previous one); kind "error" | "ok" | "warn" | "" (plain). */
export function showNote(
  /** @type {Element} */ area,
  /** @type {string} */ kind,
  /** @type {string} */ text,
) {
  mount(area, h("p", { class: `note ${kind}`.trim() }, text));
}

export function clearNote(/** @type {Element} */ area) {
  mount(area);
}

/**
 * Runs `action` with the form's buttons disabled, so a slow answer cannot be submitted twice.
 * @param {HTMLFormElement | HTMLElement} scope
 * @param {() => Promise<void>} action
 */
export async function busy(scope, action) {
  const buttons = [...scope.querySelectorAll("button")];
  for (const b of buttons) b.disabled = true;
  scope.setAttribute("aria-busy", "true");
  try {
    await action();
  } finally {
    for (const b of buttons) b.disabled = false;
    scope.removeAttribute("aria-busy");
  }
}

/**
 * A button that acts only on a second click within a few seconds ("Delete" → "Really delete?").
 * @param {string} label
 * @param {() => void} action
 * @param {string} [confirmLabel]
 */
export function confirmButton(label, action, confirmLabel = `Really ${label.toLowerCase()}?`) {
  const btn = h("button", { type: "button", class: "small danger" }, label);
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let armed;
  btn.addEventListener("click", () => {
    if (armed === undefined) {
      btn.textContent = confirmLabel;
      armed = setTimeout(() => {
        armed = undefined;
        btn.textContent = label;
      }, 4000);
      return;
    }
    clearTimeout(armed);
    armed = undefined;
    btn.textContent = label;
    action();
  });
  return btn;
}

/** Splits a list typed by a person (commas, spaces or new lines) into trimmed, non-empty items. */
export function splitList(/** @type {string} */ text) {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
