// The portal's "My chart" (one page per tab, each saved on its own with the tab's
// version), "Documents" (shared with me and the practice's) and "My uploads".

import { api, seg } from "../../api.js";
import { h } from "../../ui/dom.js";
import { ACCEPT, ACCEPTED_WORDS, checkFile, download, formatSize, upload } from "../../ui/files.js";
import { button, clearErrors, form, showErrors, textField } from "../../ui/forms.js";
import { formatDateTime, listText, timeElement } from "../../ui/format.js";
import { callout, notify } from "../../ui/notice.js";
import { TABS } from "../../ui/chartfields.js";
import { tabForm } from "../../ui/chartform.js";

const NOT_OFFERED = {
  insurance: "This practice keeps insurance details itself: there is no Insurance section in the portal. Please call the practice about your insurance.",
};
const READ_ONLY_NOTE = "Insurance details can only be changed by the practice. Please call the practice to update them.";

/** ?client_id= when the sign-in acts for several people (linked clients). */
function who(ctx) {
  const person = ctx.currentClient && ctx.currentClient();
  return person && ctx.profiles && ctx.profiles().length > 1 ? { client_id: person.client_id } : undefined;
}

function withWho(ctx, path) {
  const query = who(ctx);
  return query ? `${path}?client_id=${seg(query.client_id)}` : path;
}

/** The tabs the practice offers this reader (no Insurance when the practice keeps it). */
function tabNav(ctx, current, chart) {
  const offered = TABS.filter(({ tab }) => chart.tabs[tab]);
  return h("nav", { class: "tabs", "aria-label": "Chart sections" },
    h("ul", { class: "tabs__list" }, offered.map(({ tab, title, path }) => h("li", {},
      h("a", { href: ctx.href(path), class: "tabs__link", "aria-current": tab === current ? "page" : null }, title)))));
}

export async function tabView({ params, ctx }) {
  const meta = TABS.find((t) => t.tab === params.tab);
  if (!meta) {
    return h("section", { class: "page" }, h("h1", {}, "Page not found"),
      h("p", {}, "There is no such part of your chart. ", h("a", { href: ctx.href("/chart/basic") }, "Go to My chart"), "."));
  }
  const tab = meta.tab;
  const load = () => api.get("/me/chart", { query: who(ctx) });
  const chart = await load();   // the tabs offered and the settings
  if (!chart.tabs[tab]) {        // Insurance, while the practice keeps insurance itself
    return h("section", { class: "page", "aria-labelledby": "page-title" },
      h("h1", { id: "page-title" }, `My chart: ${meta.title}`),
      tabNav(ctx, tab, chart),
      callout(NOT_OFFERED[tab] || "This part of the chart is not offered in the portal.", "info"));
  }
  const { element } = tabForm({
    tab, title: meta.title, chart, load,
    patch: (owner, body) => api.patch(withWho(ctx, `/me/chart/${owner}`), body),
    photos: { uploadPath: withWho(ctx, "/me/uploads"), uploadsEnabled: Boolean(chart.settings && chart.settings.client_uploads_enabled) },
    words: {
      saved: (labels) => `Saved: ${listText(labels)}. The practice has been told what changed.`,
      stale: "These details were changed somewhere else (perhaps by the practice or someone who helps you) while you had this page open, so your changes were not saved. We've loaded the latest details: please check them and make your changes again.",
    },
    readOnlyNote: (view) => (view.read_only_reason === "insurance_read_only" ? READ_ONLY_NOTE : "You can see these details but not change them."),
  });
  const holder = h("div", { class: "card" }, element);

  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, `My chart: ${meta.title}`),
    tabNav(ctx, tab, chart),
    h("p", { class: "lead" }, "Each part of your chart is saved on its own. When you save, the practice is told what changed."),
    holder);
}

// -- documents -----------------------------------------------------------------------------
/** One's own upload that staff have not opened yet may still be taken back. */
function deletable(doc, ctx) {
  const me = ctx && ctx.principal;
  return Boolean(me && doc.kind === "upload" && !doc.reviewed_at &&
    doc.uploaded_by_kind === me.kind && doc.uploaded_by_id === me.id);
}

function deleteButton(doc, onDeleted) {
  const name = doc.title || doc.filename;
  const label = ["Delete", h("span", { class: "visually-hidden" }, ` ${name}`)];
  const el = button(label, { kind: "danger", attrs: { class: "button button--danger button--small" }, onClick: async () => {
    if (!el.dataset.armed) {       // ask once more: a deleted file cannot be brought back
      el.dataset.armed = "1";
      el.textContent = `Yes, delete ${name}`;
      return;
    }
    try {
      await api.del(`/documents/${seg(doc.id)}`);
      notify(`Deleted: ${name}.`, "success");
      await onDeleted();
    } catch (error) {
      notify(error.message, "error", { focus: true });
      await onDeleted();
    }
  } });
  el.addEventListener("blur", () => { if (el.dataset.armed) { delete el.dataset.armed; el.replaceChildren(...label); } });
  return el;
}

