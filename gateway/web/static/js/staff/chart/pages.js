// The console's side of the chart (issue 5): a client's chart tabs and documents
// ("Uploaded by the client"), the practice-wide "Changes to review" (mark reviewed,
// revert), chart settings for administrators, document types, and practice documents.

import { api, seg } from "../../api.js";
import { h } from "../../ui/dom.js";
import { GROUPS, TABS, flatten, labelOf } from "../../ui/chartfields.js";
import { ACCEPT, ACCEPTED_WORDS, checkFile, download, formatSize, upload } from "../../ui/files.js";
import { button, checkboxField, clearErrors, form, selectField, showErrors, textField } from "../../ui/forms.js";
import { formatDateTime, timeElement } from "../../ui/format.js";
import { notify } from "../../ui/notice.js";

const tabTitle = (tab) => (TABS.find((t) => t.tab === tab) || { title: tab }).title;
const emptyCell = () => h("td", { class: "value value--empty" }, h("span", { "aria-hidden": "true" }, "—"), h("span", { class: "visually-hidden" }, "empty"));
const valueCell = (v) => (v === null || v === undefined || v === "" ? emptyCell() : h("td", { class: "value" }, String(v)));

function who(kind) {
  return { client: "Client (portal)", contact: "Contact (portal)", staff: "Staff", system: "Haven" }[kind] || kind || "—";
}

// -- a client's chart and documents ----------------------------------------------------------
function tabCard(tab, view) {
  const flat = flatten(view.values);
  const rows = GROUPS[tab.tab].flatMap((g) => g.fields).map((f) => {
    let value = flat[f.name];
    if (Array.isArray(value)) value = value.join(", ");
    if (value === true) value = "Yes";
    if (value === false) value = "No";
    const shown = value === undefined || value === null || value === "" ? "—" : String(value).replace(/_/g, " ");
    return [h("dt", {}, f.label), h("dd", { class: shown === "—" ? "value--empty" : null }, shown)];
  });
  return h("section", { class: "card", "aria-labelledby": `tab-${tab.tab}` },
    h("h2", { id: `tab-${tab.tab}` }, tab.title),
    h("dl", { class: "details-list" }, rows),
    h("p", { class: "meta" }, `Version ${view.version}`, view.updated_at ? [" · last updated ", timeElement(view.updated_at)] : null));
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

// Staff with edit_clients may stop sharing what the practice shared, and delete anything.
function docRows(docs, empty, { canEdit = false, onChanged = null } = {}) {
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
          d.status !== "available" ? ` · ${d.status.replace(/_/g, " ")}` : "",
          d.unshared_at ? " · no longer shared" : "")),
      d.status === "available" ? button(["Download", h("span", { class: "visually-hidden" }, ` ${name}`)], {
        kind: "secondary", onClick: () => download(d.id).catch((e) => notify(e.message, "error")) }) : null,
      tools);
  }));
}

function shareForm({ clientId, types, onShared }) {
  const file = h("input", { type: "file", id: "share-file", name: "file", accept: ACCEPT, class: "input input--file", "aria-describedby": "share-file-hint" });
  return form({
    label: clientId ? "Share a document with this client" : "Add a practice document",
    children: [
      h("div", { class: "field", dataset: { field: "file" } }, h("label", { class: "field__label", for: "share-file" }, "File"),
        h("p", { class: "field__hint", id: "share-file-hint" }, ACCEPTED_WORDS), h("p", { class: "field__error", id: "share-file-error", hidden: true }), file),
      textField({ id: "share-title", name: "title", label: "Title", optional: true }),
      selectField({ id: "share-type", name: "type_id", label: "Document type", options: [["", "No type"], ...types.map((t) => [t.id, `${t.name}${t.show_in_portal ? " (shown in the portal)" : " (staff only)"}`])],
        hint: clientId ? null : "Clients see a practice document only if its type is shown in the portal." }),
    ],
    actions: [button(clientId ? "Share with client" : "Add for all clients", { type: "submit" })],
    onSubmit: async (el) => {
      clearErrors(el);
      const chosen = file.files[0];
      const problem = checkFile(chosen);
      if (problem) { showErrors(el, { message: problem.file, fields: problem }); return; }
      const data = new FormData();
      for (const name of ["title", "type_id"]) if (el.elements[name].value) data.append(name, el.elements[name].value);
      if (clientId) data.append("client_id", clientId);
      data.append("file", chosen, chosen.name);
      try {
        const doc = await upload("/documents", data);
        el.reset();
        notify(`Shared: ${doc.title}.`, "success");
        await onShared();
      } catch (error) {
        showErrors(el, error);
      }
    },
  });
}

