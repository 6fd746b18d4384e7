// Accessible form building blocks and the one place API errors are shown on forms.
//
// Every input has a <label for>, an optional hint and an error slot, both tied with
// aria-describedby; errors set aria-invalid. The form's message area is an assertive
// live region, so a refusal ("Incorrect email or password") is read out at once, and
// focus moves to the first field the API named.

import { h, uniqueId } from "./dom.js";
import { clearNotices } from "./notice.js";

function describe(input, ...ids) {
  const list = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  for (const id of ids) if (id && !list.includes(id)) list.push(id);
  if (list.length) input.setAttribute("aria-describedby", list.join(" "));
}

function wrap(input, { label, hint, name, optional, extra, className }) {
  const id = input.id;
  const hintEl = hint ? h("p", { class: "field__hint", id: `${id}-hint` }, hint) : null;
  const errorEl = h("p", { class: "field__error", id: `${id}-error`, hidden: true });
  if (hintEl) describe(input, hintEl.id);
  return h("div", { class: ["field", className], dataset: { field: name } },
    h("label", { class: "field__label", for: id }, label,
      optional ? h("span", { class: "field__optional" }, " (optional)") : null),
    hintEl, errorEl, input, extra);
}

/**
 * A text-like input. opts: name, label, type, value, hint, autocomplete, required,
 * readonly, inputmode, optional (shows "(optional)"), id, attrs {...}, extra (node after).
 */
export function textField(opts) {
  const { name, type = "text", value = "", autocomplete, required, readonly, inputmode, attrs = {} } = opts;
  const input = h("input", {
    id: opts.id || name, name, type, value: value ?? "", autocomplete: autocomplete || "off",
    required, readonly, inputmode, spellcheck: type === "text" && !readonly ? null : "false",
    class: readonly ? "input input--readonly" : "input", ...attrs,
  });
  if (readonly) input.setAttribute("aria-readonly", "true");
  return wrap(input, opts);
}

/** A password input with a "Show password" toggle (people on phones mistype). */
export function passwordField(opts) {
  const id = opts.id || opts.name;
  const toggle = h("button", {
    type: "button", class: "button button--quiet field__toggle", "aria-pressed": "false",
    "aria-controls": id,
  }, "Show password");
  const field = textField({ ...opts, id, type: "password", extra: [toggle, opts.extra],
    attrs: { autocapitalize: "none", spellcheck: "false", ...(opts.attrs || {}) } });
  const input = field.querySelector("input");
  toggle.addEventListener("click", () => {
    const show = input.type === "password";
    input.type = show ? "text" : "password";
    toggle.setAttribute("aria-pressed", String(show));
    toggle.textContent = show ? "Hide password" : "Show password";
  });
  return field;
}

/** A <select>. options: [{value, label}] or [[value, label]]; groups not needed yet. */
export function selectField(opts) {
  const { name, value = "", options, autocomplete } = opts;
  const select = h("select", { id: opts.id || name, name, class: "input select", autocomplete: autocomplete || "off" },
    options.map((option) => {
      const [v, label] = Array.isArray(option) ? option : [option.value, option.label];
      return h("option", { value: v, selected: v === (value ?? "") }, label);
    }));
  return wrap(select, opts);
}

/** A single checkbox with its label beside it. */
export function checkboxField({ name, label, checked = false, hint, id }) {
  const inputId = id || name;
  const input = h("input", { type: "checkbox", id: inputId, name, value: "true", checked, class: "checkbox__input" });
  const hintEl = hint ? h("p", { class: "field__hint", id: `${inputId}-hint` }, hint) : null;
  if (hintEl) describe(input, hintEl.id);
  const errorEl = h("p", { class: "field__error", id: `${inputId}-error`, hidden: true });
  return h("div", { class: "field checkbox", dataset: { field: name } },
    errorEl, h("div", { class: "checkbox__row" }, input, h("label", { for: inputId, class: "checkbox__label" }, label)), hintEl);
}

/**
 * Checkboxes that answer one question together ("May": the permissions), in a fieldset
 * named `name`: an error about the group (none chosen) is tied to the fieldset, not to
 * its first checkbox. children: checkboxField()s.
 */
export function checkboxGroup({ name, legend, id, children }) {
  const groupId = id || uniqueId(name);
  return h("fieldset", { class: "field checks", id: groupId, name, dataset: { field: name } },
    h("legend", { class: "field__label" }, legend),
    h("p", { class: "field__error", id: `${groupId}-error`, hidden: true }),
    children);
}

/** Radio buttons in a fieldset with a legend. options: [[value, label, hint?]]. */
export function radioGroup({ name, legend, options, value, hint }) {
  const groupId = uniqueId(name);
  const hintEl = hint ? h("p", { class: "field__hint", id: `${groupId}-hint` }, hint) : null;
  const errorEl = h("p", { class: "field__error", id: `${name}-error`, hidden: true });
  return h("fieldset", { class: "field radios", dataset: { field: name }, "aria-describedby": hintEl ? hintEl.id : null },
    h("legend", { class: "field__label" }, legend), hintEl, errorEl,
    options.map(([v, label]) => {
      const id = `${name}-${v}`;
      return h("div", { class: "radios__item" },
        h("input", { type: "radio", id, name, value: v, checked: v === value, class: "radios__input" }),
        h("label", { for: id, class: "radios__label" }, label));
    }));
}

