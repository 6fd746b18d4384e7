// The console's side of the chart (issue 5): a client's chart tabs and documents
// ("Uploaded by the client", sharing with the client or one contact), the practice-wide
// "Changes to review" (who, mark reviewed, revert), chart settings for administrators
// (with the practice's own Details fields), document types, and practice documents.

import { api, seg } from "../../api.js";
import { h } from "../../ui/dom.js";
import { EXTRA_TYPES, TABS, fieldOf, flatten, formValues, groupsOf, labelOf, readable } from "../../ui/chartfields.js";
import { cardPreview } from "../../ui/cardphoto.js";
import { ACCEPT, ACCEPTED_WORDS, checkFile, download, formatSize, upload } from "../../ui/files.js";
import { button, checkboxField, clearErrors, fieldset, form, selectField, showErrors, textField } from "../../ui/forms.js";
import { formatDateTime, listText, timeElement } from "../../ui/format.js";
import { tabForm } from "../../ui/chartform.js";
import { notify } from "../../ui/notice.js";
import { actorNamer } from "./who.js";

export const tabTitle = (tab) => (TABS.find((t) => t.tab === tab) || { title: tab }).title;
const emptyCell = () => h("td", { class: "value value--empty" }, h("span", { "aria-hidden": "true" }, "—"), h("span", { class: "visually-hidden" }, "empty"));
export const valueCell = (v) => (v === null || v === undefined || v === "" ? emptyCell() : h("td", { class: "value" }, String(v)));

// -- a client's chart and documents ----------------------------------------------------------
function tabList(tab, tabs, settings) {
  const flat = formValues(tab, tabs, settings);
  return groupsOf(tab, settings).map((group) => {
    const rows = group.fields.map((f) => {
      if (f.kind === "photo") {
        const alt = `${group.legend} card, ${f.side}`;
        return [h("dt", {}, f.label), h("dd", { class: flat[f.name] ? null : "value--empty" }, flat[f.name] ? cardPreview(flat[f.name], alt, { downloadable: true }) : "—")];
      }
      const shown = readable(f, flat[f.name]) || "—";
      return [h("dt", {}, f.label), h("dd", { class: shown === "—" ? "value--empty" : null }, shown)];
    });
    return [h("h3", {}, group.legend), h("dl", { class: "details-list" }, rows)];
  });
}

const STALE = "This section was changed by someone else (the client, someone who helps them, or another staff member) while you were editing it, so your changes were not saved. The latest details are loaded below: check them and make your changes again.";

/**
 * One tab as a list; for staff with edit_clients, "Edit <tab>" turns it into the portal's
 * form for that tab (ui/chartform.js), saved through the staff route with the tab's version.
 * chart: {tabs, settings}, shared by the page's cards (a save or a reload updates it).
 */
function tabCard(tab, chart, { clientId, canEdit }) {
  const body = h("div", {});
  const meta = h("p", { class: "meta" });
  const title = tab.title;
  const edit = canEdit ? button(["Edit", h("span", { class: "visually-hidden" }, ` ${title.toLowerCase()}`)], { kind: "secondary", onClick: open }) : null;

  function showList() {
    const view = chart.tabs[tab.tab];
    body.replaceChildren(...tabList(tab.tab, chart.tabs, chart.settings).flat());
    meta.replaceChildren(`Version ${view.version}`, ...(view.updated_at ? [" · last updated ", timeElement(view.updated_at)] : []));
    if (edit) edit.hidden = false;
  }

  function close() {
    showList();
    edit.focus();
  }

  function open() {
    const cancel = button("Cancel", { kind: "quiet", onClick: close });
    const { element } = tabForm({
      tab: tab.tab, title, chart,
      load: () => api.get(`/clients/${seg(clientId)}/chart`),
      patch: (owner, payload) => api.patch(`/clients/${seg(clientId)}/chart/${owner}`, payload),
      photos: { uploadsEnabled: false, note: "The client sends card photos through the portal; the photo shown is kept when you save." },
      words: { saved: (labels) => `Saved: ${listText(labels)}.`, stale: STALE },
      readOnlyNote: () => "This section cannot be changed here.",
      actions: [cancel],
      onSaved: async (labels) => {
        close();
        notify(`Saved ${title}: ${listText(labels)}. The client's revision history lists the change under your name.`, "success");
      },
    });
    body.replaceChildren(element);
    meta.replaceChildren();
    edit.hidden = true;
    const first = element.querySelector("input:not([type=hidden]), select");
    if (first) first.focus();
  }

  showList();
  return h("section", { class: "card", "aria-labelledby": `tab-${tab.tab}` },
    h("div", { class: "card__header" }, h("h2", { id: `tab-${tab.tab}` }, title), edit),
    body, meta);
}

