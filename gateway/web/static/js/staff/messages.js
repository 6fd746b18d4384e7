// The console's "Messages": the inbox of conversations this staff member is in (unread
// counts), a conversation with its messages, the staff-only notes beside them (never
// shown to clients), a reply box, adding a colleague, and a new conversation with a
// client. Messages and notes are shown as text, never as HTML (ui/messages.js).

import { api, seg } from "../api.js";
import { h } from "../ui/dom.js";
import { formatDateTime } from "../ui/format.js";
import { button, form, selectField, showErrors, textField } from "../ui/forms.js";
import { callout, flash, notify } from "../ui/notice.js";
import { bodyField, markRead, messageList, replyForm, unreadBadge } from "../ui/messages.js";

const clientName = (c) => {
  const p = (c.participants || []).find((x) => x.kind !== "staff");
  return (p && p.name) || "Client";
};

export async function messagesView({ ctx }) {
  const inbox = await api.get("/conversations");
  const rows = (inbox.items || []).map((c) => h("li", { class: "conversation" },
    h("a", { href: ctx.href(`/messages/${c.id}`) }, `${clientName(c)}: ${c.subject || "Conversation"}`),
    " ", unreadBadge(c.unread),
    h("p", { class: "meta" }, h("time", { datetime: c.last_message_at }, formatDateTime(c.last_message_at)))));
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Messages"),
    h("p", { class: "lead" }, inbox.unread_total ? `${inbox.unread_total} unread` : "Nothing unread."),
    h("p", {}, h("a", { href: ctx.href("/messages/new"), class: "button button--secondary" }, "New conversation")),
    rows.length ? h("ul", { class: "conversations", "aria-label": "Conversations" }, rows)
      : h("p", { class: "empty" }, "No conversations yet."));
}

function notesSection(conversation, reload) {
  const notes = (conversation.notes || []).map((n) => h("li", { class: "note" },
    h("p", { class: "message__meta" }, h("strong", {}, (n.author && n.author.name) || "Staff"), " · ",
      h("time", { datetime: n.created_at }, formatDateTime(n.created_at))),
    h("p", { class: "message__body", style: "white-space: pre-wrap" }, n.body)));
  const el = form({
    label: "Staff-only note",
    children: [bodyField({ name: "body", label: "Note (staff only)", hint: "Clients and contacts never see notes." })],
    actions: [button("Add note", { type: "submit", kind: "secondary" })],
    onSubmit: async (f) => {
      try {
        await api.post(`/conversations/${seg(conversation.id)}/notes`, { body: f.elements.namedItem("body").value });
        notify("Note added.");
        await reload();
      } catch (error) { showErrors(f, error); }
    },
  });
  el.querySelector("textarea").id = "note-field";
  el.querySelector("label[for=body-field]").setAttribute("for", "note-field");
  return h("section", { class: "card", "aria-labelledby": "notes-title" },
    h("h2", { id: "notes-title" }, "Staff-only notes"),
    notes.length ? h("ul", { class: "notes" }, notes) : h("p", { class: "empty" }, "No notes."), el);
}

async function colleagueForm(conversation, reload) {
  const staff = await api.get("/clinicians").catch(() => []);
  const inIt = new Set((conversation.participants || []).filter((p) => p.kind === "staff").map((p) => p.id));
  const options = (staff || []).filter((s) => !inIt.has(s.id)).map((s) => ({ value: s.id, label: s.name }));
  if (!options.length) return null;
  return form({
    label: "Add a colleague",
    children: [selectField({ name: "staff_id", label: "Add a colleague", options })],
    actions: [button("Add", { type: "submit", kind: "secondary" })],
    onSubmit: async (f) => {
      try {
        await api.post(`/conversations/${seg(conversation.id)}/participants`, { staff_id: f.elements.namedItem("staff_id").value });
        notify("Colleague added.");
        await reload();
      } catch (error) { showErrors(f, error); }
    },
  });
}

export async function conversationView({ ctx, params }) {
  let conversation;
  try {
    conversation = await api.get(`/conversations/${seg(params.id)}`);
  } catch (error) {
    if (error.status === 404) {
      return h("section", { class: "page" }, h("h1", {}, "Conversation"), callout(error.message, "info"));
    }
    throw error;
  }
  const settings = await api.get("/messaging/settings").catch(() => null);
  await markRead(conversation);
  if (ctx.refreshUnread) ctx.refreshUnread();
  const reload = () => ctx.navigate(`/messages/${conversation.id}`);
  const people = (conversation.participants || []).map((p) => p.name || (p.kind === "staff" ? "Staff" : "Client"));
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("p", {}, h("a", { href: ctx.href("/messages") }, "All messages")),
    h("h1", { id: "page-title" }, `${clientName(conversation)}: ${conversation.subject || "Conversation"}`),
    h("p", { class: "lead" }, `In this conversation: ${people.join(", ")}`),
    messageList(conversation, { youWord: "You" }),
    replyForm(conversation, settings, reload),
    notesSection(conversation, reload),
    await colleagueForm(conversation, reload));
}

export async function newConversationView({ ctx, query }) {
  const el = form({
    label: "New conversation",
    children: [textField({ name: "client_id", label: "Client id", value: (query && query.client_id) || "",
      hint: "Open it from the client's page, or paste the client's id." }),
    textField({ name: "subject", label: "Subject", optional: true }),
    bodyField({ label: "Your message" })],
    actions: [button("Send", { type: "submit" })],
    onSubmit: async (f) => {
      const body = { client_id: f.elements.namedItem("client_id").value.trim(), body: f.elements.namedItem("body").value };
      const subject = f.elements.namedItem("subject").value.trim();
      if (subject) body.subject = subject;
      try {
        const started = await api.post("/conversations", body);
        flash("Your message was sent.");
        ctx.navigate(`/messages/${started.id}`);
      } catch (error) { showErrors(f, error); }
    },
  });
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("p", {}, h("a", { href: ctx.href("/messages") }, "All messages")),
    h("h1", { id: "page-title" }, "New conversation"), el);
}
