// The chart's tabs as forms: which fields each tab has, how they are labelled, and how a
// form's values become a save (only the top-level keys that changed; a person or a
// coverage is sent whole, or null when every field of it was cleared).
//
// Field names are the API's dotted paths ("primary.subscriber.name"), so the messages the
// API sends per field land beside the right input.

import { COUNTRIES } from "./record.js";

export const TABS = [
  { tab: "basic", title: "Basic", path: "/chart/basic" },
  { tab: "details", title: "Details", path: "/chart/details" },
  { tab: "contacts", title: "Contacts", path: "/chart/contacts" },
  { tab: "insurance", title: "Insurance", path: "/chart/insurance" },
  { tab: "communication", title: "Communication preferences", path: "/chart/communication" },
];

const words = (list) => list.map((v) => [v, v.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase())]);
const choice = (values) => [["", "Not specified"], ...words(values)];
const yesNo = [["", "Not specified"], ["true", "Yes"], ["false", "No"]];
const countries = [["", "Select a country"], ...COUNTRIES];

const t = (name, label, extra = {}) => ({ name, label, kind: "text", ...extra });
const tel = (name, label) => t(name, label, { type: "tel", autocomplete: "tel" });
const date = (name, label) => t(name, label, { type: "date", hint: "For example 1990-04-12." });
const sel = (name, label, options, extra = {}) => ({ name, label, kind: "select", options, ...extra });
const box = (name, label, hint) => ({ name, label, kind: "checkbox", hint });

function address(prefix) {
  return [t(`${prefix}.line1`, "Address line 1"), t(`${prefix}.line2`, "Address line 2"),
    t(`${prefix}.city`, "City"), t(`${prefix}.state`, "State"),
    t(`${prefix}.postal_code`, "Postal code"), sel(`${prefix}.country`, "Country", countries)];
}

function person(key, legend) {
  return { legend, key, fields: [
    t(`${key}.name`, "Name", { hint: "Needed if you fill in anything else here." }),
    t(`${key}.relationship`, "Relationship to you"),
    tel(`${key}.phone_mobile`, "Mobile phone"), tel(`${key}.phone_home`, "Home phone"),
    tel(`${key}.phone_work`, "Work phone"), t(`${key}.email`, "Email", { type: "email" }),
    ...address(`${key}.address`)] };
}

function coverage(key, legend) {
  return { legend, key, fields: [
    t(`${key}.payer`, "Insurance company"), t(`${key}.member_id`, "Member id"),
    t(`${key}.group_number`, "Group number"), t(`${key}.plan`, "Plan"),
    sel(`${key}.subscriber.relationship`, "The subscriber is", [["", "Not specified"], ["self", "Me"], ["spouse", "My spouse"], ["parent", "My parent"], ["child", "My child"], ["other", "Someone else"]]),
    t(`${key}.subscriber.name`, "Subscriber's name", { hint: "When the subscriber is not you." }),
    date(`${key}.subscriber.date_of_birth`, "Subscriber's date of birth"),
    date(`${key}.effective_from`, "Effective from"), date(`${key}.effective_to`, "Effective to")] };
}

export const GROUPS = {
  basic: [
    { legend: "Your name", fields: [
      t("first_name", "Legal first name", { autocomplete: "given-name" }),
      t("last_name", "Legal last name", { autocomplete: "family-name" }),
      t("preferred_name", "Preferred name", { autocomplete: "nickname" }),
      t("pronouns", "Pronouns", { hint: "For example she/her, he/him, they/them." })] },
    { legend: "About you", fields: [
      date("date_of_birth", "Date of birth"),
      sel("sex", "Sex", choice(["female", "male", "intersex", "unknown", "declined"])),
      t("gender_identity", "Gender identity")] },
    { legend: "How to reach you", fields: [
      t("email", "Email", { type: "email", autocomplete: "email" }),
      tel("phone_mobile", "Mobile phone"), box("phone_mobile_texts", "My mobile phone may receive texts"),
      tel("phone_home", "Home phone"), box("phone_home_texts", "My home phone may receive texts"),
      tel("phone_work", "Work phone"), box("phone_work_texts", "My work phone may receive texts")] },
    { legend: "Address", fields: [
      t("address_line1", "Address line 1", { autocomplete: "address-line1" }),
      t("address_line2", "Address line 2", { autocomplete: "address-line2" }),
      t("city", "City", { autocomplete: "address-level2" }), t("state", "State", { autocomplete: "address-level1" }),
      t("postal_code", "Postal code", { autocomplete: "postal-code" }),
      sel("country", "Country", countries, { autocomplete: "country" }),
      t("time_zone", "Time zone", { hint: "For example America/Chicago." })] },
  ],
  details: [
    { legend: "Language", fields: [
      sel("interpreter_needed", "Do you need an interpreter?", yesNo)] },
    { legend: "Demographics", fields: [
      { name: "race", label: "Race (choose any)", kind: "multi", options: words(["american_indian_or_alaska_native", "asian", "black_or_african_american", "native_hawaiian_or_other_pacific_islander", "white", "other", "declined"]) },
      sel("ethnicity", "Ethnicity", choice(["hispanic_or_latino", "not_hispanic_or_latino", "declined"])),
      sel("marital_status", "Marital status", choice(["single", "married", "domestic_partner", "separated", "divorced", "widowed", "other", "declined"])),
      sel("employment", "Employment", choice(["employed_full_time", "employed_part_time", "self_employed", "unemployed", "student", "retired", "unable_to_work", "other", "declined"])),
      sel("education", "Education", choice(["less_than_high_school", "high_school", "some_college", "associate", "bachelor", "master", "doctorate", "other", "declined"])),
      sel("smoking_status", "Smoking", choice(["never", "former", "current_some_days", "current_every_day", "unknown", "declined"]))] },
  ],
  contacts: [person("emergency_contact", "Emergency contact"), person("responsible_party", "Responsible party (who pays)"), person("legal_guardian", "Legal guardian")],
  insurance: [coverage("primary", "Primary insurance"), coverage("secondary", "Secondary insurance")],
  communication: [
    { legend: "May we…", fields: [
      sel("email_ok", "Email you?", yesNo), sel("text_ok", "Text you?", yesNo),
      sel("voicemail_ok", "Leave you a voicemail?", yesNo),
      sel("appointment_reminders", "Send appointment reminders?", yesNo)] },
  ],
};

