// A client's page for staff: details, portal access, appointments and the chart's revision
// history (section, field, who by name, and Revert for portal changes).

import { api, seg } from "../api.js";
import { h } from "../ui/dom.js";
import { formatDate, formatDateTime, timeElement } from "../ui/format.js";
import { FIELD_LABELS, displayValue, fieldLabel, fullName } from "../ui/record.js";
import { accessPanel, loadAccess } from "./access.js";
import { invitationPanel } from "./invite.js";
import { contactsPanel } from "./contacts.js";
import { appointmentsPanel } from "./appointments.js";
import { labelOf } from "../ui/chartfields.js";
import { revertButton, revisionValueCell, tabTitle } from "./chart/pages.js";
import { actorNamer } from "./chart/who.js";

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

/**
 * Portal changes that can still be reverted: the newest change of their field (a later
 * change, or a revert, would be overwritten; charts refuses that with `changed_since`).
 */
export function revertable(revisions) {
  const seen = new Set();
  const out = new Set();
  for (const r of revisions) {   // newest first
    const key = `${r.tab}|${r.field}`;
    if (!seen.has(key) && r.source === "portal") out.add(r.id);
    seen.add(key);
  }
  return out;
}

function revisionsTable(revisions, { client, namer, settings, canRevert, reload }) {
  if (!revisions.length) return h("p", { class: "empty" }, "No changes recorded yet.");
  const open = canRevert ? revertable(revisions) : new Set();
  const name = fullName(client);
  return h("div", { class: "table-wrap", role: "region", "aria-label": "Revisions table (scrolls sideways)", tabindex: "0" },
    h("table", { class: "table table--wide", id: "revisions" },
      h("thead", {}, h("tr", {}, ["When", "Section", "Field", "Old value", "New value", "Who", "Action"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, revisions.map((r) => h("tr", {},
        h("td", {}, timeElement(r.changed_at, formatDateTime(r.changed_at))),
        h("td", {}, tabTitle(r.tab)),
        h("th", { scope: "row" }, labelOf(r.tab, r.field, settings)),
        revisionValueCell(r.tab, r.field, r.old_value, settings), revisionValueCell(r.tab, r.field, r.new_value, settings),
        h("td", {}, namer.name(r, name)),
        h("td", {}, open.has(r.id) ? revertButton(r, settings, reload) : null))))));
}

function revisionsCard(client, revisions, options) {
  const body = h("div", {});
  async function reload() {
    try {
      const fresh = await api.get(`/clients/${seg(client.id)}/chart-revisions`);
      await options.namer.load(fresh);
      body.replaceChildren(revisionsTable(fresh, { ...options, client, reload }));
    } catch (error) {
      body.replaceChildren(h("p", { class: "callout callout--error" }, error.message));
    }
  }
  body.replaceChildren(revisionsTable(revisions, { ...options, client, reload }));
  const refresh = h("button", { type: "button", class: "button button--quiet", on: { click: reload } }, "Refresh history");
  return h("section", { class: "card", "aria-labelledby": "revisions-title" },
    h("div", { class: "card__header" }, h("h2", { id: "revisions-title" }, "Revision history"), refresh),
    h("p", { class: "meta" }, "Every change to the chart, newest first. A change made in the portal can be reverted while nothing has changed that field since."),
    body);
}

export async function clientView({ params, router, ctx }) {
  const id = params.id;
  const [client, access, revisions] = await Promise.all([
    api.get(`/clients/${seg(id)}`),
    loadAccess(id).catch(() => undefined),
    api.get(`/clients/${seg(id)}/chart-revisions`).catch(() => []),
  ]);
  const namer = actorNamer(ctx.principal);
  const [settings] = await Promise.all([api.get("/practice/chart-settings").catch(() => null), namer.load(revisions)]);
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
    appointmentsPanel({ client, ctx }),
    contactsPanel({ client, canManage: ctx.can("manage_portal_access") }),
    revisionsCard(client, revisions, { namer, settings, canRevert: ctx.can("edit_clients") }));
}
