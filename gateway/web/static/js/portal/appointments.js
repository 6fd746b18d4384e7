// The portal's "Appointments" for the person chosen in the profile switcher: upcoming and
// past, in the practice's time zone. Shown in the nav only when this sign-in's access to
// that person includes view_appointments; opened anyway, the page says so (and the API
// refuses the list as well: 403).

import { ApiError, api } from "../api.js";
import { h } from "../ui/dom.js";
import { downloadFrom } from "../ui/files.js";
import { formatInZone, formatMinutes } from "../ui/format.js";
import { callout, notify } from "../ui/notice.js";
import { allows } from "./people.js";
import { cancelButton, pendingRequests, requestLink } from "./booking.js";

export const LOCATION_WORDS = { office: "At the office", telehealth: "Telehealth (video)" };

// Upcoming includes cancelled ones, tagged: the cancellation email says "sign in to see
// it", so the cancelled appointment must be there to see.
function query(ctx, person, when) {
  const q = { when };
  if (when === "upcoming") q.include_cancelled = "true";
  if (ctx.profiles().length > 1) q.client_id = person.client_id;
  return q;
}

function cancelledTag(late = false) {
  return h("span", { class: "status-tag status-tag--inactive" }, h("span", { "aria-hidden": "true" }, "■"), late ? " Late cancellation" : " Cancelled");
}

// "Add to calendar": a plain download link to the appointment's .ics file (the cookie
// session is sent with it, as with documents), whose click first refreshes a stale access
// cookie. The URL carries only the appointment's id; its name says which time it adds.
export const calendarHref = (a) => `/api/v1/me/appointments/${encodeURIComponent(a.id)}/calendar`;

// The file is asked for once before the link is followed: when it cannot be had now
// (scheduling not answering: 503), the page says why, instead of the browser saving the
// error as "calendar.json" or a failed download. The link itself stays a plain download,
// which phones open in their calendar.
async function available(href) {
  let response;
  try {
    response = await fetch(href, { credentials: "same-origin", cache: "no-store" });
  } catch {
    throw new ApiError(0);
  }
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
}

function calendarLink(a, when) {
  const href = calendarHref(a);
  return h("p", { class: "appointment__calendar" },
    h("a", { href, download: "appointment.ics", "aria-label": `Add to calendar: ${when}`, on: { click: async (event) => {
      event.preventDefault();
      const link = event.currentTarget;
      try {
        await api.get("/session");
        await available(href);
        await downloadFrom(href);
      } catch (error) { notify(error.message, "error"); link.focus(); }
    } } }, "Add to calendar"));
}

function item(a, timeZone, upcoming, cancel) {
  const when = formatInZone(a.starts_at, timeZone);
  return h("li", { class: "appointment" },
    h("h3", { class: "appointment__when" }, h("time", { datetime: a.starts_at }, when),
      a.status === "cancelled" || a.status === "late_cancelled" ? cancelledTag(a.status === "late_cancelled") : null),
    h("p", { class: "appointment__what" }, [a.title || "Appointment", a.clinician_name ? `with ${a.clinician_name}` : null].filter(Boolean).join(" ")),
    h("p", { class: "meta" }, [formatMinutes(a.duration_minutes), LOCATION_WORDS[a.location] || a.location].filter(Boolean).join(" · ")),
    upcoming && a.status === "scheduled" ? calendarLink(a, when) : null,
    upcoming && cancel && a.status === "scheduled" ? h("p", {}, cancel(a, when)) : null);
}

function section(id, title, items, empty, timeZone, upcoming = false, cancel = null) {
  return h("section", { class: "card", "aria-labelledby": id },
    h("h2", { id }, title),
    items.length
      ? h("ul", { class: "appointments", "aria-labelledby": id }, items.map((a) => item(a, timeZone, upcoming, cancel)))
      : h("p", { class: "empty" }, empty));
}

function notAllowed(ctx, person) {
  const several = ctx.profiles().length > 1;
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Appointments"),
    callout(`Your access to ${person ? person.name || "this person" : "this person"} doesn't include appointments. If it should, please call the practice.`, "info"),
    several ? h("p", {}, h("a", { href: ctx.href("/people") }, "Switch to someone else")) : null);
}

// a list the server could not give now (503, or no network) is said in its own section,
// with Try again, so the page keeps its heading and the list that did load
const unavailable = (error) => error && (error.status === 503 || error.status === 0);

function notLoaded(id, title, error) {
  return h("section", { class: "card", "aria-labelledby": id },
    h("h2", { id }, title),
    callout(`${title} appointments could not be loaded: ${error.message}`, "warning",
      h("p", {}, h("button", { type: "button", class: "button button--secondary", on: { click: () => location.reload() } }, "Try again"))));
}

export async function appointmentsView({ ctx }) {
  const person = ctx.currentClient();
  if (!person || !allows(person, "view_appointments")) return notAllowed(ctx, person);
  const settle = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));
  const load = () => Promise.all([
    settle(api.get("/me/appointments", { query: query(ctx, person, "upcoming") })),
    settle(api.get("/me/appointments", { query: query(ctx, person, "past") })),
  ]);
  let results = await load();
  // a session opened before a link or grant was made learns of it at its next refresh
  if (results.some((r) => r.error && r.error.status === 404)) {
    await api.post("/session/refresh").catch(() => null);
    results = await load();
  }
  if (results.some((r) => r.error && r.error.status === 403)) return notAllowed(ctx, person);
  const other = results.find((r) => r.error && !unavailable(r.error));
  if (other) throw other.error;
  const [upcoming, past] = results;
  const timeZone = ctx.practice && ctx.practice.time_zone;
  const several = ctx.profiles().length > 1;
  const settings = await api.get("/scheduling/settings").catch(() => null);
  const requests = settings && settings.online_booking && settings.who_may_request !== "no_one";
  const reload = () => ctx.navigate("/appointments");
  const cancel = settings && settings.clients_may_cancel ? (a, when) => cancelButton(a, when, reload) : null;
  const pending = await pendingRequests(ctx, person, timeZone, reload);
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, several ? `Appointments: ${person.name || "this person"}` : "Appointments"),
    h("p", { class: "lead" }, cancel ? policyWords(settings) : "To change or cancel an appointment, please call the practice.",
      timeZone ? ` Times are in the practice's time zone (${timeZone}).` : ""),
    requests ? requestLink(ctx) : null,
    pending,
    upcoming.error ? notLoaded("upcoming-title", "Upcoming", upcoming.error)
      : section("upcoming-title", "Upcoming", upcoming.value.items || [], "No upcoming appointments.", timeZone, true, cancel),
    past.error ? notLoaded("past-title", "Past", past.error)
      : section("past-title", "Past", past.value.items || [], "No past appointments.", timeZone));
}

function policyWords(settings) {
  const parts = ["To change an appointment, please call the practice."];
  if (settings.no_cancel_hours) parts.push(`You can cancel here until ${settings.no_cancel_hours} hours before it starts; after that, please call.`);
  if (settings.late_window_applies && settings.late_cancel_hours) parts.push(`Cancelling less than ${settings.late_cancel_hours} hours before is a late cancellation, and the practice's fee may apply.`);
  return parts.join(" ");
}

export function appointmentsNavLink(base, path) {
  return h("li", {}, h("a", { href: `${base}/appointments`, class: "masthead__link", "aria-current": path === "/appointments" ? "page" : null }, "Appointments"));
}
