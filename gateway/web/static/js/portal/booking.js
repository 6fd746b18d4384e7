// The portal's "Request an appointment": pick a service (and, if you like, a clinician
// — those availability has named so far — and office or telehealth), see the offered times of a week in the practice's time
// zone, pick one and send the request; the practice approves or denies it. Pending
// requests, Withdraw and Cancel (within the practice's policy) live on Appointments.

import { api, seg } from "../api.js";
import { h, replace } from "../ui/dom.js";
import { formatInZone, formatMinutes } from "../ui/format.js";
import { callout, flash, notify } from "../ui/notice.js";
import { allows } from "./people.js";

const DAYS = 7;

function isoDate(date) {
  return date.toISOString().slice(0, 10);
}

function addDays(text, days) {
  const d = new Date(`${text}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}

function dayHeading(slot) {
  return new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric",
    timeZone: slot.time_zone }).format(new Date(slot.starts_at));
}

function timeLabel(slot) {
  return new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit",
    timeZone: slot.time_zone }).format(new Date(slot.starts_at));
}

function closed(message) {
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Request an appointment"),
    callout(message, "info"));
}

export async function requestView({ ctx }) {
  const person = ctx.currentClient();
  if (!person || !allows(person, "view_appointments")) {
    return closed("Your access to this person doesn't include appointments. If it should, please call the practice.");
  }
  let settings;
  try {
    settings = await api.get("/scheduling/settings");
  } catch (error) { return closed(error.message); }
  if (!settings.online_booking || settings.who_may_request === "no_one") {
    return closed("This practice doesn't take appointment requests in the portal. Please call the practice.");
  }
  const [services, locations] = await Promise.all([
    api.get("/scheduling/services"), api.get("/scheduling/locations")]);
  const offered = (services.items || []).filter((s) => s.active && (s.clinician_ids || []).length);
  const places = Object.fromEntries((locations.items || []).map((l) => [l.id, l]));
  if (!offered.length) return closed("There is nothing to request online yet. Please call the practice.");

  const query = ctx.profiles().length > 1 ? { client_id: person.client_id } : {};
  const state = { service: offered[0].id, where: "", clinician: "", from: isoDate(new Date()), chosen: null };
  const known = {};   // clinician id → name, as availability has named them
  const results = h("div", { class: "booking__results", "aria-live": "polite" });
  const confirm = h("div", { class: "booking__confirm" });

  const serviceSelect = h("select", { id: "booking-service", class: "input select", on: { change: (e) => { state.service = e.target.value; load(); } } },
    offered.map((s) => h("option", { value: s.id }, `${s.name} (${formatMinutes(s.duration_minutes)})`)));
  const whereSelect = h("select", { id: "booking-where", class: "input select", on: { change: (e) => { state.where = e.target.value; load(); } } },
    h("option", { value: "" }, "Office or telehealth"), h("option", { value: "office" }, "At the office"),
    h("option", { value: "telehealth" }, "Telehealth (video)"));
  const clinicianSelect = h("select", { id: "booking-clinician", class: "input select", on: { change: (e) => { state.clinician = e.target.value; load(); } } },
    h("option", { value: "" }, "Any clinician"));
  function fillClinicians() {
    replace(clinicianSelect, h("option", { value: "" }, "Any clinician"),
      Object.entries(known).sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) =>
        h("option", { value: id, selected: id === state.clinician }, name)));
  }
  const weekLabel = h("p", { class: "booking__week", "aria-live": "polite" });
  const earlier = h("button", { type: "button", class: "button button--secondary", on: { click: () => { state.from = addDays(state.from, -DAYS); load(); } } }, "Earlier week");
  const later = h("button", { type: "button", class: "button button--secondary", on: { click: () => { state.from = addDays(state.from, DAYS); load(); } } }, "Later week");

  function pick(slot, names, service) {
    state.chosen = slot;
    const place = places[slot.location_id];
    const note = h("textarea", { id: "booking-note", class: "input", maxlength: "500", rows: "3" });
    const send = h("button", { type: "button", class: "button button--primary", on: { click: async () => {
      if (send.getAttribute("aria-disabled")) return;
      send.setAttribute("aria-disabled", "true");
      try {
        await api.post("/me/appointment-requests", {
          service_id: service.id, clinician_id: slot.clinician_id, location_id: slot.location_id,
          starts_at: slot.starts_at, note: note.value.trim() || null }, { query });
        flash("Your request was sent. The practice will confirm it.", "success");
        ctx.navigate("/appointments");
      } catch (error) {
        send.removeAttribute("aria-disabled");
        notify(error.message, "error", { focus: true });
        if (error.status === 409) load();
      }
    } } }, "Send request");
    replace(confirm, h("section", { class: "card", "aria-labelledby": "confirm-title" },
      h("h2", { id: "confirm-title", tabindex: "-1" }, "Your request"),
      h("p", {}, `${service.name} with ${names[slot.clinician_id] || "the clinician"}, ${formatInZone(slot.starts_at, slot.time_zone)}`),
      h("p", { class: "meta" }, place ? (place.kind === "telehealth" ? "Telehealth (video)" : `${place.name}, ${place.address || ""}`) : ""),
      h("label", { for: "booking-note" }, "A note for the practice (optional)"), note,
      h("p", {}, send)));
    confirm.querySelector("h2").focus();
  }

  async function load() {
    const to = addDays(state.from, DAYS - 1);
    weekLabel.textContent = `Times from ${state.from} to ${to}, in the practice's time zone.`;
    replace(results, h("p", { class: "meta" }, "Looking for times…"));
    replace(confirm);
    const q = { service_id: state.service, from: state.from, to };
    if (state.where) q.telehealth = state.where === "telehealth" ? "true" : "false";
    if (state.clinician) q.clinician_id = state.clinician;
    let found;
    try {
      found = await api.get("/scheduling/availability", { query: q });
    } catch (error) { replace(results, callout(error.message, "warning")); return; }
    const service = offered.find((s) => s.id === state.service);
    Object.assign(known, found.clinicians || {});
    fillClinicians();
    const byDay = new Map();
    for (const slot of found.items || []) {
      const day = dayHeading(slot);
      if (!byDay.has(day)) byDay.set(day, []);
      byDay.get(day).push(slot);
    }
    if (!byDay.size) {
      replace(results, h("p", { class: "empty" }, "No times this week. Try a later week."));
      return;
    }
    replace(results, [...byDay.entries()].map(([day, slots], i) => h("section", { class: "booking__day", "aria-labelledby": `day-${i}` },
      h("h3", { id: `day-${i}` }, day),
      h("ul", { class: "booking__times" }, slots.map((slot) => h("li", {},
        h("button", { type: "button", class: "button button--secondary button--small",
          "aria-label": `${day}, ${timeLabel(slot)} with ${found.clinicians[slot.clinician_id] || "the clinician"}`,
          on: { click: () => pick(slot, found.clinicians, service) } },
        `${timeLabel(slot)} · ${found.clinicians[slot.clinician_id] || ""}`)))))));
  }

  const page = h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Request an appointment"),
    settings.instructions ? h("p", { class: "lead" }, settings.instructions) : null,
    h("div", { class: "form booking__filters" },
      h("div", { class: "field" }, h("label", { for: "booking-service" }, "Service"), serviceSelect),
      h("div", { class: "field" }, h("label", { for: "booking-where" }, "Where"), whereSelect),
      h("div", { class: "field" }, h("label", { for: "booking-clinician" }, "Clinician"), clinicianSelect)),
    h("p", {}, earlier, " ", later), weekLabel, results, confirm);
  load();
  return page;
}