/** A button that asks once more ("Yes, delete …") before it acts. */
function confirmingButton(label, confirmLabel, kind, action) {
  const el = button(label, { kind, attrs: { class: `button button--${kind} button--small` }, onClick: async () => {
    if (!el.dataset.armed) {
      el.dataset.armed = "1";
      el.textContent = confirmLabel;
      return;
    }
    el.setAttribute("aria-disabled", "true");
    try { await action(); } catch (e) {
      notify(e.message, "error", { focus: true });
      delete el.dataset.armed;
      el.textContent = label;
      el.removeAttribute("aria-disabled");
    }
  } });
  el.addEventListener("blur", () => { if (el.dataset.armed && !el.getAttribute("aria-disabled")) { delete el.dataset.armed; el.textContent = label; } });
  return el;
}

// Staff with upload_client_documents share documents, stop sharing what the practice shared,
// and delete anything.
const SHARE = "upload_client_documents";
function docRows(docs, empty, { canEdit = false, onChanged = null, contactNames = null } = {}) {
  if (!docs.length) return h("p", { class: "empty" }, empty);
  return h("ul", { class: "docs" }, docs.map((d) => {
    const name = d.title || d.filename;
    const tools = [];
    if (canEdit && d.kind !== "upload" && !d.unshared_at) {
      tools.push(confirmingButton(["Stop sharing", h("span", { class: "visually-hidden" }, ` ${name}`)], `Yes, stop sharing ${name}`, "secondary", async () => {
        await api.post(`/documents/${seg(d.id)}/unshare`);
        notify(`${name} is no longer shared. Staff can still open it.`, "success");
        if (onChanged) await onChanged();
      }));
    }
    if (canEdit) {
      tools.push(confirmingButton(["Delete", h("span", { class: "visually-hidden" }, ` ${name}`)], `Yes, delete ${name}`, "danger", async () => {
        await api.del(`/documents/${seg(d.id)}`);
        notify(`${name} is deleted.`, "success");
        if (onChanged) await onChanged();
      }));
    }
    return h("li", { class: "doc" },
      h("div", { class: "doc__text" }, h("p", { class: "doc__title" }, name),
        h("p", { class: "meta" }, `${d.filename} · ${formatSize(d.size)} · `, timeElement(d.created_at),
          d.contact_id ? ` · shared with ${(contactNames && contactNames.get(d.contact_id)) || "one contact"} only` : "",
          d.status !== "available" ? ` · ${d.status.replace(/_/g, " ")}` : "",
          d.unshared_at ? " · no longer shared" : "",
          d.shown_in_portal === false ? " · not shown in the portal" : "")),
      d.status === "available" ? button(["Download", h("span", { class: "visually-hidden" }, ` ${name}`)], {
        kind: "secondary", onClick: () => download(d.id).catch((e) => notify(e.message, "error")) }) : null,
      tools);
  }));
}

/** Contacts who may see this client's documents (a grant with manage documentation). */
function documentContacts(contacts, clientId) {
  return contacts.filter((c) => c.status !== "inactive" && (c.grants || []).some((g) => g.client_id === clientId &&
    (g.effective_permissions || g.permissions || []).includes("manage_documentation")));
}

