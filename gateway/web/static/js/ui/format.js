// Dates, times and field names for people, in the browser's language.

const DATE = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
// the zone is named ("3:20 PM EST"): appointments beside these are in the practice's zone
const DATE_TIME = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric",
  hour: "numeric", minute: "2-digit", timeZoneName: "short" });

/** "1990-03-04" → "March 4, 1990" (a calendar date: no time-zone shift). */
export function formatDate(value) {
  if (!value) return "";
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!match) return String(value);
  return DATE.format(new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])));
}

/** An ISO-8601 instant in the viewer's time zone, named ("Nov 26, 2026, 3:20 PM EST"). */
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

// -- appointments: times in the practice's time zone ------------------------------------------
function zoneFormat(timeZone, options) {
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: timeZone || undefined });
  } catch {   // an unknown zone name: the viewer's own zone rather than nothing
    return new Intl.DateTimeFormat(undefined, options);
  }
}

/** An ISO-8601 instant as "Wednesday, March 4, 2030, 3:00 PM EST" in `timeZone` (IANA). */
export function formatInZone(value, timeZone) {
  const date = new Date(value);
  if (!value || Number.isNaN(date.getTime())) return value ? String(value) : "";
  return zoneFormat(timeZone, { weekday: "long", year: "numeric", month: "long", day: "numeric",
    hour: "numeric", minute: "2-digit", timeZoneName: "short" }).format(date);
}

/** The offset of `timeZone` at the instant `ms`, in minutes east of UTC. */
function offsetAt(ms, timeZone) {
  const parts = {};
  for (const p of zoneFormat(timeZone, { hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour % 24, +parts.minute, +parts.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/**
 * A wall-clock date ("2030-03-04") and time ("15:00") in `timeZone` as ISO-8601 with its
 * offset ("2030-03-04T15:00:00-05:00"), DST-correct; null when either is missing.
 */
export function zonedIso(date, time, timeZone) {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || "");
  const t = /^(\d{2}):(\d{2})/.exec(time || "");
  if (!d || !t) return null;
  const wall = Date.UTC(+d[1], +d[2] - 1, +d[3], +t[1], +t[2]);
  let offset = offsetAt(wall, timeZone);
  offset = offsetAt(wall - offset * 60000, timeZone);   // twice: the offset may change at DST
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d[1]}-${d[2]}-${d[3]}T${t[1]}:${t[2]}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "50 minutes", "1 hour 30 minutes". */
export function formatMinutes(minutes) {
  const m = Number(minutes) || 0;
  const hours = Math.floor(m / 60);
  const rest = m % 60;
  const words = [];
  if (hours) words.push(`${hours} hour${hours === 1 ? "" : "s"}`);
  if (rest || !hours) words.push(`${rest} minute${rest === 1 ? "" : "s"}`);
  return words.join(" ");
}
