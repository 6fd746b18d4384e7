// Building DOM without innerHTML: every piece of text is set as text, never parsed as
// markup, so nothing a person typed (or the API returned) can become script.

/**
 * h("p", {class: "hint", id: "x"}, "text", child, [more])
 * attrs: class, text, dataset {}, on {event: fn}, boolean attributes (true/false),
 * anything else as an attribute (skipped when null/undefined/false).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "on") for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    else if (key === "value" && "value" in el) el.value = value;
    else if (key === "checked" || key === "selected") el[key] = Boolean(value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace everything inside el with children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export const $ = (selector, root = document) => root.querySelector(selector);

let uid = 0;
/** A page-unique id with a readable prefix. */
export function uniqueId(prefix = "id") {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** Screen-reader-only text, e.g. the "unread" after a badge's number. */
export const srOnly = (text) => h("span", { class: "visually-hidden" }, text);