function shareForm({ clientId, clientName, contacts = [], types, onShared }) {
  const file = h("input", { type: "file", id: "share-file", name: "file", accept: ACCEPT, class: "input input--file", "aria-describedby": "share-file-hint" });
  const people = clientId ? documentContacts(contacts, clientId) : [];
  const audience = clientId ? selectField({ id: "share-with", name: "contact_id", label: "Share with",
    options: [["", `${clientName || "The client"} (the client)`], ...people.map((c) => [c.contact_id, `Only ${c.name} (contact)`])],
    hint: people.length ? "A document shared with one contact is seen by that contact and staff, not by the client or other contacts."
      : "Only contacts whose access includes Manage documentation can be chosen; this client has none." }) : null;
  const offered = types.filter((t) => !t.archived);   // an archived type takes no new document
  const typeSelect = selectField({ id: "share-type", name: "type_id", label: "Document type",
    options: [["", "No type"], ...offered.map((t) => [t.id, `${t.name}${t.show_in_portal ? " (shown in the portal)" : " (staff only)"}`])],
    hint: " " });
  const typeHint = typeSelect.querySelector(".field__hint");
  /** Who the document is for, and whether they will see it: said before it is shared. */
  function reach(el) {
    const type = offered.find((t) => t.id === el.elements.type_id.value);
    const contact = people.find((c) => c.contact_id === (el.elements.contact_id && el.elements.contact_id.value));
    const who = clientId ? (contact ? contact.name : clientName || "The client") : "Clients";
    if (type && type.show_in_portal) return { seen: true, words: `${who} will see it in the portal.` };
    const why = type ? `“${type.name}” is a staff-only type` : "it has no type";
    return { seen: false, words: `${who} will not see this document in the portal: ${why}. Choose a type shown in the portal for ${clientId ? (contact ? "them" : "the client") : "clients"} to see it.` };
  }
  const formEl = form({
    label: clientId ? "Share a document with this client" : "Add a practice document",
    children: [
      h("div", { class: "field", dataset: { field: "file" } }, h("label", { class: "field__label", for: "share-file" }, "File"),
        h("p", { class: "field__hint", id: "share-file-hint" }, ACCEPTED_WORDS), h("p", { class: "field__error", id: "share-file-error", hidden: true }), file),
      textField({ id: "share-title", name: "title", label: "Title", optional: true }),
      typeSelect,
      audience,
    ],
    actions: [button(clientId ? "Share" : "Add for all clients", { type: "submit" })],
    onSubmit: async (el) => {
      clearErrors(el);
      const chosen = file.files[0];
      const problem = checkFile(chosen);
      if (problem) { showErrors(el, { message: problem.file, fields: problem }); return; }
      const data = new FormData();
      for (const name of ["title", "type_id", "contact_id"]) if (el.elements[name] && el.elements[name].value) data.append(name, el.elements[name].value);
      if (clientId) data.append("client_id", clientId);
      data.append("file", chosen, chosen.name);
      const contact = people.find((c) => c.contact_id === (el.elements.contact_id && el.elements.contact_id.value));
      try {
        const doc = await upload("/documents", data);
        const said = reach(el);
        el.reset();
        typeHint.textContent = reach(el).words;
        const done = contact ? `Shared with ${contact.name} only: ${doc.title}.` : `Shared: ${doc.title}.`;
        notify(doc.shown_in_portal === false ? `${done} ${said.seen ? "It is not shown in the portal." : said.words.split(":")[0] + "."}` : done, "success");
        await onShared();
      } catch (error) {
        showErrors(el, error);
      }
    },
  });
  const sayReach = () => { typeHint.textContent = reach(formEl).words; };
  formEl.addEventListener("change", (event) => { if (["type_id", "contact_id"].includes(event.target.name)) sayReach(); });
  sayReach();
  return formEl;
}