// Tabs whose top-level keys are objects sent whole.
const NESTED = { contacts: ["emergency_contact", "responsible_party", "legal_guardian"], insurance: ["primary", "secondary"] };
const BOOLEAN_SELECTS = new Set(["interpreter_needed", "email_ok", "text_ok", "voicemail_ok", "appointment_reminders"]);

/** {"primary": {"payer": "A"}} → {"primary.payer": "A"} (lists stay whole). */
export function flatten(values, prefix = "") {
  const out = {};
  for (const [key, value] of Object.entries(values || {})) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === "object" && !Array.isArray(value)) Object.assign(out, flatten(value, name));
    else out[name] = value;
  }
  return out;
}

export function allFields(tab) {
  return GROUPS[tab].flatMap((g) => g.fields);
}

/** What a field shows for a stored value. */
export function shown(field, value) {
  if (field.kind === "checkbox") return Boolean(value);
  if (field.kind === "multi") return Array.isArray(value) ? value : [];
  if (value === true) return "true";
  if (value === false) return "false";
  return value === null || value === undefined ? "" : String(value);
}

/** A form value as the API stores it. */
function stored(field, raw) {
  if (field.kind === "checkbox") return raw ? true : null;
  if (field.kind === "multi") return raw.length ? raw : null;
  if (BOOLEAN_SELECTS.has(field.name)) return raw === "" ? null : raw === "true";
  return raw === "" ? null : raw;
}

function setPath(target, path, value) {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) node = node[part] = node[part] || {};
  node[parts[parts.length - 1]] = value;
}

function prune(value) {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    const p = prune(v);
    if (p !== null && p !== undefined && !(typeof p === "object" && !Array.isArray(p) && !Object.keys(p).length)) out[k] = p;
  }
  return Object.keys(out).length ? out : null;
}

/**
 * The save for a tab: {payload, changed: [labels]} from the form's raw values
 * ({name: string | boolean | [..]}) and the tab's stored values.
 */
export function saveOf(tab, raw, values) {
  const before = flatten(values);
  const changedFields = allFields(tab).filter((f) => {
    const a = JSON.stringify(stored(f, raw[f.name]) ?? null);
    const b = JSON.stringify(before[f.name] === undefined || before[f.name] === "" ? null : before[f.name]);
    return a !== b;
  });
  const payload = {};
  const nested = NESTED[tab];
  if (nested) {
    for (const key of nested) {
      if (!changedFields.some((f) => f.name.startsWith(key + "."))) continue;
      const whole = {};
      for (const f of allFields(tab).filter((f) => f.name.startsWith(key + "."))) {
        setPath(whole, f.name.slice(key.length + 1), stored(f, raw[f.name]));
      }
      const kept = prune(whole);
      // card photos are not on this form: keep them
      for (const side of ["card_front_document_id", "card_back_document_id"]) {
        if (kept && values && values[key] && values[key][side]) kept[side] = values[key][side];
      }
      payload[key] = kept;
    }
  } else {
    for (const f of changedFields) payload[f.name] = stored(f, raw[f.name]);
  }
  return { payload, changed: changedFields.map((f) => f.label) };
}

export function labelOf(tab, name) {
  const found = allFields(tab).find((f) => f.name === name);
  return found ? found.label : String(name).replace(/[._]/g, " ");
}
