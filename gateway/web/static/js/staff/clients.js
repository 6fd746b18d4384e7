// Clients: search the practice's clients, and add a new one.

import { api } from "../api.js";
import { h } from "../ui/dom.js";
import { button, form, showErrors, textField, values } from "../ui/forms.js";
import { formatDate } from "../ui/format.js";
import { flash } from "../ui/notice.js";
import { fieldLabel, fullName } from "../ui/record.js";

const clientHref = (router, id) => router.href(`/clients/${encodeURIComponent(id)}`);

export async function clientsView({ query, router }) {
  const term = query.get("query") || "";
  const clients = await api.get("/clients", { query: { query: term } });

  const search = h("form", { class: "search", role: "search", "aria-label": "Clients",
    on: { submit: (event) => {
      event.preventDefault();
      const q = event.currentTarget.elements.query.value.trim();
      router.navigate(q ? `/clients?query=${encodeURIComponent(q)}` : "/clients");
    } } },
  textField({ name: "query", label: "Search clients", type: "search", value: term, hint: "Name or email." }),
  button("Search", { type: "submit", kind: "secondary" }));

  const summary = term
    ? `${clients.length} client${clients.length === 1 ? "" : "s"} found for “${term}”.`
    : `${clients.length} client${clients.length === 1 ? "" : "s"}.`;

  const table = clients.length
    ? h("div", { class: "table-wrap", role: "region", "aria-labelledby": "clients-caption", tabindex: "0" },
      h("table", { class: "table" },
        h("caption", { id: "clients-caption", class: "visually-hidden" }, "Client list"),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Date of birth"), h("th", { scope: "col" }, "Email"))),
        h("tbody", {}, clients.map((c) => h("tr", {},
          h("th", { scope: "row" }, h("a", { href: clientHref(router, c.id) }, fullName(c) || "(no name)")),
          h("td", {}, c.date_of_birth ? formatDate(c.date_of_birth) : "—"),
          h("td", { class: "value" }, c.email || "—"))))))
    : h("p", { class: "empty" }, term ? "No clients match your search. Check the spelling, or add the client." : "No clients yet.");

  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("div", { class: "toolbar" },
      h("h1", { id: "page-title" }, "Clients"),
      h("a", { href: router.href("/clients/new"), class: "button button--primary" }, "Add a client")),
    h("div", { class: "card" }, search, h("p", { class: "meta", role: "status" }, summary), table));
}

export function newClientView({ router }) {
  const text = (name, opts = {}) => textField({ name, label: fieldLabel(name), ...opts });
  const el = form({
    label: "Add a client",
    children: [
      h("div", { class: "grid grid--2" },
        text("first_name", { required: true, autocomplete: "off" }),
        text("last_name", { required: true, autocomplete: "off" })),
      text("date_of_birth", { type: "date", optional: true, attrs: { max: new Date().toISOString().slice(0, 10), min: "1900-01-01" } }),
      text("email", { type: "email", optional: true, hint: "Also used as the portal login if you set up access." }),
      text("phone_mobile", { type: "tel", optional: true }),
    ],
    actions: [button("Create client", { type: "submit" }), h("a", { href: router.href("/clients"), class: "button button--quiet" }, "Cancel")],
    onSubmit: async (formEl) => {
      const data = values(formEl);
      const missing = {};
      if (!data.first_name) missing.first_name = "Enter the client's first name.";
      if (!data.last_name) missing.last_name = "Enter the client's last name.";
      if (Object.keys(missing).length) {
        showErrors(formEl, { message: "Please fix the problems below.", fields: missing });
        return;
      }
      const body = {};
      for (const [key, value] of Object.entries(data)) if (value !== "") body[key] = value;
      try {
        const client = await api.post("/clients", body);
        flash(`${fullName(client)} has been added.`);
        router.navigate(`/clients/${encodeURIComponent(client.id)}`);
      } catch (error) {
        showErrors(formEl, error);
      }
    },
  });
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("p", {}, h("a", { href: router.href("/clients") }, "← All clients")),
    h("h1", { id: "page-title" }, "Add a client"),
    h("div", { class: "card" }, el));
}
