// The console's Scheduling setup: the portal's scheduling settings and cancellation
// policy, the services the portal offers, the offices and telehealth, each clinician's
// weekly hours and their time off. Everything goes through /api/v1/scheduling/*; the
// API's 422 sentences are shown beside the fields.

import { api, seg } from "../api.js";
import { h, replace } from "../ui/dom.js";
import { formatMinutes } from "../ui/format.js";
import { checkboxField, form, button, selectField, showErrors, textField, values } from "../ui/forms.js";
import { notify } from "../ui/notice.js";

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const WHO = [["everyone", "Everyone with a portal sign-in"], ["existing", "Existing clients only"], ["no_one", "No one"]];
const REQUESTABLE = [["both", "New and existing clients"], ["new", "New clients"], ["existing", "Existing clients"]];
const dollars = (cents) => (cents == null ? "" : (cents / 100).toFixed(2));
const cents = (text) => (text === "" ? null : Math.round(Number(text) * 100));
const int = (text) => (text === "" ? null : Number(text));

function settingsForm(settings, reload) {
  const note = settings.late_window_applies ? null
    : h("p", { class: "field__hint" }, "The no-cancel window is as long as the late one or longer: a client's cancellation is on time until the no-cancel window starts, then refused — nothing is ever late-cancelled from the portal.");
  return form({
    label: "Portal scheduling settings",
    children: [
      checkboxField({ name: "online_booking", label: "Clients can request appointments in the portal", checked: settings.online_booking }),
      selectField({ name: "who_may_request", label: "Who may request", value: settings.who_may_request, options: WHO }),
      textField({ name: "min_notice_hours", label: "Minimum notice (hours)", type: "number", value: String(settings.min_notice_minutes / 60) }),
      textField({ name: "horizon_days", label: "How far ahead (days)", type: "number", value: String(settings.horizon_days) }),
      selectField({ name: "slot_step_minutes", label: "Start times every", value: String(settings.slot_step_minutes),
        options: [5, 10, 15, 20, 30, 60].map((m) => [String(m), `${m} minutes`]) }),
      textField({ name: "buffer_minutes", label: "Buffer between appointments (minutes)", type: "number", value: String(settings.buffer_minutes) }),
      textField({ name: "max_future_appointments", label: "Most upcoming appointments per client", type: "number", optional: true,
        value: settings.max_future_appointments == null ? "" : String(settings.max_future_appointments) }),
      textField({ name: "instructions", label: "Instructions on the request page", optional: true, value: settings.instructions || "" }),
      checkboxField({ name: "clients_may_cancel", label: "Clients can cancel in the portal", checked: settings.clients_may_cancel }),
      textField({ name: "late_cancel_hours", label: "Late-cancellation window (hours before)", type: "number", value: String(settings.late_cancel_hours) }),
      textField({ name: "no_cancel_hours", label: "No-cancel window (hours before)", type: "number", value: String(settings.no_cancel_hours),
        hint: "Inside it the portal tells the client to contact the practice." }),
      textField({ name: "late_cancel_fee", label: "Late-cancellation fee ($)", type: "number", optional: true, value: dollars(settings.late_cancel_fee_cents),
        hint: "Empty: the service's fee." }),
      note,
    ],
    actions: [button("Save settings", { type: "submit" })],
    onSubmit: async (el) => {
      const v = values(el);
      try {
        await api.patch("/scheduling/settings", {
          version: settings.version, online_booking: v.online_booking, who_may_request: v.who_may_request,
          min_notice_minutes: Math.round(Number(v.min_notice_hours) * 60), horizon_days: int(v.horizon_days),
          slot_step_minutes: int(v.slot_step_minutes), buffer_minutes: int(v.buffer_minutes),
          max_future_appointments: int(v.max_future_appointments), instructions: v.instructions || null,
          clients_may_cancel: v.clients_may_cancel, late_cancel_hours: int(v.late_cancel_hours),
          no_cancel_hours: int(v.no_cancel_hours), late_cancel_fee_cents: cents(v.late_cancel_fee) });
        await reload();
        notify("Scheduling settings saved.", "success");
      } catch (error) { showErrors(el, error); }
    },
  });
}

