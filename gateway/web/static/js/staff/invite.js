// "Invitation and sign-in" panel of a client's page: why this client can or cannot get in
// (never invited, sent, expired, locked, cancelled, signed up, suspended, access removed),
// the invitation email (send / resend, with the time a resend becomes possible; cancel a
// pending one), a password
// reset email, the other clients linked to the same portal account, and those it acts for
// through a grant (a client who is also a guardian; changed on that client's page).

import { api, seg } from "../api.js";
import { h, replace } from "../ui/dom.js";
import { button, form, selectField, showErrors } from "../ui/forms.js";
import { formatDateTime } from "../ui/format.js";
import { notify } from "../ui/notice.js";
import { fullName } from "../ui/record.js";
import { GRANT_WORDS } from "./contacts.js";

export const STATUS_WORDS = {
  never_invited: "Never invited", sent: "Invitation sent", expired: "Invitation expired",
  locked: "Invitation locked", cancelled: "Invitation cancelled", signed_up: "Signed up", suspended: "Suspended",
  access_removed: "Access removed",
};
const SHAPE = { signed_up: "●", sent: "◆", never_invited: "○" };

export function accessStatusTag(status) {
  return h("span", { class: `status-tag status-tag--${status}` },
    h("span", { "aria-hidden": "true" }, SHAPE[status] || "■"), " ", STATUS_WORDS[status] || status);
}

const when = (value, empty = "—") => (value ? formatDateTime(value) : empty);
const CAN_INVITE = new Set(["never_invited", "sent", "expired", "locked", "cancelled"]);