// -- on the Appointments page ------------------------------------------------------------
const REQUEST_WORDS = { requested: "Waiting for the practice", denied: "Denied", withdrawn: "Withdrawn" };

export async function pendingRequests(ctx, person, timeZone, reload) {
  const query = { status: "any" };
  if (ctx.profiles().length > 1) query.client_id = person.client_id;
  let found;
  try {
    found = await api.get("/me/appointment-requests", { query });
  } catch { return null; }
  const items = (found.items || []).filter((r) => r.status === "requested" || r.status === "denied");
  if (!items.length) return null;
  return h("section", { class: "card", "aria-labelledby": "requests-title" },
    h("h2", { id: "requests-title" }, "Requests"),
    h("ul", { class: "appointments", "aria-labelledby": "requests-title" }, items.map((r) => {
      const when = formatInZone(r.starts_at, timeZone);
      return h("li", { class: "appointment" },
        h("h3", { class: "appointment__when" }, h("time", { datetime: r.starts_at }, when),
          h("span", { class: "status-tag" }, " ", REQUEST_WORDS[r.status] || r.status)),
        h("p", { class: "appointment__what" }, [r.title || "Appointment", r.clinician_name ? `with ${r.clinician_name}` : null].filter(Boolean).join(" ")),
        r.status === "denied" && r.deny_reason ? h("p", { class: "meta" }, `The practice said: ${r.deny_reason}`) : null,
        r.status === "requested" ? h("p", {}, h("button", { type: "button", class: "button button--secondary button--small",
          "aria-label": `Withdraw the request for ${when}`, on: { click: async () => {
            try {
              await api.post(`/me/appointment-requests/${seg(r.id)}/withdraw`, { version: r.version });
              flash("Your request was withdrawn.", "success");
              reload();
            } catch (error) { notify(error.message, "error", { focus: true }); }
          } } }, "Withdraw")) : null);
    })));
}

// Cancel asks once more in the page (no browser dialog): "Yes, cancel it" or "Keep it".
export function cancelButton(a, when, reload) {
  const holder = h("span", { class: "appointment__cancel" });
  const ask = h("button", { type: "button", class: "button button--secondary button--small",
    "aria-label": `Cancel the appointment on ${when}`, on: { click: () => {
      const yes = h("button", { type: "button", class: "button button--primary button--small", on: { click: async () => {
        if (yes.getAttribute("aria-disabled")) return;
        yes.setAttribute("aria-disabled", "true");
        try {
          const done = await api.post(`/me/appointments/${seg(a.id)}/cancel`, { version: a.version });
          flash(done.status === "late_cancelled"
            ? "The appointment was cancelled late: the practice's late-cancellation fee may apply."
            : "The appointment was cancelled.", "success");
          reload();
        } catch (error) {
          yes.removeAttribute("aria-disabled");
          replace(holder, callout(error.message, "warning"));
        }
      } } }, "Yes, cancel it");
      const keep = h("button", { type: "button", class: "button button--secondary button--small",
        on: { click: () => { replace(holder, ask); ask.focus(); } } }, "Keep it");
      replace(holder, h("span", { role: "group", "aria-label": `Cancel the appointment on ${when}?` },
        `Cancel the appointment on ${when}? `, yes, " ", keep));
      yes.focus();
    } } }, "Cancel");
  holder.append(ask);
  return holder;
}

export function requestLink(ctx) {
  return h("p", {}, h("a", { href: ctx.href("/appointments/request"), class: "button button--primary" }, "Request an appointment"));
}