function servicesSection(services, clinicians, reload) {
  const list = h("ul", { class: "plain-list" }, services.map((s) => h("li", {},
    `${s.name} — ${formatMinutes(s.duration_minutes)}${s.cpt_code ? `, CPT ${s.cpt_code}` : ""}, $${dollars(s.fee_cents)}, `,
    `${(REQUESTABLE.find(([v]) => v === s.requestable_by) || [null, s.requestable_by])[1]}; `,
    `by ${s.clinician_ids.map((id) => (clinicians.find((c) => c.id === id) || {}).name || "a former clinician").join(", ") || "no one yet"}`,
    s.active ? "" : " (inactive)")));
  const add = form({
    label: "Add a service",
    children: [
      textField({ name: "name", id: "svc-name", label: "Name", hint: "As clients see it, e.g. Therapy intake" }),
      textField({ name: "duration_minutes", id: "svc-duration", label: "Duration (minutes)", type: "number", value: "50" }),
      textField({ name: "cpt_code", id: "svc-cpt", label: "CPT code", optional: true }),
      textField({ name: "fee", id: "svc-fee", label: "Fee ($)", type: "number", value: "0" }),
      selectField({ name: "requestable_by", id: "svc-requestable", label: "Who may request it", options: REQUESTABLE }),
      h("fieldset", { class: "field checks" }, h("legend", { class: "field__label" }, "Offered by"),
        clinicians.map((c) => checkboxField({ name: `clinician:${c.id}`, id: `svc-clinician-${c.id}`, label: c.name }))),
    ],
    actions: [button("Add service", { type: "submit" })],
    onSubmit: async (el) => {
      const v = values(el);
      try {
        await api.post("/scheduling/services", {
          name: v.name, duration_minutes: int(v.duration_minutes), cpt_code: v.cpt_code || null,
          fee_cents: cents(v.fee) ?? 0, requestable_by: v.requestable_by,
          clinician_ids: clinicians.filter((c) => v[`clinician:${c.id}`]).map((c) => c.id) });
        await reload();
        notify("Service added.", "success");
      } catch (error) { showErrors(el, error); }
    },
  });
  return h("section", { class: "card", "aria-labelledby": "services-title" },
    h("h2", { id: "services-title" }, "Services"), services.length ? list : h("p", { class: "empty" }, "No services yet."), add);
}

function locationsSection(locations, zone, reload) {
  const add = form({
    label: "Add a location",
    children: [
      selectField({ name: "kind", id: "loc-kind", label: "Kind", options: [["office", "Office"], ["telehealth", "Telehealth"]] }),
      textField({ name: "name", id: "loc-name", label: "Name" }),
      textField({ name: "address", id: "loc-address", label: "Address", optional: true, hint: "An office's street address" }),
      textField({ name: "time_zone", id: "loc-zone", label: "Time zone", value: zone || "America/New_York", hint: "IANA, e.g. America/New_York" }),
    ],
    actions: [button("Add location", { type: "submit" })],
    onSubmit: async (el) => {
      const v = values(el);
      try {
        await api.post("/scheduling/locations", { kind: v.kind, name: v.name, address: v.address || null, time_zone: v.time_zone });
        await reload();
        notify("Location added.", "success");
      } catch (error) { showErrors(el, error); }
    },
  });
  return h("section", { class: "card", "aria-labelledby": "locations-title" },
    h("h2", { id: "locations-title" }, "Locations"),
    h("ul", { class: "plain-list" }, locations.map((l) => h("li", {}, `${l.name} (${l.kind === "telehealth" ? "telehealth" : l.address || "office"}), ${l.time_zone}`))),
    add);
}

async function hoursSection(clinician, locations, reload) {
  const schedule = await api.get(`/scheduling/clinicians/${seg(clinician.id)}/work-schedule`);
  const periods = schedule.periods || [];
  const place = (id) => (locations.find((l) => l.id === id) || {}).name || "a location";
  const save = async (next) => {
    await api.put(`/scheduling/clinicians/${seg(clinician.id)}/work-schedule`, { periods: next.map((p) => ({
      weekday: p.weekday, starts: p.starts, ends: p.ends, location_id: p.location_id,
      effective_from: p.effective_from, effective_until: p.effective_until || null })) });
  };
  const list = h("ul", { class: "plain-list" }, periods.map((p, i) => h("li", {},
    `${WEEKDAYS[p.weekday]} ${p.starts}–${p.ends} at ${place(p.location_id)}, from ${p.effective_from}${p.effective_until ? ` to ${p.effective_until}` : ""} `,
    button("Remove", { kind: "secondary", attrs: { "aria-label": `Remove ${WEEKDAYS[p.weekday]} ${p.starts}–${p.ends}` }, onClick: async () => {
      try { await save(periods.filter((_, j) => j !== i)); await reload(); notify("Hours saved.", "success"); } catch (error) { notify(error.message, "error", { focus: true }); }
    } }))));
  const idp = `hours-${clinician.id}`;
  const add = form({
    label: `Add hours for ${clinician.name}`,
    children: [
      selectField({ name: "weekday", id: `${idp}-weekday`, label: "Day", options: WEEKDAYS.map((d, i) => [String(i), d]) }),
      textField({ name: "starts", id: `${idp}-starts`, label: "From", type: "time", value: "09:00" }),
      textField({ name: "ends", id: `${idp}-ends`, label: "To", type: "time", value: "12:00" }),
      selectField({ name: "location_id", id: `${idp}-location`, label: "Where", options: locations.map((l) => [l.id, l.name]) }),
      textField({ name: "effective_from", id: `${idp}-from`, label: "Starting", type: "date", value: new Date().toISOString().slice(0, 10) }),
    ],
    actions: [button("Add hours", { type: "submit" })],
    onSubmit: async (el) => {
      const v = values(el);
      try {
        await save([...periods, { weekday: Number(v.weekday), starts: v.starts, ends: v.ends, location_id: v.location_id, effective_from: v.effective_from }]);
        await reload();
        notify("Hours saved.", "success");
      } catch (error) { showErrors(el, error); }
    },
  });
  return h("section", { class: "card", "aria-labelledby": `${idp}-title` },
    h("h2", { id: `${idp}-title` }, `${clinician.name}: weekly hours`),
    periods.length ? list : h("p", { class: "empty" }, "No hours yet: not offered in the portal."), add);
}

