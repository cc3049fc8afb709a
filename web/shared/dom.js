// @ts-check
// A tiny DOM builder: pages are built from elements, never from HTML strings, so values from the
// server (host names, user agents, error messages) can never become markup.

/**
 * @typedef {string | number | Node | null | undefined | false} Child
 * @typedef {Record<string, string | number | boolean | EventListener | undefined | null>} Props
 */

/**
 * h("button", { class: "primary", onclick: fn }, "Save"). Props starting with "on" are listeners;
 * `true` sets an empty attribute, false/null/undefined leaves it out.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  return build(document.createElement(tag), props, children);
}

/** SVG elements (the history timeline); same rules as h(). */
export function svg(
  /** @type {string} */ tag,
  /** @type {Props} */ props = {},
  /** @type {(Child | Child[])[]} */ ...children
) {
  return build(document.createElementNS("http://www.w3.org/2000/svg", tag), props, children);
}

/**
 * @template {Element} E
 * @param {E} el @param {Props} props @param {(Child | Child[])[]} children
 * @returns {E}
 */
function build(el, props, children) {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/** @param {Element} el @param {(Child | Child[])[]} children */
function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "object" ? child : String(child));
  }
}

/** Replaces everything inside `el`. */
export function mount(/** @type {Element} */ el, /** @type {(Child | Child[])[]} */ ...children) {
  el.replaceChildren();
  append(el, children);
}

/** "3 min ago", "2 h ago", or the date; for timestamps in ISO form (null → "never"). */
export function ago(/** @type {string | null | undefined} */ iso, now = Date.now()) {
  if (iso === null || iso === undefined) return "never";
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return "—";
  const s = Math.round((now - t) / 1000);
  if (s < -5) return `in ${fmtSpan(-s)}`;
  if (s < 5) return "just now";
  return `${fmtSpan(s)} ago`;
}

/** @param {number} s */
function fmtSpan(s) {
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}