function documentRow(doc, { ctx = null, onDeleted = null } = {}) {
  return h("li", { class: "doc" },
    h("div", { class: "doc__text" },
      h("p", { class: "doc__title" }, doc.title || doc.filename),
      h("p", { class: "meta" }, `${doc.filename} · ${formatSize(doc.size)} · `, timeElement(doc.created_at, formatDateTime(doc.created_at)))),
    button(["Download", h("span", { class: "visually-hidden" }, ` ${doc.title || doc.filename}`)], {
      kind: "secondary",
      onClick: async (event) => {
        try { await download(doc.id); } catch (error) { notify(error.message, "error"); event.currentTarget.focus(); }
      },
    }),
    onDeleted && deletable(doc, ctx) ? deleteButton(doc, onDeleted) : null);
}

function documentList(docs, empty, options) {
  if (!docs.length) return h("p", { class: "empty" }, empty);
  return h("ul", { class: "docs" }, docs.map((d) => documentRow(d, options)));
}

export async function documentsView({ ctx }) {
  const docs = await api.get("/me/documents", { query: who(ctx) });
  const shared = docs.filter((d) => d.kind === "shared");
  const practice = docs.filter((d) => d.kind === "practice");
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Documents"),
    h("section", { class: "card", "aria-labelledby": "shared-title" },
      h("h2", { id: "shared-title" }, "Shared with you"),
      documentList(shared, "Nothing has been shared with you yet.")),
    h("section", { class: "card", "aria-labelledby": "practice-title" },
      h("h2", { id: "practice-title" }, `From ${ctx.practice ? ctx.practice.name : "the practice"}`),
      documentList(practice, "The practice has no documents for clients yet.")),
    h("p", {}, h("a", { href: ctx.href("/uploads") }, "Send a file to the practice (My uploads)")));
}

export async function uploadsView({ ctx }) {
  const [docs, chart] = await Promise.all([
    api.get("/me/documents", { query: who(ctx) }),
    api.get("/me/chart", { query: who(ctx) }).catch(() => null),
  ]);
  const list = h("div", {});
  const showUploads = (all) => list.replaceChildren(documentList(all.filter((d) => d.kind === "upload"),
    "You haven't uploaded anything yet.", { ctx, onDeleted: async () => showUploads(await api.get("/me/documents", { query: who(ctx) })) }));
  showUploads(docs);
  const enabled = !chart || chart.settings.client_uploads_enabled;
  const fileInput = h("input", { type: "file", id: "upload-file", name: "file", accept: ACCEPT, class: "input input--file", "aria-describedby": "upload-file-hint" });
  const fileField = h("div", { class: "field", dataset: { field: "file" } },
    h("label", { class: "field__label", for: "upload-file" }, "File"),
    h("p", { class: "field__hint", id: "upload-file-hint" }, ACCEPTED_WORDS + ". A photo of an insurance card is fine."),
    h("p", { class: "field__error", id: "upload-file-error", hidden: true }),
    fileInput);
  const formEl = enabled ? form({
    label: "Upload a file",
    children: [fileField, textField({ id: "upload-title", name: "title", label: "What is it?", optional: true, hint: "For example: insurance card, front.", attrs: { maxlength: "200" } })],
    actions: [button("Upload", { type: "submit" })],
    onSubmit: async (el) => {
      clearErrors(el);
      const file = fileInput.files[0];
      const problem = checkFile(file);
      if (problem) { showErrors(el, { message: problem.file, fields: problem }); return; }
      const data = new FormData();
      data.append("title", el.elements.title.value.trim());
      data.append("file", file, file.name);
      try {
        const doc = await upload(withWho(ctx, "/me/uploads"), data);
        el.reset();
        notify(`Uploaded: ${doc.title || doc.filename}. The practice has been told.`, "success");
        showUploads(await api.get("/me/documents", { query: who(ctx) }));
      } catch (error) {
        showErrors(el, error.fields && error.fields.file ? error : { ...error, message: error.message, fields: { file: error.message } });
      }
    },
  }) : callout("This practice doesn't accept uploads through the portal. Please call the practice.", "info");
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "My uploads"),
    h("section", { class: "card", "aria-labelledby": "upload-title-h" }, h("h2", { id: "upload-title-h" }, "Send a file to the practice"), formEl),
    h("section", { class: "card", "aria-labelledby": "mine-title" }, h("h2", { id: "mine-title" }, "What you've sent"),
      h("p", { class: "meta" }, "You can delete a file until the practice has opened it."), list));
}

/** The routes and nav links main.js adds. */
export function chartRoutes(ctx) {
  return [
    { path: "/chart", title: "My chart", view: (args) => tabView({ ...args, params: { tab: "basic" }, ctx }) },
    { path: "/chart/:tab", title: (heading) => (heading ? heading.textContent : "My chart"), view: (args) => tabView({ ...args, ctx }) },
    { path: "/documents", title: "Documents", view: (args) => documentsView({ ...args, ctx }) },
    { path: "/uploads", title: "My uploads", view: (args) => uploadsView({ ...args, ctx }) },
  ];
}

export function chartNavLinks(base, path) {
  const current = (p) => (path === p || path.startsWith(p + "/") ? "page" : null);
  return [
    h("li", {}, h("a", { href: `${base}/chart/basic`, class: "masthead__link", "aria-current": current("/chart") }, "My chart")),
    h("li", {}, h("a", { href: `${base}/documents`, class: "masthead__link", "aria-current": current("/documents") }, "Documents")),
    h("li", {}, h("a", { href: `${base}/uploads`, class: "masthead__link", "aria-current": current("/uploads") }, "My uploads")),
  ];
}
