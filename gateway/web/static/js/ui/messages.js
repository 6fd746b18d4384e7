// Secure messages, shared by the portal's Messages page and the console's inbox: a
// conversation's messages and a reply box. Every message is plain text set with
// textContent (through h()), never innerHTML: what a person typed stays text.

import { api, seg } from "../api.js";
import { h } from "./dom.js";
import { formatDateTime } from "./format.js";
import { callout, notify } from "./notice.js";
import { button, form, showErrors } from "./forms.js";

export const BODY_MAX = 10000;

/** Who a party is, in words, for the person reading. */
export function partyName(party, conversation, youWord = "You") {
  const you = conversation.you;
  if (you && party.kind === you.kind && party.id === you.id) return youWord;
  const p = (conversation.participants || []).find((x) => x.kind === party.kind && x.id === party.id);
  if (p && p.name) return p.name;
  return party.kind === "staff" ? "The practice" : "Client";
}

export function unreadBadge(count) {
  if (!count) return null;
  return h("span", { class: "badge", "data-unread": String(count) }, String(count),
    h("span", { class: "visually-hidden" }, count === 1 ? " unread message" : " unread messages"));
}

/** A textarea field in the style of ui/forms.js (label, hint, error slot). */
export function bodyField({ name = "body", label = "Message", hint } = {}) {
  const id = `${name}-field`;
  const hintEl = hint ? h("p", { class: "field__hint", id: `${id}-hint` }, hint) : null;
  const input = h("textarea", { id, name, class: "input input--textarea", rows: "6",
    maxlength: String(BODY_MAX), required: true, "aria-describedby": hintEl ? hintEl.id : null });
  return h("div", { class: "field", dataset: { field: name } },
    h("label", { class: "field__label", for: id }, label), hintEl,
    h("p", { class: "field__error", id: `${id}-error`, hidden: true }), input);
}

/** The notice that messaging is not for emergencies, shown wherever a person composes. */
export function emergencyNotice(settings) {
  const text = settings && settings.emergency_notice;
  return text ? callout(text, "warning") : null;
}

export function messageList(conversation, { youWord } = {}) {
  const items = (conversation.messages || []).map((m) => h("li", { class: "message", dataset: { seq: String(m.seq) } },
    h("p", { class: "message__meta" }, h("strong", {}, partyName(m.sender, conversation, youWord)), " · ",
      h("time", { datetime: m.sent_at }, formatDateTime(m.sent_at))),
    h("p", { class: "message__body", style: "white-space: pre-wrap" }, m.body)));
  return h("ol", { class: "messages", "aria-label": "Messages" }, items);
}

/** The reply form: POST /conversations/{id}/messages, then `onSent()`. */
export function replyForm(conversation, settings, onSent) {
  const el = form({
    label: "Reply",
    children: [emergencyNotice(settings), bodyField({ label: "Your reply" })],
    actions: [button("Send", { type: "submit" })],
    onSubmit: async (f) => {
      const body = f.elements.namedItem("body").value;
      try {
        await api.post(`/conversations/${seg(conversation.id)}/messages`, { body });
        notify("Your message was sent.");
        await onSent();
      } catch (error) { showErrors(f, error); }
    },
  });
  return el;
}

/** Mark the conversation read when it has unread messages (quietly: the page shows it). */
export async function markRead(conversation) {
  if (!conversation.unread) return;
  try { await api.post(`/conversations/${seg(conversation.id)}/read`, {}); } catch { /* shown unread next time */ }
}
