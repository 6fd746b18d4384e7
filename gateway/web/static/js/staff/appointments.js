// The "Appointments" panel of a client's page: upcoming and past appointments in the
// practice's time zone; for staff with manage_appointments a booking form (clinician from
// the staff list, date, time, length, where, the service the client sees) and, on each
// upcoming appointment, Cancel with a reason for the practice only.

import { api, seg } from "../api.js";
import { h, replace } from "../ui/dom.js";
import { button, form, radioGroup, selectField, showErrors, textField, values } from "../ui/forms.js";
import { formatInZone, formatMinutes, zonedIso } from "../ui/format.js";
import { notify } from "../ui/notice.js";
import { fullName } from "../ui/record.js";
import { LOCATION_WORDS } from "../portal/appointments.js";
import { ROLE_WORDS } from "./team.js";

const MANAGE = "manage_appointments";

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((n) => n.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function statusTag(status) {
  return status === "cancelled"
    ? h("span", { class: "status-tag status-tag--inactive" }, h("span", { "aria-hidden": "true" }, "■"), " Cancelled")
    : h("span", { class: "status-tag status-tag--active" }, h("span", { "aria-hidden": "true" }, "●"), " Scheduled");
}

function cancelForm(a, when, { onDone, onKeep }) {
  const id = `cancel-${a.id.slice(0, 8)}`;
  return form({
    label: `Cancel the appointment on ${when}`,
    className: "cancel-form",
    children: [textField({ name: "reason", id: `${id}-reason`, label: "Reason (for the practice only)", optional: true,
      hint: "The client does not see this.", attrs: { maxlength: "500" } })],
    actions: [button("Yes, cancel it", { type: "submit", kind: "danger" }), button("Keep it", { kind: "secondary", onClick: onKeep })],
    onSubmit: async (formEl) => {
      const { reason } = values(formEl);
      try {
        await api.post(`/appointments/${seg(a.id)}/cancel`, { version: a.version, reason: reason || null });
        notify(`Cancelled the appointment on ${when}.`);
        await onDone();
      } catch (error) {
        if (error.status === 409) {
          notify(`${error.message} The list now shows the latest.`, "warning");
          await onDone();
          return;
        }
        showErrors(formEl, error);
      }
    },
  });
}

function item(a, { timeZone, canManage, reload }) {
  const when = formatInZone(a.starts_at, timeZone);
  const li = h("li", { class: "appointment" });
  const actions = h("div", {});
  if (canManage && a.status === "scheduled" && new Date(a.ends_at) > new Date()) {
    const open = button("Cancel appointment", { kind: "secondary", attrs: { "aria-label": `Cancel the appointment on ${when}` }, onClick: () => {
      const f = cancelForm(a, when, { onDone: reload, onKeep: () => { replace(actions, open); open.focus(); } });
      replace(actions, f);
      f.querySelector("input").focus();
    } });
    actions.append(open);
  }
  replace(li,
    h("h4", { class: "appointment__when" }, h("time", { datetime: a.starts_at }, when), statusTag(a.status)),
    h("p", { class: "appointment__what" }, [a.title || "Appointment", a.clinician_name ? `with ${a.clinician_name}` : null].filter(Boolean).join(" ")),
    h("p", { class: "meta" }, [formatMinutes(a.duration_minutes), LOCATION_WORDS[a.location] || a.location].join(" · ")),
    a.status === "cancelled" && a.cancel_reason ? h("p", { class: "meta" }, `Reason (practice only): ${a.cancel_reason}`) : null,
    actions);
  return li;
}

function list(id, title, items, empty, options) {
  return h("section", { "aria-labelledby": id },
    h("h3", { id }, title),
    items.length ? h("ul", { class: "appointments", "aria-labelledby": id }, items.map((a) => item(a, options))) : h("p", { class: "empty" }, empty));
}

function bookForm({ client, clinicians, me, timeZone, reload }) {
  let key = null;   // one Idempotency-Key per booking: kept across a retry after a 503
  const options = [["", "Choose a clinician"], ...clinicians.map((c) => [c.id, `${c.name} (${ROLE_WORDS[c.role] || c.role})`])];
  const mine = clinicians.some((c) => c.id === me) ? me : "";
  const formEl = form({
    label: `Book an appointment for ${fullName(client)}`,
    id: "book-appointment",
    children: [
      selectField({ name: "clinician_id", id: "book-clinician", label: "Clinician", options, value: mine }),
      textField({ name: "date", id: "book-date", type: "date", label: "Date", required: true }),
      textField({ name: "time", id: "book-time", type: "time", label: "Start time", required: true,
        hint: timeZone ? `In the practice's time zone (${timeZone}).` : null }),
      textField({ name: "duration_minutes", id: "book-duration", type: "number", label: "Length in minutes", value: "50",
        attrs: { min: "10", max: "480", step: "5", inputmode: "numeric" } }),
      radioGroup({ name: "location", legend: "Where", value: "office", options: Object.entries(LOCATION_WORDS) }),
      textField({ name: "title", id: "book-title", label: "Service shown to the client", optional: true,
        hint: "For example, Individual therapy.", attrs: { maxlength: "120" } }),
    ],
    actions: [button("Book appointment", { type: "submit" })],
    onSubmit: async (el) => {
      const v = values(el);
      const missing = {};
      if (!v.clinician_id) missing.clinician_id = "Choose a clinician.";
      if (!v.date) missing.date = "Enter the date.";
      if (!v.time) missing.time = "Enter the start time.";
      if (Object.keys(missing).length) {
        showErrors(el, { message: "Some details are missing.", fields: missing });
        return;
      }
      const body = { clinician_id: v.clinician_id, starts_at: zonedIso(v.date, v.time, timeZone),
        duration_minutes: Number(v.duration_minutes) || 50, location: v.location || "office" };
      if (v.title) body.title = v.title;
      key = key || newKey();
      try {
        const booked = await api.post(`/clients/${seg(client.id)}/appointments`, body, { headers: { "Idempotency-Key": key } });
        key = null;
        // clear what differs between bookings; the clinician, length and place stay
        for (const name of ["date", "time", "title"]) el.elements[name].value = "";
        notify(`Booked: ${formatInZone(booked.starts_at, timeZone)}${booked.clinician_name ? ` with ${booked.clinician_name}` : ""}.`);
        await reload();
      } catch (error) {
        if (error.status !== 503 && error.status !== 0) key = null;   // refused: a new try is a new booking
        const fields = { ...(error.fields || {}) };
        // the form asks for date and time; scheduling names the instant they make
        if (fields.starts_at) { fields.time = fields.starts_at; delete fields.starts_at; }
        showErrors(el, { message: error.message, fields });
      }
    },
  });
  return h("section", { "aria-labelledby": "book-title-heading" }, h("h3", { id: "book-title-heading" }, "Book an appointment"), formEl);
}

export function appointmentsPanel({ client, ctx }) {
  const canManage = ctx.can(MANAGE);
  const timeZone = ctx.principal && ctx.principal.practice ? ctx.principal.practice.time_zone : null;
  const body = h("div", {}, h("p", { class: "meta" }, "Loading…"));
  const book = h("div", {});
  const panel = h("section", { class: "card", "aria-labelledby": "appointments-title", id: "appointments" },
    h("h2", { id: "appointments-title" }, "Appointments"),
    timeZone ? h("p", { class: "meta" }, `Times are in the practice's time zone (${timeZone}).`) : null,
    body, book);
  async function reload() {
    try {
      const path = `/clients/${seg(client.id)}/appointments`;
      const [upcoming, past] = await Promise.all([api.get(path, { query: { when: "upcoming" } }), api.get(path, { query: { when: "past" } })]);
      const options = { timeZone, canManage, reload };
      replace(body,
        list("appointments-upcoming", "Upcoming", upcoming.items || [], "No upcoming appointments.", options),
        list("appointments-past", "Past", past.items || [], "No past appointments.", options));
    } catch (error) {
      replace(body, h("p", { class: "callout callout--error" }, `Appointments could not be loaded: ${error.message}`));
    }
  }
  reload();
  if (canManage) {
    api.get("/clinicians")
      .then((clinicians) => replace(book, bookForm({ client, clinicians, me: ctx.principal && ctx.principal.id, timeZone, reload })))
      .catch((error) => replace(book, h("p", { class: "callout callout--error" }, `The booking form could not be loaded: ${error.message}`)));
  }
  return panel;
}