export function invitationPanel({ client, canManage }) {
  const body = h("div", {}, h("p", { class: "meta" }, "Loading…"));
  const panel = h("section", { class: "card", "aria-labelledby": "invite-title", id: "invitation" },
    h("h2", { id: "invite-title" }, "Invitation and sign-in"), body);
  const name = fullName(client);

  async function load() {
    try {
      const status = await api.get(`/clients/${seg(client.id)}/portal-status`);
      const account = status.account_id ? await api.get(`/portal-accounts/${seg(status.account_id)}`).catch(() => null) : null;
      replace(body, ...render(status, account));
    } catch (error) {
      replace(body, h("p", { class: "callout callout--error" }, error.message));
    }
  }

  function render(status, account) {
    const rows = [["Status", accessStatusTag(status.status)]];
    if (status.invited_at) rows.push(["Invitation sent", when(status.invited_at)]);
    if (status.expires_at && status.status !== "signed_up") rows.push(["Link expires", when(status.expires_at)]);
    if (status.signed_up_at) rows.push(["Signed up", when(status.signed_up_at)]);
    if (status.login) rows.push(["Signs in with", status.login]);
    if (status.signed_up_at || status.login) rows.push(["Last sign-in", when(status.last_sign_in_at, "Never")]);
    const out = [h("dl", { class: "details-list", id: "invitation-status" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))];
    if (canManage && CAN_INVITE.has(status.status)) out.push(inviteActions(status));
    if (canManage && status.status === "signed_up") {
      out.push(h("div", { class: "form__actions" }, button("Send password reset", { kind: "secondary", onClick: sendReset })));
    }
    if (account) out.push(linkedClients(account));
    return out;
  }

  function inviteActions(status) {
    const label = status.status === "never_invited" ? "Send portal invitation"
      : status.status === "cancelled" ? "Send a new invitation" : "Resend invitation";
    const wait = status.resend_at && new Date(status.resend_at) > new Date();
    const note = h("p", { class: "meta", id: "resend-note" },
      wait ? `You can resend it at ${formatDateTime(status.resend_at)}.` : "The email holds a single-use link; the client confirms their date of birth and chooses a password.");
    const send = button(label, { attrs: { id: "invite-button", "aria-describedby": "resend-note", "aria-disabled": wait ? "true" : null },
      onClick: async () => {
        if (send.getAttribute("aria-disabled")) { notify(note.textContent, "info", { focus: true }); return; }
        send.setAttribute("aria-disabled", "true");
        try {
          await api.post(`/clients/${seg(client.id)}/invitation`);
          notify(`The invitation email is on its way to ${name}.`);
          await load();
        } catch (error) {
          send.removeAttribute("aria-disabled");
          const extra = error.code === "resend_too_soon" && error.fields.retry_at ? ` (at ${formatDateTime(error.fields.retry_at)})` : "";
          notify(error.message + extra, "error", { focus: true });
        }
      } });
    const cancel = status.status === "sent" ? button("Cancel invitation", {
      kind: "danger", attrs: { id: "invite-cancel" },
      onClick: async () => {
        try {
          await api.del(`/clients/${seg(client.id)}/invitation`);
          notify(`The invitation to ${name} is cancelled: its link no longer works. You can send a new one at any time.`);
          await load();
        } catch (error) { notify(error.message, "error", { focus: true }); }
      } }) : null;
    return h("div", {}, h("div", { class: "form__actions" }, send, cancel), note);
  }

  async function sendReset() {
    try {
      const sent = await api.post(`/clients/${seg(client.id)}/password-reset`);
      notify(`A password reset link was emailed to ${sent.sent_to}. It works once, until ${formatDateTime(sent.expires_at)}.`);
    } catch (error) {
      notify(error.message, "error", { focus: true });
    }
  }

  function linkedClients(account) {
    const items = account.clients.map((c) => h("li", {},
      h("a", { href: `/staff/clients/${encodeURIComponent(c.client_id)}` }, c.name || "Unnamed"),
      c.own ? " (the account's own chart)" : [" ",
        canManage ? button(`Remove access to ${c.name || "this client"}`, { kind: "danger", attrs: { class: "button button--danger button--small" },
          onClick: async () => {
            try {
              await api.del(`/portal-accounts/${seg(account.account_id)}/clients/${seg(c.client_id)}`);
              notify(`${account.login} can no longer reach ${c.name}. Their open sessions have ended.`);
              await load();
            } catch (error) { notify(error.message, "error", { focus: true }); }
          } }) : null]));
    const granted = (account.grants || []).map((g) => {
      const allowed = g.effective_permissions || g.permissions || [];
      return h("li", {},
        h("a", { href: `/staff/clients/${encodeURIComponent(g.client_id)}#contacts` }, g.client_name || "Unnamed"),
        ` (through a grant: ${allowed.length ? allowed.map((p) => GRANT_WORDS[p] || p).join("; ") : "nothing today"})`);
    });
    const section = h("section", { "aria-labelledby": "linked-title" },
      h("h3", { id: "linked-title" }, "People this account can act for"),
      h("ul", { class: "linked-list" }, items, granted));
    if (canManage) section.append(linkForm(account));
    return section;
  }

  function linkForm(account) {
    const holder = h("div", {});
    api.get("/clients", { query: { query: account.login } }).then((found) => {
      const taken = new Set(account.clients.map((c) => c.client_id));
      const candidates = (found || []).filter((c) => (c.email || "").toLowerCase() === account.login && !taken.has(c.id));
      if (!candidates.length) {
        replace(holder, h("p", { class: "meta" }, `No other client has ${account.login} on their chart, so there is nobody to link.`));
        return;
      }
      replace(holder, form({
        label: "Link another client",
        className: "form--narrow",
        children: [selectField({ name: "client_id", label: "Link another client with the same email",
          options: candidates.map((c) => [c.id, fullName(c)]) })],
        actions: [button("Link client", { type: "submit", kind: "secondary" })],
        onSubmit: async (formEl) => {
          try {
            await api.post(`/portal-accounts/${seg(account.account_id)}/clients`, { client_id: formEl.elements.client_id.value });
            notify("Linked. They'll see the new person in their profile switcher.");
            await load();
          } catch (error) { showErrors(formEl, error); }
        },
      }));
    }).catch(() => replace(holder));
    return holder;
  }

  load();
  return panel;
}