export async function clientChartView({ params, router, ctx }) {
  const id = params.id;
  const [chart, docs, types, contactList] = await Promise.all([
    api.get(`/clients/${seg(id)}/chart`), api.get(`/clients/${seg(id)}/documents`),
    api.get("/document-types").catch(() => []),
    api.get(`/clients/${seg(id)}/contacts`).catch(() => ({ items: [] })),
  ]);
  const contacts = (contactList && contactList.items) || [];
  const state = { tabs: chart.tabs, settings: chart.settings };   // the cards' chart: saves and reloads replace its tabs
  const contactNames = new Map(contacts.map((c) => [c.contact_id, c.name]));
  const docsBox = h("div", {});
  const reload = async () => showDocs(await api.get(`/clients/${seg(id)}/documents`));
  const showDocs = (list) => {
    const mine = list.filter((d) => d.client_id === id);
    const opts = { canEdit: ctx.can(SHARE), onChanged: reload, contactNames };
    docsBox.replaceChildren(
      h("h3", {}, "Uploaded by the client"), docRows(mine.filter((d) => d.kind === "upload"), "Nothing uploaded yet.", opts),
      h("h3", {}, "Shared with the client"), docRows(mine.filter((d) => d.kind === "shared"), "Nothing shared yet.", opts));
  };
  showDocs(docs);
  return h("article", { class: "page", "aria-labelledby": "page-title" },
    h("p", {}, h("a", { href: router.href(`/clients/${seg(id)}`) }, `← ${chart.client_name}`)),
    h("h1", { id: "page-title" }, `Chart: ${chart.client_name}`),
    h("nav", { class: "tabs", "aria-label": "Chart sections" }, h("ul", { class: "tabs__list" },
      TABS.map((t) => h("li", {}, h("a", { href: `#tab-${t.tab}`, class: "tabs__link" }, t.title))))),
    TABS.map((t) => tabCard(t, state, { clientId: id, canEdit: ctx.can("edit_clients") && chart.tabs[t.tab].editable !== false })),
    h("section", { class: "card", "aria-labelledby": "docs-title" }, h("h2", { id: "docs-title" }, "Documents"), docsBox,
      ctx.can(SHARE) ? [h("h3", {}, "Share a document"), shareForm({ clientId: id, clientName: chart.client_name, contacts, types, onShared: reload })] : null));
}

// -- changes to review ---------------------------------------------------------------------
function restoredText(tab, field, view, settings) {
  const value = flatten(view.values)[field];
  const label = labelOf(tab, field, settings);
  if (value === undefined || value === null || value === "") return `${label} is now empty`;
  const found = fieldOf(tab, field, settings);
  if (found && found.kind === "photo") return `${label} is the earlier photo again`;
  return `${label} is now “${readable(found, value)}”`;
}

/** A revision's old or new value: words for choices, the photo itself for a card photo. */
export function revisionValueCell(tab, field, value, settings) {
  const found = fieldOf(tab, field, settings);
  if (value === null || value === undefined || value === "") return valueCell(value);
  if (found && found.kind === "photo") return h("td", { class: "value" }, cardPreview(value, labelOf(tab, field, settings), { downloadable: true }));
  // revisions keep booleans as "yes"/"no" text
  return valueCell(found && found.boolean ? String(value).replace(/^./, (c) => c.toUpperCase()) : found ? readable(found, value) : value);
}

/** Revert one change (staff with edit_clients); then `after()` and say what the value is now. */
export function revertButton(revision, settings, after) {
  const label = labelOf(revision.tab, revision.field, settings);
  return button(["Revert", h("span", { class: "visually-hidden" }, ` ${label}`)], {
    kind: "quiet",
    onClick: async () => {
      try {
        const view = await api.post(`/chart-revisions/${seg(revision.id)}/revert`);
        await after();
        notify(`Reverted: ${restoredText(revision.tab, revision.field, view, settings)}.`, "success", { focus: true });
      } catch (error) {
        notify(error.message, "error", { focus: true });
      }
    } });
}

