// Appointment requests: what clients asked for in the portal, soonest first, each with
// Approve (it becomes a scheduled appointment) or Deny (with a reason the requester is
// told). Of two requests for one time the first approval wins; the second says so.

import { api, seg } from "../api.js";
import { h, replace } from "../ui/dom.js";
import { formatInZone, formatMinutes } from "../ui/format.js";
import { callout, notify } from "../ui/notice.js";

function item(r, timeZone, router) {
  const when = formatInZone(r.starts_at, timeZone);
  const actions = h("div", { class: "request__actions" });
  const li = h("li", { class: "appointment" },
    h("h3", { class: "appointment__when" }, h("time", { datetime: r.starts_at }, when)),
    h("p", { class: "appointment__what" }, [r.title || "Appointment", r.clinician_name ? `with ${r.clinician_name}` : null].filter(Boolean).join(" "),
      " · ", h("a", { href: router.href(`/clients/${encodeURIComponent(r.client_id)}`) }, "the client's page")),
    h("p", { class: "meta" }, [formatMinutes(r.duration_minutes), r.location === "telehealth" ? "Telehealth (video)" : "At the office"].join(" · ")),
    r.request_note ? h("p", { class: "meta" }, `Note: ${r.request_note}`) : null,
    actions);

  function decided(message) {
    replace(actions, callout(message, "success"));
  }

  const approve = h("button", { type: "button", class: "button button--primary button--small",
    "aria-label": `Approve the request for ${when}`, on: { click: async () => {
      if (approve.getAttribute("aria-disabled")) return;
      approve.setAttribute("aria-disabled", "true");
      try {
        await api.post(`/appointment-requests/${seg(r.id)}/approve`, { version: r.version });
        decided("Approved: it is on the calendar.");
      } catch (error) {
        approve.removeAttribute("aria-disabled");
        notify(error.message, "error", { focus: true });
      }
    } } }, "Approve");
  const deny = h("button", { type: "button", class: "button button--secondary button--small",
    "aria-label": `Deny the request for ${when}`, on: { click: () => {
      const reasonId = `deny-${r.id}`;
      const reason = h("input", { id: reasonId, class: "input", maxlength: "500", required: true });
      const send = h("button", { type: "button", class: "button button--primary button--small", on: { click: async () => {
        if (!reason.value.trim()) { reason.setAttribute("aria-invalid", "true"); notify("Say why: the requester is told.", "error", { focus: true }); return; }
        try {
          await api.post(`/appointment-requests/${seg(r.id)}/deny`, { version: r.version, reason: reason.value.trim() });
          decided("Denied: the requester will see your reason.");
        } catch (error) { notify(error.message, "error", { focus: true }); }
      } } }, "Deny request");
      replace(actions, h("label", { for: reasonId }, "Why (the requester is told)"), reason, " ", send);
      reason.focus();
    } } }, "Deny");
  actions.append(approve, " ", deny);
  return li;
}

export async function requestsView({ router, ctx }) {
  const found = await api.get("/appointment-requests");
  const items = found.items || [];
  const practice = ctx.principal && ctx.principal.practice;
  const timeZone = (practice && practice.time_zone) || undefined;
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Appointment requests"),
    h("p", { class: "lead" }, items.length ? `${items.length} waiting, soonest first.` : "No requests are waiting."),
    items.length ? h("ul", { class: "appointments", "aria-labelledby": "page-title" }, items.map((r) => item(r, timeZone, router))) : null);
}