export async function clientChartView({ params, router, ctx }) {
  const id = params.id;
  const [chart, docs, types] = await Promise.all([
    api.get(`/clients/${seg(id)}/chart`), api.get(`/clients/${seg(id)}/documents`),
    api.get("/document-types").catch(() => []),
  ]);
  const docsBox = h("div", {});
  const reload = async () => showDocs(await api.get(`/clients/${seg(id)}/documents`));
  const showDocs = (list) => {
    const mine = list.filter((d) => d.client_id === id);
    const opts = { canEdit: ctx.can("edit_clients"), onChanged: reload };
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
    TABS.map((t) => tabCard(t, chart.tabs[t.tab])),
    h("section", { class: "card", "aria-labelledby": "docs-title" }, h("h2", { id: "docs-title" }, "Documents"), docsBox,
      ctx.can("edit_clients") ? [h("h3", {}, "Share a document"), shareForm({ clientId: id, types, onShared: async () => showDocs(await api.get(`/clients/${seg(id)}/documents`)) })] : null));
}

// -- changes to review ---------------------------------------------------------------------
function restoredText(tab, field, view) {
  const value = flatten(view.values)[field];
  if (value === undefined || value === null || value === "") return `${labelOf(tab, field)} is now empty`;
  return `${labelOf(tab, field)} is now “${Array.isArray(value) ? value.join(", ") : value}”`;
}

function batchItem(batch, ctx, reload) {
  const table = h("table", { class: "table" },
    h("caption", { class: "visually-hidden" }, `${batch.client_name}: ${tabTitle(batch.tab)}`),
    h("thead", {}, h("tr", {}, ["Field", "Old value", "New value", ""].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, batch.revisions.map((r) => h("tr", {},
      h("th", { scope: "row" }, labelOf(batch.tab, r.field)), valueCell(r.old_value), valueCell(r.new_value),
      h("td", {}, ctx.can("edit_clients") ? button(["Revert", h("span", { class: "visually-hidden" }, ` ${labelOf(batch.tab, r.field)}`)], {
        kind: "quiet",
        onClick: async () => {
          try {
            const view = await api.post(`/chart-revisions/${seg(r.id)}/revert`);
            await reload();
            notify(`Reverted: ${restoredText(batch.tab, r.field, view)}.`, "success", { focus: true });
          } catch (error) {
            notify(error.message, "error", { focus: true });
          }
        } }) : null)))));
  return h("li", { class: "review__item" },
    h("h2", {}, h("a", { href: `/staff/clients/${seg(batch.client_id)}/chart` }, batch.client_name), `: ${tabTitle(batch.tab)}`),
    h("p", { class: "meta" }, `${who(batch.actor_kind)} · `, timeElement(batch.created_at, formatDateTime(batch.created_at))),
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
  async function load() {
    const batches = await api.get("/changes-to-review");
    body.replaceChildren(...(batches.length
      ? [h("p", {}, button("Mark all reviewed", { kind: "secondary", onClick: async () => {
        await api.post("/changes-to-review/reviewed", { batch_ids: batches.map((b) => b.batch_id) });
        await load();
        notify(`Marked ${batches.length} reviewed.`, "success");
      } })), h("ul", { class: "review" }, batches.map((b) => batchItem(b, ctx, load)))]
      : [h("p", { class: "empty" }, "Nothing to review. Changes clients make in the portal appear here.")]));
  }
  await load();
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Changes to review"),
    h("p", { class: "lead" }, "What clients changed in the portal, one item per saved section. Reverting restores the value from before that change."),
    body);
}

// -- administrators: chart settings ----------------------------------------------------------
export async function chartSettingsView() {
  let settings = await api.get("/practice/chart-settings");
  const formEl = form({
    label: "Chart settings",
    children: [
      checkboxField({ name: "allow_clients_update_insurance", label: "Allow clients to update insurance information", checked: settings.allow_clients_update_insurance,
        hint: "When off, clients see their insurance read-only with a note to call the practice." }),
      checkboxField({ name: "client_uploads_enabled", label: "Accept uploads from clients (My uploads)", checked: settings.client_uploads_enabled }),
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
    h("h1", { id: "page-title" }, "Chart settings"), h("div", { class: "card" }, formEl));
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
      h("div", { class: "doc__text" }, h("p", { class: "doc__title" }, type.name), h("p", { class: "meta" }, type.show_in_portal ? "Shown in the portal" : "Staff only")),
      ctx.can("edit_clients") ? button(type.show_in_portal ? `Hide ${type.name} from the portal` : `Show ${type.name} in the portal`, { kind: "secondary", onClick: async () => {
        await api.patch(`/document-types/${seg(type.id)}`, { show_in_portal: !type.show_in_portal });
        await load();
      } }) : null))) : h("p", { class: "empty" }, "No document types yet."));
    docsBox.replaceChildren(docRows(docs.filter((d) => d.kind === "practice"), "No practice documents yet.",
      { canEdit: ctx.can("edit_clients"), onChanged: load }));
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
      ctx.can("edit_clients") ? [h("h3", {}, "Add a practice document"), shareForm({ clientId: null, types, onShared: load })] : null),
    h("section", { class: "card", "aria-labelledby": "types-title" }, h("h2", { id: "types-title" }, "Document types"),
      h("p", { class: "meta" }, "Clients see only documents whose type is shown in the portal."), typesBox,
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