function batchItem(batch, ctx, reload, { namer, settings }) {
  const table = h("table", { class: "table" },
    h("caption", { class: "visually-hidden" }, `${batch.client_name}: ${tabTitle(batch.tab)}`),
    h("thead", {}, h("tr", {}, ["Field", "Old value", "New value", ""].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, batch.revisions.map((r) => h("tr", {},
      h("th", { scope: "row" }, labelOf(batch.tab, r.field, settings)),
      revisionValueCell(batch.tab, r.field, r.old_value, settings), revisionValueCell(batch.tab, r.field, r.new_value, settings),
      h("td", {}, ctx.can("edit_clients") ? revertButton({ ...r, tab: r.tab || batch.tab }, settings, reload) : null)))));
  return h("li", { class: "review__item" },
    h("h2", {}, h("a", { href: `/staff/clients/${seg(batch.client_id)}/chart` }, batch.client_name), `: ${tabTitle(batch.tab)}`),
    h("p", { class: "meta" }, `Changed by ${namer.name(batch, batch.client_name)} · `, timeElement(batch.created_at, formatDateTime(batch.created_at))),
    h("div", { class: "table-wrap", role: "region", "aria-label": `Changes to ${tabTitle(batch.tab)} (scrolls sideways)`, tabindex: "0" }, table),
    button(["Mark reviewed", h("span", { class: "visually-hidden" }, ` (${batch.client_name}, ${tabTitle(batch.tab)})`)], {
      kind: "secondary",
      onClick: async () => {
        await api.post("/changes-to-review/reviewed", { batch_ids: [batch.batch_id] });
        await reload();
        notify("Marked reviewed.", "success");
      } }));
}

export async function reviewView({ ctx }) {
  const body = h("div", {});
  const namer = actorNamer(ctx.principal);
  const settings = await api.get("/practice/chart-settings").catch(() => null);
  async function load() {
    const batches = await api.get("/changes-to-review");
    await namer.load(batches);
    body.replaceChildren(...(batches.length
      ? [h("p", {}, button("Mark all reviewed", { kind: "secondary", onClick: async () => {
        await api.post("/changes-to-review/reviewed", { batch_ids: batches.map((b) => b.batch_id) });
        await load();
        notify(`Marked ${batches.length} reviewed.`, "success");
      } })), h("ul", { class: "review" }, batches.map((b) => batchItem(b, ctx, load, { namer, settings })))]
      : [h("p", { class: "empty" }, "Nothing to review. Changes clients make in the portal appear here.")]));
  }
  await load();
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Changes to review"),
    h("p", { class: "lead" }, "What clients and the people who help them changed in the portal, one item per saved section. Reverting restores the value from before that change."),
    body);
}

