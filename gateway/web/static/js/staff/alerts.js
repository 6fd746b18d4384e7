// Alerts: what staff should know about, e.g. "Bobby Newman updated mobile phone, city" —
// fields named as the chart's forms label them (ui/chartfields.js spokenFields).
// Unread alerts say "New" in words as well as being marked by a border.

import { api, seg } from "../api.js";
import { h } from "../ui/dom.js";
import { spokenFields } from "../ui/chartfields.js";
import { formatDateTime, spaced, timeElement } from "../ui/format.js";
import { notify } from "../ui/notice.js";

function sentence(alert, router) {
  const who = alert.client_id
    ? h("a", { href: router.href(`/clients/${encodeURIComponent(alert.client_id)}`) }, alert.client_name || "A client")
    : (alert.client_name || "A client");
  if (alert.kind === "delivery_parked") {  // names the update's type only, no client
    const type = spaced((alert.fields || [])[0] || "update");
    return [`An update could not be processed (${type}). `,
      h("a", { href: router.href("/operations") }, "Process it again from Operations"), "."];
  }
  if (alert.kind === "demographics_changed") {
    return [who, ` updated ${spokenFields(alert.fields || [])}`];
  }
  return [who, `: ${spaced(alert.kind || "alert")}`];
}

function item(alert, router, ctx) {
  const textId = `alert-${alert.id}-text`;
  const tag = h("span", { class: "status-tag status-tag--new" }, "New");
  const markRead = h("button", {
    type: "button", class: "button button--secondary button--small", "aria-describedby": textId,
    on: { click: async () => {
      if (markRead.getAttribute("aria-disabled")) return;
      markRead.setAttribute("aria-disabled", "true");
      try {
        await api.post(`/alerts/${seg(alert.id)}/read`);
        li.classList.remove("alert-item--unread");
        tag.remove();
        const next = li.parentElement.querySelector(".alert-item--unread button") || li.querySelector("a");
        markRead.remove();
        if (next) next.focus();
        notify("Marked as read.", "success");
        ctx.refreshUnread();
      } catch (error) {
        markRead.removeAttribute("aria-disabled");
        notify(error.message, "error", { focus: true });
      }
    } },
  }, "Mark as read");
  const li = h("li", { class: ["alert-item", alert.read ? null : "alert-item--unread"] },
    h("div", { class: "alert-item__main" },
      h("p", { class: "alert-item__text", id: textId }, alert.read ? null : [tag, " "], sentence(alert, router)),
      h("p", { class: "meta" }, timeElement(alert.created_at, formatDateTime(alert.created_at)))),
    alert.read ? null : markRead);
  return li;
}

export async function alertsView({ router, ctx }) {
  const alerts = (await api.get("/alerts")) || [];
  const unread = alerts.filter((a) => !a.read).length;
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Alerts"),
    h("p", { class: "lead" }, unread ? `${unread} unread of ${alerts.length}.` : alerts.length ? "You're all caught up." : "No alerts yet."),
    alerts.length ? h("ul", { class: "alerts", "aria-labelledby": "page-title" }, alerts.map((a) => item(a, router, ctx))) : null);
}
