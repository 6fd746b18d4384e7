// The portal's profile switcher for everyone who acts for several people (linked clients,
// grants held by a contact, or by a client's own account — a client who is also a guardian):
// "People", each with what this sign-in may do for them, and
// the home page, which is My details when the chosen person's access includes managing
// information and otherwise says what the access does include. Pages a grant does not
// allow are left out of the navigation; the API refuses them as well (403/404).

import { api } from "../api.js";
import { h } from "../ui/dom.js";
import { button } from "../ui/forms.js";
import { detailsView } from "./details.js";

export const ALLOWS_WORDS = {
  view_appointments: "View appointments",
  manage_information: "Keep their details and chart up to date",
  manage_documentation: "Documents and uploads",
  message_clinician: "Message the clinician",
  billing: "See and pay bills",
};

/** May this sign-in do `permission` for `client` ({client_id, permissions})? */
export function allows(client, permission) {
  const perms = (client && client.permissions) || [];
  return perms.includes("*") || perms.includes(permission);
}

export function allowsText(client) {
  const perms = (client && client.permissions) || [];
  if (perms.includes("*")) return ["Everything: this is your own account or a linked chart"];
  return perms.map((p) => ALLOWS_WORDS[p] || p);
}

export async function peopleView({ ctx }) {
  // the session lists the people it was opened with: someone linked or granted since then
  // appears after a refresh, so the page asks for one rather than leaving them out
  await api.post("/session/refresh").catch(() => null);
  await ctx.reloadPrincipal().catch(() => null);
  const current = ctx.currentClient();
  const list = ctx.profiles();
  // a grant the age rules leave empty today is not in the list; the session counts them
  const paused = Number((ctx.principal && ctx.principal.grants_paused) || 0) > 0;
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "People"),
    h("p", { class: "lead" }, "The people you can act for with this sign-in, and what you can do for each. The practice decides this."),
    paused ? h("p", { class: "callout callout--info" }, "Some of your access is paused by the practice's age rules. If you have questions, please call the practice.") : null,
    list.length
      ? h("ul", { class: "people" }, list.map((c) => {
        const isCurrent = current && c.client_id === current.client_id;
        return h("li", { class: "card person" },
          h("h2", { class: "person__name" }, c.name || "Unnamed", isCurrent ? h("span", { class: "status-tag status-tag--active" }, h("span", { "aria-hidden": "true" }, "●"), " Showing now") : null),
          h("p", { class: "meta" }, "What you can do:"),
          h("ul", { class: "person__allows", "aria-label": `What you can do for ${c.name || "this person"}` }, allowsText(c).map((t) => h("li", {}, t))),
          isCurrent ? null : button(`Switch to ${c.name || "this person"}`, { kind: "secondary", onClick: () => { ctx.chooseClient(c.client_id, "/"); } }));
      }))
      : h("p", { class: "empty" }, "Your sign-in does not currently give access to anyone. Please call the practice."));
}

/** "/": My details when allowed; otherwise what this access includes. */
export async function homeView(args) {
  const { ctx } = args;
  const person = ctx.currentClient();
  if (!person || allows(person, "manage_information")) return detailsView(args);
  const several = ctx.profiles().length > 1;
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, person.name || "Your access"),
    h("p", { class: "lead" }, `What you can do for ${person.name || "this person"}:`),
    h("ul", { class: "person__allows" }, allowsText(person).map((t) => h("li", {}, t))),
    allows(person, "view_appointments")
      ? h("p", {}, h("a", { href: ctx.href("/appointments") }, person.name ? `See ${person.name}'s appointments` : "See their appointments"))
      : null,
    h("p", { class: "meta" }, "Your access doesn't include their details or documents. If it should, please call the practice."),
    several ? h("p", {}, h("a", { href: ctx.href("/people") }, "Switch to someone else")) : null);
}