function timeOffSection(blocks, clinicians, zone, reload) {
  const who = (id) => (id ? (clinicians.find((c) => c.id === id) || {}).name || "a clinician" : "Everyone");
  const list = h("ul", { class: "plain-list" }, blocks.map((b) => h("li", {},
    `${who(b.clinician_id)}: ${b.label || (b.kind === "time_off" ? "Time off" : "Blocked")}, ${b.starts_at.replace("T", " ")} to ${b.ends_at.replace("T", " ")} (${b.time_zone})${b.recurrence !== "none" ? `, repeats ${b.recurrence}` : ""} `,
    button("Remove", { kind: "secondary", attrs: { "aria-label": `Remove ${b.label || "blocked time"} of ${who(b.clinician_id)}` }, onClick: async () => {
      try { await api.del(`/scheduling/blocks/${seg(b.id)}`); await reload(); notify("Removed.", "success"); } catch (error) { notify(error.message, "error", { focus: true }); }
    } }))));
  const add = form({
    label: "Block time",
    children: [
      selectField({ name: "clinician_id", id: "block-clinician", label: "Whose", options: [["", "Everyone (the practice)"], ...clinicians.map((c) => [c.id, c.name])] }),
      selectField({ name: "kind", id: "block-kind", label: "Kind", options: [["time_off", "Time off"], ["block", "Blocked time (meeting, lunch)"]] }),
      textField({ name: "starts_at", id: "block-starts", label: "From", type: "datetime-local" }),
      textField({ name: "ends_at", id: "block-ends", label: "Until", type: "datetime-local" }),
      selectField({ name: "recurrence", id: "block-recurrence", label: "Repeats", options: [["none", "Does not repeat"], ["weekly", "Every week"], ["biweekly", "Every other week"], ["monthly", "Every month"]] }),
      textField({ name: "label", id: "block-label", label: "Label (staff only)", optional: true }),
    ],
    actions: [button("Block time", { type: "submit" })],
    onSubmit: async (el) => {
      const v = values(el);
      try {
        await api.post("/scheduling/blocks", { clinician_id: v.clinician_id || null, kind: v.kind, starts_at: v.starts_at,
          ends_at: v.ends_at, time_zone: zone || "UTC", recurrence: v.recurrence, label: v.label || null });
        await reload();
        notify("Time blocked: it is not offered.", "success");
      } catch (error) { showErrors(el, error); }
    },
  });
  return h("section", { class: "card", "aria-labelledby": "blocks-title" },
    h("h2", { id: "blocks-title" }, "Time off and blocked time"),
    blocks.length ? list : h("p", { class: "empty" }, "Nothing blocked."), add);
}

export async function schedulingView({ ctx }) {
  const outlet = h("div");
  const reload = async () => {
    const [settings, services, locations, blocks, staff] = await Promise.all([
      api.get("/scheduling/settings"), api.get("/scheduling/services"), api.get("/scheduling/locations"),
      api.get("/scheduling/blocks"), api.get("/clinicians")]);
    const clinicians = (staff || []).map((s) => ({ id: s.id, name: s.name || "A clinician" }));
    const practice = ctx.principal && ctx.principal.practice;
    const office = (locations.items || []).find((l) => l.kind === "office");
    const zone = (office && office.time_zone) || (practice && practice.time_zone);
    const hours = await Promise.all(clinicians.map((c) => hoursSection(c, locations.items || [], reload)));
    replace(outlet,
      h("section", { class: "card", "aria-labelledby": "settings-title" },
        h("h2", { id: "settings-title" }, "Portal requests and cancellation"),
        settingsForm(settings, reload)),
      servicesSection(services.items || [], clinicians, reload),
      locationsSection(locations.items || [], zone, reload),
      hours,
      timeOffSection(blocks.items || [], clinicians, zone, reload));
  };
  await reload();
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Scheduling setup"),
    h("p", { class: "lead" }, "What the portal offers: services, where and when clinicians see clients, time off, and the request and cancellation rules."),
    outlet);
}