// -- administrators: chart settings ----------------------------------------------------------
/** "Referral source" → "referral_source": the key charts stores the answer under (never changed later). */
export function keyFor(label, taken) {
  let base = String(label || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  if (!/^[a-z]/.test(base)) base = `field_${base}`.replace(/_+$/, "");
  base = base.slice(0, 36);
  let key = base;
  for (let n = 2; taken.has(key); n += 1) key = `${base}_${n}`;
  return key;
}

function choicesField(id, name, value, hidden) {
  const area = h("textarea", { id, name, class: "input textarea", rows: "4", "aria-describedby": `${id}-hint` });
  area.value = value;
  const wrapper = h("div", { class: "field", dataset: { field: name }, hidden },
    h("label", { class: "field__label", for: id }, "Choices"),
    h("p", { class: "field__hint", id: `${id}-hint` }, "One per line, as clients will see them."),
    h("p", { class: "field__error", id: `${id}-error`, hidden: true }), area);
  return wrapper;
}

/** The practice's own Details fields: label, type, choices; add, remove, save. */
function extraFieldsForm(getSettings, setSettings) {
  let rows = (getSettings().extra_fields || []).map((f) => ({ ...f, choices: (f.choices || []).join("\n") }));
  const list = h("ol", { class: "extra-fields" });

  function read(formEl) {
    rows = rows.map((row, i) => ({ ...row,
      label: formEl.elements[`extra_fields.${i}.label`].value.trim(),
      type: formEl.elements[`extra_fields.${i}.type`].value,
      choices: formEl.elements[`extra_fields.${i}.choices`].value }));
  }

  function render() {
    list.replaceChildren(...(rows.length ? rows.map((row, i) => {
      const prefix = `xf-${i}`;
      const type = selectField({ id: `${prefix}-type`, name: `extra_fields.${i}.type`, label: "Type", options: EXTRA_TYPES, value: row.type || "text" });
      const choices = choicesField(`${prefix}-choices`, `extra_fields.${i}.choices`, row.choices || "", (row.type || "text") !== "choice");
      type.querySelector("select").addEventListener("change", (event) => { choices.hidden = event.target.value !== "choice"; });
      const name = row.label || `Field ${i + 1}`;
      return h("li", { class: "extra-field" }, fieldset(`Field ${i + 1}`,
        textField({ id: `${prefix}-label`, name: `extra_fields.${i}.label`, label: "Label", value: row.label || "",
          hint: row.key ? `Answers are kept as extra.${row.key}.` : "What clients see beside the answer.", attrs: { maxlength: "100" } }),
        type, choices,
        button(`Remove “${name}”`, { kind: "quiet", attrs: { class: "button button--quiet button--small" }, onClick: () => {
          read(formEl);
          rows.splice(i, 1);
          render();
          notify(`${name} will be removed when you save.`, "info");
          (formEl.querySelector("#xf-add") || formEl).focus();
        } })));
    }) : [h("li", { class: "empty" }, "No extra fields: Details shows only the standard demographics.")]));
  }

  const formEl = form({
    label: "Details the practice asks for",
    children: [list, h("p", {}, button("Add a field", { kind: "secondary", attrs: { id: "xf-add", class: "button button--secondary" }, onClick: () => {
      read(formEl);
      rows.push({ key: null, label: "", type: "text", choices: "" });
      render();
      formEl.elements[`extra_fields.${rows.length - 1}.label`].focus();
    } }))],
    actions: [button("Save Details fields", { type: "submit" })],
    onSubmit: async (el) => {
      clearErrors(el);
      read(el);
      const missing = {};
      rows.forEach((row, i) => {
        if (!row.label) missing[`extra_fields.${i}.label`] = "Give this field a label.";
        if (row.type === "choice" && !row.choices.trim()) missing[`extra_fields.${i}.choices`] = "A choice field needs its choices.";
      });
      if (Object.keys(missing).length) { showErrors(el, { message: "Some fields are not complete.", fields: missing }); return; }
      const taken = new Set(rows.filter((r) => r.key).map((r) => r.key));
      const extra_fields = rows.map((row) => {
        const key = row.key || keyFor(row.label, taken);
        taken.add(key);
        const out = { key, label: row.label, type: row.type };
        if (row.type === "choice") out.choices = row.choices.split("\n").map((c) => c.trim()).filter(Boolean);
        if (row.max_length) out.max_length = row.max_length;
        return out;
      });
      try {
        const saved = await api.patch("/practice/chart-settings", { extra_fields, version: getSettings().version });
        setSettings(saved);
        rows = (saved.extra_fields || []).map((f) => ({ ...f, choices: (f.choices || []).join("\n") }));
        render();
        notify(rows.length ? `Details fields saved: ${rows.map((r) => `“${r.label}”`).join(", ")}.` : "Details fields saved: there are none now.", "success");
      } catch (error) {
        showErrors(el, error);
      }
    },
  });
  render();
  return formEl;
}

export async function chartSettingsView() {
  let settings = await api.get("/practice/chart-settings");
  const getSettings = () => settings;
  const setSettings = (next) => { settings = next; };
  const formEl = form({
    label: "Chart settings",
    children: [
      checkboxField({ name: "allow_clients_update_insurance", label: "Allow clients to update insurance information", checked: settings.allow_clients_update_insurance,
        hint: "When off, clients see their insurance read-only with a note to call the practice." }),
      checkboxField({ name: "client_uploads_enabled", label: "Accept uploads from clients (My uploads)", checked: settings.client_uploads_enabled,
        hint: "Also lets clients who may update insurance send photos of their card." }),
    ],
    actions: [button("Save settings", { type: "submit" })],
    onSubmit: async (el) => {
      try {
        settings = await api.patch("/practice/chart-settings", {
          allow_clients_update_insurance: el.elements.allow_clients_update_insurance.checked,
          client_uploads_enabled: el.elements.client_uploads_enabled.checked, version: settings.version });
        notify("The chart settings are saved.", "success");
      } catch (error) {
        showErrors(el, error);
      }
    },
  });
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Chart settings"), h("div", { class: "card" }, formEl),
    h("section", { class: "card", "aria-labelledby": "extra-title" },
      h("h2", { id: "extra-title" }, "Details the practice asks for"),
      h("p", { class: "meta" }, "Clients answer these on My chart: Details, under “More about you”, and may leave them empty. Changing a field's type or choices may ask clients to answer it again."),
      extraFieldsForm(getSettings, setSettings)));
}

