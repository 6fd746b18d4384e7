// "Contacts and guardians" panel of a client's page: the people who act for this client
// through the portal (guardians, responsible parties), what each may do (checkboxes per
// permission), a guardian's renewal past 18, removing access, suspending a contact, and
// adding one: a new contact (who gets an email to choose a password), an existing contact,
// or another client's own portal sign-in (a client who is also a guardian keeps one login).

import { api, seg } from "../api.js";
import { h, replace } from "../ui/dom.js";
import { button, checkboxField, checkboxGroup, form, selectField, showErrors, textField, values } from "../ui/forms.js";
import { formatDate, formatDateTime } from "../ui/format.js";
import { notify } from "../ui/notice.js";
import { fullName } from "../ui/record.js";

export const GRANT_WORDS = {
  view_appointments: "View appointments",
  manage_information: "Manage information (details and chart)",
  manage_documentation: "Manage documentation (documents and uploads)",
  message_clinician: "Message the clinician",
  billing: "See and pay bills",
};
export const PERMISSIONS = Object.keys(GRANT_WORDS);

const CONTACT_STATUS = { invited: "Invited", active: "Active", suspended: "Suspended", inactive: "Ended" };
// the age guardian access ends at is the practice's setting (18 unless it changed it)
const endsAt = (grant) => grant.guardian_access_ends_at_age ?? 18;
const keepLabel = (grant) => `Keep access after ${endsAt(grant)} until`;
const bandWords = (grant) => ({
  full: "Guardian of a child: all of the access below applies",
  partial: "Guardian of a teenager: confidential parts hidden",
  ended: `Guardian access ended at ${endsAt(grant)} (renew to keep it)`,
  renewed: `Guardian access renewed past ${endsAt(grant)}`,
  not_guardian: "Adult client: as granted",
}[grant.band]);

function contactTag(status) {
  const shape = { active: "●", invited: "◆" }[status] || "■";
  return h("span", { class: `status-tag status-tag--${status}` }, h("span", { "aria-hidden": "true" }, shape), " ", CONTACT_STATUS[status] || status);
}

// one group named "permissions", as the API names its refusal: "choose at least one" is
// said of the group, not of its first checkbox
function permissionChecks(prefix, chosen = []) {
  return checkboxGroup({ name: "permissions", id: `${prefix}-permissions`, legend: "May",
    children: PERMISSIONS.map((p) => checkboxField({ name: p, id: `${prefix}-${p}`, label: GRANT_WORDS[p], checked: chosen.includes(p) })) });
}

const chosenPermissions = (formEl) => PERMISSIONS.filter((p) => formEl.elements[p] && formEl.elements[p].checked);

/** Who holds a grant: a contact, or a client's portal account ({name, id, path}). */
const contactHolder = (c) => ({ name: c.name, id: c.contact_id, path: `/contacts/${seg(c.contact_id)}` });
const accountHolder = (a) => ({ name: a.name || a.login, id: a.account_id, path: `/portal-accounts/${seg(a.account_id)}` });

function grantForm({ client, holder, grant, reload }) {
  const prefix = `g-${holder.id.slice(0, 8)}`;
  const name = fullName(client);
  const children = [permissionChecks(prefix, grant.permissions)];
  if (grant.guardian) {
    children.push(textField({ name: "renewed_until", id: `${prefix}-renewed`, type: "date", optional: true,
      label: keepLabel(grant), value: grant.renewed_until || "",
      hint: `Only with the adult client's agreement. Leave empty to end access at ${endsAt(grant)}.` }));
  }
  return form({
    label: `Access of ${holder.name} to ${name}`,
    children,
    actions: [
      button("Save access", { type: "submit" }),
      button(`Remove ${holder.name}'s access to ${name}`, { kind: "danger", onClick: async () => {
        try {
          await api.del(`${holder.path}/grants/${seg(client.id)}`);
          notify(`${holder.name} can no longer act for ${name}. Their open sessions have ended.`);
          await reload();
        } catch (error) { notify(error.message, "error"); }
      } }),
    ],
    onSubmit: async (formEl) => {
      const permissions = chosenPermissions(formEl);
      if (!permissions.length) {
        showErrors(formEl, { message: "Choose at least one thing they may do, or remove their access instead.", fields: { permissions: "Choose at least one." } });
        return;
      }
      const body = { permissions };
      if (formEl.elements.renewed_until) body.renewed_until = formEl.elements.renewed_until.value || null;
      try {
        await api.put(`${holder.path}/grants/${seg(client.id)}`, body);
        notify(`Saved what ${holder.name} may do for ${name}.`);
        await reload();
      } catch (error) { showErrors(formEl, error); }
    },
  });
}

