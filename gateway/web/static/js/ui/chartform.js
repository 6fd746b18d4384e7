// One chart tab as a form, shared by the portal's "My chart" and the console's chart page:
// the controls for each field of ui/chartfields.js, the form's values, and the save — only
// the changed top-level keys with the tab's `version` — with its answers: a 409
// (`stale_version`) reloads the chart and names what changed elsewhere and what the person
// had changed, a 422 (or charts' 403 `identity_read_only`) lands beside the fields, a 403
// `insurance_read_only` turns the tab read-only. A tab's `read_only_fields` (Basic's legal
// name and date of birth, for clients and contacts) are shown read-only with who changes
// them, and never sent. The pages say only their own words and where the form sits.

import { h } from "./dom.js";
import { button, clearErrors, fieldset, form, selectField, showErrors, textField, values } from "./forms.js";
import { formatDateTime, listText, timeElement } from "./format.js";
import { callout, notify } from "./notice.js";
import { flatten, formValues, groupsOf, labelOf, readable, savesOf, shown } from "./chartfields.js";
import { cardPreview, photoPicker } from "./cardphoto.js";
import { OTHER } from "./record.js";

// beside a field the reader sees but only the practice changes (the tab's read_only_fields)
export const LOCKED_HINT = "Only the practice can change this. To correct it, please contact the practice.";

function fieldId(field) {
  return `f-${field.name.replace(/\./g, "-")}`;
}

/** Primary language: a select of common languages, and "Another language" to type one. */
function languageControl(field, value, readonly) {
  const id = fieldId(field);
  if (readonly) return textField({ id, name: field.name, label: field.label, value, readonly: true, hint: field.hint });
  const known = value === "" || field.options.some(([v]) => v === value && v !== OTHER);
  const select = selectField({ id, name: field.name, label: field.label, options: field.options, value: known ? value : OTHER, hint: field.hint });
  const other = textField({ id: `${id}-other`, name: `${field.name}_other`, label: "Your language", value: known ? "" : value, attrs: { maxlength: "100" } });
  other.hidden = known;
  select.querySelector("select").addEventListener("change", (event) => { other.hidden = event.target.value !== OTHER; });
  return [select, other];
}

/** page: {legendOf(field), uploadPath, uploadsEnabled, photoNote} for the card photos. */
function control(field, value, readonly, page) {
  const id = fieldId(field);
  if (field.kind === "photo") {
    const legend = page.legendOf(field);
    return readonly
      ? h("div", { class: "field photo" }, h("p", { class: "field__label" }, `Photo of the card's ${field.side}`), cardPreview(value, `${legend} card, ${field.side}`))
      : photoPicker({ field, value, legend, uploadPath: page.uploadPath, uploadsEnabled: page.uploadsEnabled, note: page.photoNote });
  }
  if (field.kind === "language") return languageControl(field, value, readonly);
  if (field.kind === "checkbox") {
    const input = h("input", { type: "checkbox", id, name: field.name, class: "checkbox__input", checked: Boolean(value), disabled: readonly });
    return h("div", { class: "field checkbox", dataset: { field: field.name } },
      h("p", { class: "field__error", id: `${id}-error`, hidden: true }),
      h("div", { class: "checkbox__row" }, input, h("label", { for: id, class: "checkbox__label" }, field.label)));
  }
  if (field.kind === "multi") {
    const chosen = new Set(value || []);
    return h("fieldset", { class: "field checks", dataset: { field: field.name } },
      h("legend", { class: "field__label" }, field.label),
      h("p", { class: "field__error", id: `${id}-error`, hidden: true }),
      field.options.map(([v, label]) => h("div", { class: "checkbox__row" },
        h("input", { type: "checkbox", id: `${id}-${v}`, name: field.name, value: v, class: "checkbox__input", checked: chosen.has(v), disabled: readonly }),
        h("label", { for: `${id}-${v}`, class: "checkbox__label" }, label))));
  }
  if (field.kind === "select" && !readonly) {
    return selectField({ id, name: field.name, label: field.label, options: field.options, value, hint: field.hint, autocomplete: field.autocomplete });
  }
  const attrs = field.type === "tel" ? { inputmode: "tel" } : field.type === "email" ? { inputmode: "email", autocapitalize: "none" } : {};
  if (field.maxlength) attrs.maxlength = String(field.maxlength);
  return textField({ id, name: field.name, label: field.label, value: field.kind === "select" ? readable(field, value) : value,
    type: readonly ? "text" : field.type || "text", hint: field.hint, autocomplete: field.autocomplete, readonly, attrs });
}

/** The form's raw values: text as typed, checkboxes as booleans, lists, chosen photos' ids. */
function rawValues(formEl, fields) {
  const plain = values(formEl);
  for (const field of fields) {
    if (field.kind === "multi") plain[field.name] = [...formEl.querySelectorAll(`input[name="${field.name}"]:checked`)].map((i) => i.value);
    if (field.kind === "language" && plain[field.name] === OTHER) plain[field.name] = plain[`${field.name}_other`] || "";
    if (field.kind === "photo") {
      const input = formEl.elements.namedItem(field.name);
      plain[field.name] = input ? input.dataset.documentId || "" : "";
    }
  }
  return plain;
}

/** An error for primary language belongs beside "Your language" when that is where it was typed. */
function placeLanguageError(formEl, error) {
  const fields = error.fields || {};
  const select = formEl.elements.namedItem("primary_language");
  if (!fields.primary_language || !select || select.value !== OTHER) return error;
  const moved = { ...fields, primary_language_other: fields.primary_language };
  delete moved.primary_language;
  return { status: error.status, code: error.code, message: error.message, fields: moved };
}

