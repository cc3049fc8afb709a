// @ts-check
// Copy-to-clipboard for configuration snippets and secrets. The Clipboard API needs a secure context
// (https or localhost); elsewhere the text is selected so the person can press Ctrl+C themselves.

import { h } from "./dom.js";

/**
 * Copies `text`; true when it reached the clipboard, false when it could not (then `fallback`, the
 * element showing the text, is selected for a manual copy).
 * @param {string} text
 * @param {Element} [fallback]
 */
export async function copyText(text, fallback) {
  try {
    if (navigator.clipboard !== undefined && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to selecting the text
  }
  if (fallback !== undefined) {
    const range = document.createRange();
    range.selectNodeContents(fallback);
    const sel = window.getSelection();
    sel?.removeAllRanges();
    sel?.addRange(range);
  }
  return false;
}

/** A button that copies `text` and says whether it worked. */
export function copyButton(/** @type {string} */ text, /** @type {Element} */ fallback, label = "Copy") {
  const btn = h("button", { type: "button", class: "small copy" }, label);
  btn.addEventListener("click", () => {
    void copyText(text, fallback).then((ok) => {
      btn.textContent = ok ? "Copied" : "Press Ctrl+C";
      setTimeout(() => (btn.textContent = label), 2000);
    });
  });
  return btn;
}

/**
 * A labelled, copy-ready block: the text in a <pre> (never parsed as markup) and a copy button.
 * @param {string} title shown above the block and in the button's accessible name
 * @param {string} text
 */
export function copyBlock(title, text) {
  const pre = h("pre", { class: "copy-text", tabindex: 0 }, text);
  const btn = copyButton(text, pre);
  btn.setAttribute("aria-label", `Copy ${title}`);
  return h(
    "div",
    { class: "copy-block" },
    h("div", { class: "row spread" }, h("span", { class: "label" }, title), btn),
    pre,
  );
}