// what the age rules withhold, as words in a sentence ("documents and messages with the clinician")
const WITHHELD_WORDS = {
  view_appointments: "appointments",
  manage_information: "details and chart",
  manage_documentation: "documents",
  message_clinician: "messages with the clinician",
  billing: "bills",
};
const listWords = (words) => (words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`);

/** Why a grant allows nothing today, from the grant's own band, age and band ages. */
function nothingToday(grant, client) {
  const who = client.first_name || "The client";
  const age = grant.client_age;
  const aged = age === null || age === undefined ? "" : ` is ${age}, and`;
  if (grant.band === "partial") {
    const withheld = (grant.permissions || []).map((p) => WITHHELD_WORDS[p] || p);
    return `Nothing today: ${who}${aged} the practice keeps ${listWords(withheld)} confidential from guardians from ${grant.guardian_full_until_age} to ${grant.guardian_access_ends_at_age}. Grant another permission, or remove this access.`;
  }
  if (grant.band === "ended") {
    return `Nothing today: ${who}${aged} guardian access ends at ${endsAt(grant)}. To keep it, set "${keepLabel(grant)}" with ${who}'s agreement.`;
  }
  return "Nothing";
}

function grantDetails(grant, client) {
  const effective = grant.effective_permissions || grant.permissions || [];
  return [
    h("dt", {}, "Guardian age band"), h("dd", {}, bandWords(grant) || "—"),
    grant.renewed_until ? [h("dt", {}, "Renewed until"), h("dd", {}, formatDate(grant.renewed_until))] : null,
    h("dt", {}, "Allowed today"), h("dd", {}, effective.length ? effective.map((p) => GRANT_WORDS[p] || p).join("; ") : nothingToday(grant, client))];
}

/** A client's own portal account holding a grant for this client (one sign-in for both). */
function accountItem({ client, account, canManage, reload }) {
  const grant = (account.grants || []).find((g) => g.client_id === client.id) || { permissions: [] };
  const holder = accountHolder(account);
  return h("li", { class: "contact" },
    h("h3", { class: "contact__name" }, holder.name, " ", h("span", { class: "meta" }, "(a client: their own portal sign-in)")),
    h("dl", { class: "details-list" },
      h("dt", {}, "Sign-in"), h("dd", {}, account.login),
      h("dt", {}, "Last sign-in"), h("dd", {}, account.last_sign_in_at ? formatDateTime(account.last_sign_in_at) : "Never"),
      grantDetails(grant, client)),
    canManage ? grantForm({ client, holder, grant, reload }) : null);
}

function contactItem({ client, contact, canManage, reload }) {
  const grant = (contact.grants || []).find((g) => g.client_id === client.id) || { permissions: [] };
  const actions = [];
  if (canManage && contact.status === "active") {
    actions.push(button(`Suspend ${contact.name}`, { kind: "secondary", onClick: () => setStatus("suspended") }));
  } else if (canManage && contact.status === "suspended") {
    actions.push(button(`Reactivate ${contact.name}`, { kind: "secondary", onClick: () => setStatus("active") }));
  } else if (canManage && contact.status === "invited") {
    actions.push(button("Resend invitation", { kind: "secondary", onClick: async () => {
      try {
        await api.post(`/contacts/${seg(contact.contact_id)}/invitation`);
        notify(`A new link was emailed to ${contact.email}.`);
      } catch (error) { notify(error.message, error.status === 429 ? "warning" : "error"); }
    } }));
  }
  async function setStatus(status) {
    try {
      await api.patch(`/contacts/${seg(contact.contact_id)}`, { status });
      notify(status === "suspended" ? `${contact.name} is suspended: every open session ended.` : `${contact.name} can sign in again.`);
      await reload();
    } catch (error) { notify(error.message, "error"); }
  }
  return h("li", { class: "contact" },
    h("h3", { class: "contact__name" }, contact.name, " ", contactTag(contact.status)),
    h("dl", { class: "details-list" },
      h("dt", {}, "Email"), h("dd", {}, contact.email),
      h("dt", {}, "Last sign-in"), h("dd", {}, contact.last_sign_in_at ? formatDateTime(contact.last_sign_in_at) : "Never"),
      grantDetails(grant, client)),
    canManage ? grantForm({ client, holder: contactHolder(contact), grant, reload }) : null,
    actions.length ? h("div", { class: "toolbar" }, actions) : null);
}