/**
 * A tab's form, rebuilt in place after each answer. Returns {element, rebuild}.
 * opts:
 *  tab, title ("Insurance": the form's name; the button says "Save insurance")
 *  chart: {tabs, settings} as read; saves and reloads replace its tabs
 *  load(): the latest {tabs, settings} (after a 409)
 *  patch(tab, body): the saved Tab
 *  photos: {uploadPath, uploadsEnabled, note} (the card photo pickers)
 *  words: {saved(labels) → the notice, stale → the 409 sentence}
 *  readOnlyNote(view): what a tab that is not editable says
 *  actions: more buttons after Save (the console's Cancel)
 *  onSaved(labels): instead of the default (rebuild, notice, "✓ Saved", focus on Save)
 */
export function tabForm({ tab, title, chart, load, patch, photos = {}, words, readOnlyNote, actions = [], onSaved = null }) {
  const holder = h("div", { class: "tab-form" });
  const updated = h("p", { class: "meta" });
  const label = (owner, name) => labelOf(owner, name, chart.settings);

  function showUpdated() {
    const at = chart.tabs[tab].updated_at;
    updated.replaceChildren(...(at ? ["Last updated ", timeElement(at, formatDateTime(at))] : []));
  }

  async function saveAll(el) {
    clearErrors(el);
    if (Number(el.dataset.uploading || 0) > 0) {
      showErrors(el, { message: "A photo is still being sent. Wait until it says it is ready, then save again." });
      return;
    }
    const fields = groupsOf(tab, chart.settings).flatMap((g) => g.fields);
    const raw = rawValues(el, fields);
    const held = flatten(chart.tabs[tab].values || {});
    for (const name of lockedFields()) raw[name] = held[name] ?? "";   // shown, never changed
    const saves = savesOf(tab, raw, chart.tabs, chart.settings);
    if (!saves.length) {
      notify("There are no changes to save.", "info");
      return;
    }
    const saved = [];
    for (const save of saves) {
      try {
        chart.tabs[save.tab] = await patch(save.tab, { ...save.payload, version: chart.tabs[save.tab].version });
        saved.push(...save.changed.map((n) => label(save.tab, n)));
      } catch (error) {
        await refused(el, error, save, saved);
        return;
      }
    }
    if (onSaved) { await onSaved(saved); return; }
    rebuild();
    notify(words.saved(saved), "success");
    const mark = holder.querySelector(".form__actions .meta");
    if (mark) mark.prepend(h("span", { class: "saved", "aria-hidden": "true" }, "✓ Saved "));
    const again = holder.querySelector("button[type=submit]");   // the form was rebuilt: keep focus where it was
    if (again) again.focus();
  }

  async function refused(el, error, save, saved) {
    const savedNote = saved.length ? h("p", {}, `Saved before that: ${listText(saved)}.`) : null;
    if (error.status === 409 && error.code === "stale_version") {
      const changedElsewhere = ((error.fields && error.fields.changed) || "").split(/,\s*| /).filter(Boolean);
      try {
        const fresh = await load();
        chart.tabs = fresh.tabs;
        chart.settings = fresh.settings;
      } catch { /* keep what we have */ }
      rebuild();
      const fresh = holder.querySelector("form");
      showErrors(fresh, { message: words.stale }, { extra: [
        changedElsewhere.length ? h("p", {}, `Changed elsewhere: ${listText(changedElsewhere.map((n) => label(save.tab, n)))}.`) : null,
        h("p", {}, `You had changed: ${listText(save.changed.map((n) => label(save.tab, n)))}.`), savedNote] });
      fresh.querySelector(".error-summary").focus();
      return;
    }
    if (error.status === 403 && error.code === "insurance_read_only") {
      chart.tabs.insurance = { ...chart.tabs.insurance, editable: false, read_only_reason: "insurance_read_only" };
      rebuild();
      return;
    }
    // what was saved is kept in `chart`; the form keeps what the person typed
    showErrors(el, placeLanguageError(el, error), { extra: savedNote });
  }

  function lockedFields() {
    return new Set(chart.tabs[tab].read_only_fields || []);
  }

  function build() {
    const view = chart.tabs[tab];
    const readonly = !view.editable;
    const locked = lockedFields();
    const flat = formValues(tab, chart.tabs, chart.settings);
    const groups = groupsOf(tab, chart.settings);
    const page = {
      legendOf: (field) => (groups.find((g) => g.key === field.coverage) || { legend: "Insurance" }).legend,
      uploadPath: photos.uploadPath,
      uploadsEnabled: Boolean(photos.uploadsEnabled),
      photoNote: photos.note,
    };
    const sets = groups.map((group) => fieldset(group.legend,
      group.fields.map((field) => (locked.has(field.name) && !readonly
        ? control({ ...field, hint: LOCKED_HINT }, shown(field, flat[field.name]), true, page)
        : control(field, shown(field, flat[field.name]), readonly, page)))));
    if (readonly) {
      return h("div", {}, callout(readOnlyNote(view), "info"), h("form", { class: "form", "aria-label": title, novalidate: true }, sets));
    }
    return form({
      label: title,
      children: sets,
      actions: [button(`Save ${title.toLowerCase()}`, { type: "submit" }), ...actions, updated],
      onSubmit: saveAll,
    });
  }

  function rebuild() {
    holder.replaceChildren(build());
    showUpdated();
  }
  rebuild();
  return { element: holder, rebuild };
}