// -- document types and practice documents ---------------------------------------------------
export async function documentsAdminView({ ctx }) {
  const typesBox = h("div", {});
  const docsBox = h("div", {});
  let types = [];
  async function load() {
    const [t, docs] = await Promise.all([api.get("/document-types"), api.get("/documents")]);
    types = t;
    typesBox.replaceChildren(types.length ? h("ul", { class: "docs" }, types.map((type) => h("li", { class: "doc" },
      h("div", { class: "doc__text" }, h("p", { class: "doc__title" }, type.name),
        h("p", { class: "meta" }, type.show_in_portal ? "Shown in the portal" : "Staff only",
          type.archived ? " · archived: not offered for new documents" : "")),
      ctx.can("edit_clients") ? typeTools(type) : null))) : h("p", { class: "empty" }, "No document types yet."));
    docsBox.replaceChildren(docRows(docs.filter((d) => d.kind === "practice"), "No practice documents yet.",
      { canEdit: ctx.can(SHARE), onChanged: load }));
  }
  /** Show or hide, archive or restore, delete (charts refuses while documents are filed under it). */
  function typeTools(type) {
    const change = (body, said) => async () => {
      await api.patch(`/document-types/${seg(type.id)}`, body);
      await load();
      if (said) notify(said, "success");
    };
    return [
      type.archived ? null : button(type.show_in_portal ? `Hide ${type.name} from the portal` : `Show ${type.name} in the portal`,
        { kind: "secondary", onClick: change({ show_in_portal: !type.show_in_portal }) }),
      button(type.archived ? `Restore ${type.name}` : `Archive ${type.name}`, { kind: "secondary",
        onClick: change({ archived: !type.archived }, type.archived ? `${type.name} is offered again.`
          : `${type.name} is archived: it is not offered for new documents, and the documents filed under it keep it.`) }),
      confirmingButton(["Delete", h("span", { class: "visually-hidden" }, ` ${type.name}`)], `Yes, delete ${type.name}`, "danger", async () => {
        await api.del(`/document-types/${seg(type.id)}`);
        await load();
        notify(`${type.name} is deleted.`, "success");
      }),
    ];
  }
  await load();
  const addType = form({
    label: "Add a document type",
    children: [textField({ id: "type-name", name: "name", label: "Name", attrs: { maxlength: "100" } }),
      checkboxField({ name: "show_in_portal", id: "type-show", label: "Show in Portal" })],
    actions: [button("Add type", { type: "submit" })],
    onSubmit: async (el) => {
      clearErrors(el);
      try {
        await api.post("/document-types", { name: el.elements.name.value.trim(), show_in_portal: el.elements.show_in_portal.checked });
        el.reset();
        await load();
        notify("Document type added.", "success");
      } catch (error) { showErrors(el, error); }
    },
  });
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Documents"),
    h("section", { class: "card", "aria-labelledby": "practice-docs" }, h("h2", { id: "practice-docs" }, "Practice documents for all clients"), docsBox,
      ctx.can(SHARE) ? [h("h3", {}, "Add a practice document"), shareForm({ clientId: null, types, onShared: load })] : null),
    h("section", { class: "card", "aria-labelledby": "types-title" }, h("h2", { id: "types-title" }, "Document types"),
      h("p", { class: "meta" }, "Clients see only documents whose type is shown in the portal. A type can be deleted while no document is filed under it; archive one in use."), typesBox,
      ctx.can("edit_clients") ? addType : null));
}

/** The routes and nav links main.js adds. */
export function chartRoutes(ctx) {
  return [
    { path: "/clients/:id/chart", title: (heading) => (heading ? heading.textContent : "Chart"), view: (args) => clientChartView({ ...args, ctx }) },
    { path: "/review", title: "Changes to review", view: (args) => reviewView({ ...args, ctx }) },
    { path: "/documents", title: "Documents", view: (args) => documentsAdminView({ ...args, ctx }) },
    { path: "/chart-settings", title: "Chart settings", view: (args) => chartSettingsView({ ...args, ctx }) },
  ];
}

export function chartNavLinks(base, path, ctx) {
  const current = (p) => (path === p || path.startsWith(p + "/") ? "page" : null);
  return [
    h("li", {}, h("a", { href: `${base}/review`, class: "masthead__link", "aria-current": current("/review") }, "Changes to review")),
    h("li", {}, h("a", { href: `${base}/documents`, class: "masthead__link", "aria-current": current("/documents") }, "Documents")),
    ctx.can("manage_practice_settings") ? h("li", {}, h("a", { href: `${base}/chart-settings`, class: "masthead__link", "aria-current": current("/chart-settings") }, "Chart settings")) : null,
  ];
}