function addForm({ client, others, accounts, reload }) {
  // an option's value names the holder: "<contact id>" or "account:<account id>"
  const existing = others.length || accounts.length
    ? selectField({ name: "contact_id", id: "add-contact-who", label: "Who", value: "",
      options: [["", "A new contact"],
        ...others.map((c) => [c.contact_id, `${c.name} (${c.email})`]),
        ...accounts.map((a) => [`account:${a.account_id}`, `${fullName(a)} (client sign-in ${a.login})`])] })
    : null;
  const fresh = h("div", {},
    textField({ name: "name", id: "add-contact-name", label: "Name", autocomplete: "off" }),
    textField({ name: "email", id: "add-contact-email", label: "Email", type: "email", hint: "They get an email with a link to choose a password. It must not be a login someone already uses here.", attrs: { autocapitalize: "none" } }));
  if (existing) {
    existing.querySelector("select").addEventListener("change", (event) => {
      fresh.hidden = Boolean(event.target.value);
      for (const input of fresh.querySelectorAll("input")) input.disabled = Boolean(event.target.value);
    });
  }
  const name = fullName(client);
  // the heading stands above the form, so the form's error summary shows under it, not
  // under the contact listed before it
  const formEl = form({
    label: `Add a contact for ${name}`,
    children: [existing, fresh, permissionChecks("add")],
    actions: [button("Add contact", { type: "submit" })],
    onSubmit: async (formEl) => {
      const data = values(formEl);
      const permissions = chosenPermissions(formEl);
      const missing = {};
      if (!data.contact_id) {
        if (!data.name) missing.name = "Enter the contact's name.";
        if (!data.email) missing.email = "Enter the contact's email address.";
      }
      if (!permissions.length) missing.permissions = "Choose at least one thing they may do.";
      if (Object.keys(missing).length) { showErrors(formEl, { message: "Please fix the problems below.", fields: missing }); return; }
      try {
        let holderPath = null;
        if (data.contact_id && data.contact_id.startsWith("account:")) {
          holderPath = `/portal-accounts/${seg(data.contact_id.slice("account:".length))}`;
        } else if (data.contact_id) {
          holderPath = `/contacts/${seg(data.contact_id)}`;
        } else {
          const contact = await api.post("/contacts", { name: data.name, email: data.email });
          holderPath = `/contacts/${seg(contact.contact_id)}`;
        }
        await api.put(`${holderPath}/grants/${seg(client.id)}`, { permissions });
        notify(data.contact_id ? `Access given to ${name}.` : `${data.name} was added and emailed a link to choose a password.`);
        await reload();
      } catch (error) { showErrors(formEl, error); }
    },
  });
  return h("section", { class: "add-contact", "aria-labelledby": "add-contact-title" },
    h("h3", { id: "add-contact-title" }, `Add a contact for ${name}`), formEl);
}

export function contactsPanel({ client, canManage }) {
  const body = h("div", {}, h("p", { class: "meta" }, "Loading…"));
  const panel = h("section", { class: "card", "aria-labelledby": "contacts-title", id: "contacts" },
    h("h2", { id: "contacts-title" }, "Contacts and guardians"),
    h("p", { class: "meta" }, "People who act for this client in the portal with their own sign-in, and what each may do."),
    body);
  async function reload() {
    try {
      const none = { items: [] };
      const [mine, all, signedUp] = await Promise.all([
        api.get(`/clients/${seg(client.id)}/contacts`),
        canManage ? api.get("/contacts").catch(() => none) : Promise.resolve(none),
        canManage ? api.get("/portal-access", { query: { status: "signed_up" } }).catch(() => none) : Promise.resolve(none),
      ]);
      const holding = new Set(mine.items.map((c) => c.contact_id));
      const others = all.items.filter((c) => !holding.has(c.contact_id) && c.status !== "inactive");
      const accountsHolding = mine.accounts || [];
      const held = new Set(accountsHolding.map((a) => a.account_id));
      const accounts = (signedUp.items || []).filter((a) => a.account_id && a.client_id !== client.id && !held.has(a.account_id));
      const items = [
        ...accountsHolding.map((account) => accountItem({ client, account, canManage, reload })),
        ...mine.items.map((contact) => contactItem({ client, contact, canManage, reload }))];
      replace(body,
        items.length
          ? h("ul", { class: "contacts" }, items)
          : h("p", { class: "empty" }, "No contacts act for this client."),
        canManage ? addForm({ client, others, accounts, reload }) : null);
    } catch (error) {
      replace(body, h("p", { class: "callout callout--error" }, error.message));
    }
  }
  reload();
  return panel;
}
