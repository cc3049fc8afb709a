// @ts-check
// A plain <textarea> with a line-number gutter: no editor library (the page must stay small and
// build-free). The gutter scrolls with the text; lines with problems are marked; gotoLine puts the
// caret on a line:column and scrolls it into view.

import { h, mount } from "../shared/dom.js";

/**
 * @typedef {object} Editor
 * @property {HTMLElement} element
 * @property {HTMLTextAreaElement} textarea
 * @property {(text: string) => void} setValue
 * @property {(lines: ReadonlySet<number>) => void} markLines 1-based lines to flag in the gutter
 * @property {(line: number, column?: number | null) => void} gotoLine 1-based; column defaults to 1
 * @property {(listener: () => void) => void} onChange
 */

const MIN_ROWS = 12;
const MAX_ROWS = 30;

/** @returns {Editor} */
export function createEditor(/** @type {string} */ label) {
  const gutter = h("div", { class: "gutter", "aria-hidden": "true" });
  const textarea = h("textarea", {
    id: "config-yaml",
    "aria-label": label,
    spellcheck: "false",
    autocapitalize: "off",
    autocomplete: "off",
    wrap: "off",
  });
  const element = h("div", { class: "editor" }, gutter, textarea);
  /** @type {ReadonlySet<number>} */
  let marked = new Set();
  let lines = 0;
  /** @type {(() => void)[]} */
  const listeners = [];

  function renderGutter() {
    const count = textarea.value.split("\n").length;
    if (count === lines && gutter.dataset["marked"] === [...marked].join(",")) return;
    lines = count;
    // Tall enough for the whole file up to a point (rows is an attribute: inline styles are blocked).
    textarea.rows = Math.min(Math.max(count + 1, MIN_ROWS), MAX_ROWS);
    gutter.dataset["marked"] = [...marked].join(",");
    const rows = [];
    for (let n = 1; n <= count; n++)
      rows.push(h("div", { class: marked.has(n) ? "bad" : undefined }, String(n)));
    mount(gutter, rows, h("div", { class: "gutter-end" }));
    gutter.scrollTop = textarea.scrollTop;
  }

  textarea.addEventListener("input", () => {
    renderGutter();
    for (const l of listeners) l();
  });
  textarea.addEventListener("scroll", () => {
    gutter.scrollTop = textarea.scrollTop;
  });

  return {
    element,
    textarea,
    setValue(text) {
      textarea.value = text;
      renderGutter();
      for (const l of listeners) l();
    },
    markLines(set) {
      marked = set;
      renderGutter();
    },
    gotoLine(line, column) {
      const all = textarea.value.split("\n");
      const n = Math.min(Math.max(1, Math.trunc(line)), all.length);
      let offset = 0;
      for (let i = 0; i < n - 1; i++) offset += (all[i] ?? "").length + 1;
      const col = Math.min(Math.max(1, Math.trunc(column ?? 1)), (all[n - 1] ?? "").length + 1);
      textarea.focus();
      textarea.setSelectionRange(offset + col - 1, offset + col - 1);
      const lh = parseFloat(window.getComputedStyle(textarea).lineHeight) || 20;
      textarea.scrollTop = Math.max(0, (n - 1) * lh - textarea.clientHeight / 3);
      gutter.scrollTop = textarea.scrollTop;
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
