// Operations: updates Haven could not process for this practice after its retries
// ("parked"), and a button that processes one again; below, the emails sent and a way
// to send a failed one again (staff/emails.js, deliveryLogCard). Names and counts only: the
// update's content never reaches this page.

import { api, seg } from "../api.js";
import { h } from "../ui/dom.js";
import { formatDateTime, spaced, timeElement } from "../ui/format.js";
import { flash, notify } from "../ui/notice.js";
import { deliveryLogCard } from "./emails.js";

const when = (v) => (v ? timeElement(v, formatDateTime(v)) : "—");

function row(delivery, refresh) {
  const label = `${spaced(delivery.event_type || "update")} in ${delivery.service}`;
  const replay = delivery.parked ? h("button", {
    type: "button", class: "button button--secondary button--small", "aria-label": `Process again: ${label}`,
    on: { click: async () => {
      if (replay.getAttribute("aria-disabled")) return;
      replay.setAttribute("aria-disabled", "true");
      try {
        await api.post(`/ops/failed-deliveries/${seg(delivery.service)}/${seg(delivery.event_id)}/replay`,
          { handler: delivery.handler });
        flash("Sent to be processed again. It leaves this list once processed.", "success");
        refresh();  // the page is rebuilt, so the notice waits for it (flash)
      } catch (error) {
        replay.removeAttribute("aria-disabled");
        notify(error.message, "error", { focus: true });
      }
    } },
  }, "Process again") : h("span", { class: "meta" }, "Retrying");
  return h("tr", {},
    h("th", { scope: "row" }, spaced(delivery.event_type || "update")),
    h("td", {}, delivery.service),
    h("td", {}, String(delivery.attempts)),
    h("td", { class: "value" }, delivery.last_error || "—"),
    h("td", {}, when(delivery.first_failed_at)),
    h("td", {}, replay));
}

export async function opsView({ router }) {
  const deliveries = (await api.get("/ops/failed-deliveries")) || [];
  const parked = deliveries.filter((d) => d.parked).length;
  const refresh = () => router.reload();
  const rows = deliveries.map((d) => row(d, refresh));
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Operations"),
    h("p", { class: "lead" }, "Updates Haven could not process for your practice. Fix the cause first "
      + "(a bad template, a service that was down), then process them again: an update is never applied twice."),
    h("div", { class: "card" },
      h("p", { class: "meta", role: "status" }, deliveries.length
        ? `${parked} waiting to be processed again, ${deliveries.length - parked} still retrying.`
        : "Nothing failed. Every update was processed."),
      rows.length ? h("div", { class: "table-wrap", role: "region", "aria-label": "Failed updates (scrolls sideways)", tabindex: "0" },
        h("table", { class: "table" }, h("caption", { class: "visually-hidden" }, "Failed updates"),
          h("thead", {}, h("tr", {}, ["Update", "Service", "Attempts", "Last error", "First failed", "Action"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, rows))) : null),
    await deliveryLogCard({ router }));
}
