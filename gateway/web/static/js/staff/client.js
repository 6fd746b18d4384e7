// A client's page for staff: details, portal access and revision history.

import { api, seg } from "../api.js";
import { h } from "../ui/dom.js";
import { formatDate, formatDateTime, timeElement } from "../ui/format.js";
import { FIELD_LABELS, displayValue, fieldLabel, fullName } from "../ui/record.js";
import { accessPanel, loadAccess } from "./access.js";
import { invitationPanel } from "./invite.js";
import { contactsPanel } from "./contacts.js";

function detailsCard(client) {
  const rows = Object.keys(FIELD_LABELS).map((name) => {
    const value = name === "date_of_birth" && client[name] ? formatDate(client[name]) : displayValue(name, client[name]);
    return [h("dt", {}, fieldLabel(name)), h("dd", { class: value === "—" ? "value--empty" : null }, value)];
  });
  return h("section", { class: "card", "aria-labelledby": "details-title" },
    h("h2", { id: "details-title" }, "Details"),
    h("dl", { class: "details-list" }, rows),
    client.updated_at ? h("p", { class: "meta" }, "Last updated ", timeElement(client.updated_at)) : null);
}

function who(revision, principal) {
  if (revision.actor_name) return revision.actor_name;
  if (principal && revision.actor_kind === "staff" && revision.actor_id === principal.id) return "You";
  if (revision.actor_kind === "client" || revision.source === "portal") return "Client (portal)";
  if (revision.actor_kind === "contact") return "Contact (portal)";
  if (revision.actor_kind === "staff") return "Staff";
  return revision.actor_kind || "—";
}

function cell(value) {
  if (value === null || value === undefined || value === "") {
    return h("td", { class: "value value--empty" }, h("span", { "aria-hidden": "true" }, "—"), h("span", { class: "visually-hidden" }, "empty"));
  }
  return h("td", { class: "value" }, String(value));
}

function revisionsTable(revisions, principal) {
  if (!revisions.length) return h("p", { class: "empty" }, "No changes recorded yet.");
  return h("div", { class: "table-wrap", role: "region", "aria-label": "Revisions table (scrolls sideways)", tabindex: "0" },
    h("table", { class: "table", id: "revisions" },
      h("thead", {}, h("tr", {}, ["When", "Field", "Old value", "New value", "Who"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, revisions.map((r) => h("tr", {},
        h("td", {}, timeElement(r.changed_at, formatDateTime(r.changed_at))),
        h("th", { scope: "row" }, fieldLabel(r.field)),
        cell(r.old_value), cell(r.new_value),
        h("td", {}, who(r, principal)))))));
}

function revisionsCard(client, revisions, principal) {
  const body = h("div", {}, revisionsTable(revisions, principal));
  const refresh = h("button", { type: "button", class: "button button--quiet", on: { click: async () => {
    try {
      body.replaceChildren(revisionsTable(await api.get(`/clients/${seg(client.id)}/revisions`), principal));
    } catch (error) {
      body.replaceChildren(h("p", { class: "callout callout--error" }, error.message));
    }
  } } }, "Refresh history");
  return h("section", { class: "card", "aria-labelledby": "revisions-title" },
    h("div", { class: "card__header" }, h("h2", { id: "revisions-title" }, "Revision history"), refresh),
    h("p", { class: "meta" }, "Changes to these details, newest first."),
    body);
}

export async function clientView({ params, router, ctx }) {
  const id = params.id;
  const [client, access, revisions] = await Promise.all([
    api.get(`/clients/${seg(id)}`),
    loadAccess(id).catch(() => undefined),
    api.get(`/clients/${seg(id)}/revisions`).catch(() => []),
  ]);
  const name = fullName(client);
  return h("article", { class: "page", "aria-labelledby": "page-title" },
    h("p", {}, h("a", { href: router.href("/clients") }, "← All clients")),
    h("h1", { id: "page-title" }, name, client.preferred_name ? h("span", { class: "meta" }, ` (${client.preferred_name})`) : null),
    h("p", {}, h("a", { href: router.href(`/clients/${seg(id)}/chart`), class: "button button--secondary" }, "Chart and documents")),
    detailsCard(client),
    invitationPanel({ client, canManage: ctx.can("manage_portal_access") }),
    access === undefined
      ? h("section", { class: "card" }, h("h2", {}, "Portal access"), h("p", { class: "callout callout--error" }, "Portal access could not be loaded. Reload the page to try again."))
      : accessPanel({ client, access, canManage: ctx.can("manage_portal_access") }),
    contactsPanel({ client, canManage: ctx.can("manage_portal_access") }),
    revisionsCard(client, revisions, ctx.principal));
}
