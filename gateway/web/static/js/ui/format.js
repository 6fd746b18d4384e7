// Dates, times and field names for people, in the browser's language.

const DATE = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** "1990-03-04" → "March 4, 1990" (a calendar date: no time-zone shift). */
export function formatDate(value) {
  if (!value) return "";
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!match) return String(value);
  return DATE.format(new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])));
}

/** An ISO-8601 instant in the viewer's time zone. */
export function formatDateTime(value) {
  if (!value) return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : DATE_TIME.format(date);
}

export function timeElement(value, text) {
  const el = document.createElement("time");
  el.dateTime = value || "";
  el.textContent = text ?? formatDateTime(value);
  return el;
}

/** "about 3 minutes", for throttling messages. */
export function formatWait(seconds) {
  const s = Math.max(1, Math.ceil(Number(seconds) || 0));
  if (s < 60) return `${s} second${s === 1 ? "" : "s"}`;
  const m = Math.ceil(s / 60);
  return `${m} minute${m === 1 ? "" : "s"}`;
}

/** "phone_mobile" → "phone mobile" (how alerts name changed fields). */
export const spaced = (name) => String(name).replace(/_/g, " ");

export function listText(items) {
  return items.filter(Boolean).join(", ");
}
