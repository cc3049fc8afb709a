// @ts-check
// Accessible tabs (WAI-ARIA tabs pattern): buttons with role="tab", arrow keys move between them,
// only the selected panel is shown.

import { h } from "./dom.js";
import { uid } from "./forms.js";

/**
 * @param {string} label accessible name of the tab list
 * @param {{ title: string, content: Node }[]} tabs
 */
export function tabs(label, tabs) {
  const base = uid("tabs");
  const list = h("div", { role: "tablist", "aria-label": label });
  const panels = tabs.map((t, i) =>
    h(
      "div",
      { role: "tabpanel", id: `${base}-p${i}`, "aria-labelledby": `${base}-t${i}`, hidden: i !== 0 },
      t.content,
    ),
  );
  const buttons = tabs.map((t, i) =>
    h(
      "button",
      {
        type: "button",
        role: "tab",
        id: `${base}-t${i}`,
        "aria-controls": `${base}-p${i}`,
        "aria-selected": i === 0 ? "true" : "false",
        tabindex: i === 0 ? 0 : -1,
      },
      t.title,
    ),
  );
  const select = (/** @type {number} */ n) => {
    buttons.forEach((b, i) => {
      b.setAttribute("aria-selected", i === n ? "true" : "false");
      b.tabIndex = i === n ? 0 : -1;
      const p = panels[i];
      if (p !== undefined) p.hidden = i !== n;
    });
    buttons[n]?.focus();
  };
  buttons.forEach((b, i) => {
    b.addEventListener("click", () => select(i));
    b.addEventListener("keydown", (ev) => {
      const key = /** @type {KeyboardEvent} */ (ev).key;
      if (key === "ArrowRight") select((i + 1) % buttons.length);
      else if (key === "ArrowLeft") select((i - 1 + buttons.length) % buttons.length);
      else return;
      ev.preventDefault();
    });
  });
  list.append(...buttons);
  return h("div", { class: "tabs" }, list, panels);
}