/** A group of fields with a visible legend. */
export function fieldset(legend, ...children) {
  return h("fieldset", { class: "group" }, h("legend", { class: "group__legend" }, legend), children);
}

/**
 * A <form> with a live message area at the top and the actions at the bottom.
 * onSubmit(form, event) may be async; while it runs the submit button is marked busy and
 * further submits are ignored (the button stays focusable, unlike `disabled`).
 */
export function form({ label, onSubmit, children, actions, className, id }) {
  const message = h("div", { class: "form__message", "aria-live": "assertive", "aria-atomic": "true" });
  const el = h("form", { class: ["form", className], novalidate: true, id, "aria-label": label },
    message, children, h("div", { class: "form__actions" }, actions));
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (el.dataset.busy) return;
    clearNotices(); // "You have signed out" and the like are stale once someone acts again
    clearErrors(el); // a previous refusal is stale too: a submit that now succeeds must not still show it
    const button = event.submitter || el.querySelector("[type=submit]");
    el.dataset.busy = "true";
    el.setAttribute("aria-busy", "true");
    if (button) button.setAttribute("aria-disabled", "true");
    try {
      await onSubmit(el, event);
    } finally {
      delete el.dataset.busy;
      el.removeAttribute("aria-busy");
      if (button) button.removeAttribute("aria-disabled");
    }
  });
  return el;
}

export function button(text, { type = "button", kind = "primary", onClick, name, attrs = {} } = {}) {
  return h("button", { type, name, class: `button button--${kind}`, on: onClick ? { click: onClick } : null, ...attrs }, text);
}

/** The form's values as {name: trimmed string}; checkboxes as booleans. */
export function values(formEl) {
  const out = {};
  for (const el of formEl.elements) {
    if (!el.name || el.disabled || el.tagName === "FIELDSET") continue;
    if (el.type === "checkbox") out[el.name] = el.checked;
    else if (el.type === "radio") { if (el.checked) out[el.name] = el.value; }
    else if (el.tagName !== "BUTTON") out[el.name] = el.value.trim();
  }
  return out;
}

function fieldControl(formEl, name) {
  const control = formEl.elements.namedItem(name);
  if (!control) return null;
  return control instanceof RadioNodeList ? control[0] : control;
}

export function clearErrors(formEl) {
  formEl.querySelector(".form__message").replaceChildren();
  for (const el of formEl.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of formEl.querySelectorAll(".field__error")) { el.hidden = true; el.textContent = ""; }
  for (const el of formEl.querySelectorAll(".field--invalid")) el.classList.remove("field--invalid");
}

/** Put one message next to one field. Returns the control, or null if not on the form. */
export function setFieldError(formEl, name, message) {
  const control = fieldControl(formEl, name);
  if (!control) return null;
  const wrapper = control.closest(".field");
  const slot = wrapper && wrapper.querySelector(".field__error");
  if (slot) {
    slot.replaceChildren(h("span", { class: "visually-hidden" }, "Error: "), message);
    slot.hidden = false;
    wrapper.classList.add("field--invalid");
    // a group (checkboxGroup) is described by its error; its checkboxes are not each wrong
    if (control.tagName === "FIELDSET") { describe(control, slot.id); return control; }
    const targets = control.type === "radio" ? formEl.querySelectorAll(`[name="${name}"]`) : [control];
    for (const target of targets) {
      target.setAttribute("aria-invalid", "true");
      describe(target, slot.id);
    }
  }
  return control;
}

/** The generic summary sentence; with one named problem, the summary says that problem. */
export const FIX_BELOW = "Please fix the problems below.";

/**
 * Show an ApiError (or {message, fields}) on a form: the sentence in the form's live
 * message area, with a list of links to each named field; each field's own message
 * beside it. Focus goes to the first named field, else stays where it was.
 * labels: {field_name: "Label"} for fields on the form (defaults to the <label> text).
 */
export function showErrors(formEl, error, { extra = null, focus = true } = {}) {
  clearErrors(formEl);
  const fields = error.fields || {};
  const named = [];
  const unplaced = [];
  for (const [name, message] of Object.entries(fields)) {
    let control = setFieldError(formEl, name, message);
    // a group's link and focus go to its first control (a fieldset takes no focus)
    if (control && control.tagName === "FIELDSET") control = control.querySelector("input, select, textarea") || control;
    if (control) named.push({ control, message });
    else unplaced.push(message);
  }
  // "Please fix the problems below" with one problem: say the problem itself, so the
  // summary (read out, and what a phone shows first) tells why
  const message = error.message === FIX_BELOW && named.length === 1 && !unplaced.length
    ? named[0].message : error.message;
  const list = named.length > 1 || unplaced.length
    ? h("ul", { class: "error-summary__list" },
      named.map(({ control, message }) => h("li", {},
        h("a", { href: `#${control.id}`, on: { click: (event) => { event.preventDefault(); control.focus(); } } }, message))),
      unplaced.filter((m) => m !== error.message).map((m) => h("li", {}, m)))
    : null;
  const summary = h("div", { class: "error-summary", tabindex: "-1" },
    h("h2", { class: "error-summary__title" },
      h("span", { class: "error-summary__icon", "aria-hidden": "true" }, "!"), "There is a problem"),
    h("p", {}, message), list, extra);
  formEl.querySelector(".form__message").replaceChildren(summary);
  if (focus && named.length) named[0].control.focus();
  return summary;
}
