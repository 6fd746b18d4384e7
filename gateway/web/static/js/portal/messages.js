// The portal's "Messages": the conversations this sign-in is in (with unread counts), a
// conversation with its messages and a reply box, and "New message" to one of the
// person's assigned clinicians. The practice's "not for emergencies" notice is shown
// wherever one writes. Messages are shown as text, never as HTML (ui/messages.js).

import { api, seg } from "../api.js";
import { h } from "../ui/dom.js";
import { formatDateTime } from "../ui/format.js";
import { button, form, selectField, showErrors, textField } from "../ui/forms.js";
import { callout, flash } from "../ui/notice.js";
import { bodyField, emergencyNotice, markRead, messageList, partyName, replyForm, unreadBadge } from "../ui/messages.js";

export function messagesNavLink(base, path, unread) {
  return h("li", {}, h("a", { href: `${base}/messages`, class: "masthead__link", id: "nav-messages",
    "aria-current": path.startsWith("/messages") ? "page" : null }, "Messages", unread ? " " : null, unreadBadge(unread)));
}

function off(message) {
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Messages"), callout(message, "info"));
}

export async function messagesView({ ctx }) {
  let inbox;
  try {
    inbox = await api.get("/conversations");
  } catch (error) {
    if (error.status === 403) return off(error.message);
    throw error;
  }
  const rows = (inbox.items || []).map((c) => h("li", { class: "conversation" },
    h("a", { href: ctx.href(`/messages/${c.id}`) }, c.subject || "Conversation"),
    " ", unreadBadge(c.unread),
    h("p", { class: "meta" }, `With ${(c.participants || []).filter((p) => p.kind === "staff").map((p) => p.name || "the practice").join(", ")} · `,
      h("time", { datetime: c.last_message_at }, formatDateTime(c.last_message_at)))));
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Messages"),
    h("p", {}, h("a", { href: ctx.href("/messages/new"), class: "button button--primary" }, "New message")),
    rows.length ? h("ul", { class: "conversations", "aria-label": "Conversations" }, rows)
      : h("p", { class: "empty" }, "No messages yet."));
}

export async function conversationView({ ctx, params }) {
  let conversation;
  try {
    conversation = await api.get(`/conversations/${seg(params.id)}`);
  } catch (error) {
    if (error.status === 403 || error.status === 404) return off(error.message);
    throw error;
  }
  const settings = await api.get("/messaging/settings").catch(() => null);
  await markRead(conversation);
  const with_ = (conversation.participants || []).filter((p) => p.kind === "staff").map((p) => p.name || "the practice");
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("p", {}, h("a", { href: ctx.href("/messages") }, "All messages")),
    h("h1", { id: "page-title" }, conversation.subject || "Conversation"),
    h("p", { class: "lead" }, `With ${with_.join(", ")}`),
    messageList(conversation),
    replyForm(conversation, settings, () => ctx.navigate(`/messages/${conversation.id}`)));
}

export async function newMessageView({ ctx }) {
  const person = ctx.currentClient();
  if (!person) return off("There is no one you can write about.");
  const [settings, clinicians] = await Promise.all([
    api.get("/messaging/settings").catch(() => null),
    api.get(`/clients/${seg(person.client_id)}/message-clinicians`).catch((error) => ({ error })),
  ]);
  if (settings && !settings.enabled) return off("Secure messaging is not turned on for this practice. Please contact the practice by phone or in person.");
  if (clinicians.error) return off(clinicians.error.message);
  const options = (clinicians.items || []).map((c) => ({ value: c.id, label: c.name || "Clinician" }));
  if (!options.length) return off("No clinician is assigned to you yet, so there is no one to write to here. Please call the practice.");
  const el = form({
    label: "New message",
    children: [emergencyNotice(settings),
      selectField({ name: "clinician_id", label: "To", options }),
      textField({ name: "subject", label: "Subject", optional: true }),
      bodyField({ label: "Your message" })],
    actions: [button("Send", { type: "submit" })],
    onSubmit: async (f) => {
      const body = {
        clinician_id: f.elements.namedItem("clinician_id").value,
        body: f.elements.namedItem("body").value,
        client_id: person.client_id,
      };
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
    h("h1", { id: "page-title" }, "New message"), el);
}

export { partyName };
