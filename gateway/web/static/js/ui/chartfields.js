// The chart's tabs as forms: which fields each tab has, how they are labelled, and how a
// form's values become saves (only the top-level keys that changed; a person, a coverage
// or the practice's extra fields are sent whole, or null when every field was cleared).
//
// Field names are the API's dotted paths ("primary.subscriber.name"), so the messages the
// API sends per field land beside the right input. A field may belong to another tab than
// the page it is shown on (`tab`); then the page saves it there, with that tab's version.
// No field does so today: primary language is part of Details (charts stores it beside
// Basic's columns but saves it with the Details tab, in the same change), so a Details
// save is one save, one revision batch and one alert for the practice.

import { COUNTRIES, LANGUAGES, OTHER } from "./record.js";

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
export const LANGUAGE_OPTIONS = [["", "Not specified"], ...LANGUAGES.map((l) => [l, l]), [OTHER, "Another language"]];

const t = (name, label, extra = {}) => ({ name, label, kind: "text", ...extra });
const tel = (name, label) => t(name, label, { type: "tel", autocomplete: "tel" });
const date = (name, label) => t(name, label, { type: "date", hint: "For example 1990-04-12." });
const sel = (name, label, options, extra = {}) => ({ name, label, kind: "select", options, ...extra });
const yesNoSel = (name, label, extra = {}) => sel(name, label, yesNo, { boolean: true, ...extra });
const box = (name, label, hint) => ({ name, label, kind: "checkbox", hint });
const photo = (key, side) => ({ name: `${key}.card_${side}_document_id`, kind: "photo", side, coverage: key,
  label: side === "front" ? "Card photo, front" : "Card photo, back", said: `photo of the card's ${side}` });

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
    sel(`${key}.subscriber.relationship`, "The subscriber is", [["", "Not specified"], ["self", "Me"], ["spouse", "My spouse"], ["parent", "My parent"], ["child", "My child"], ["other", "Someone else"]], { said: "subscriber" }),
    t(`${key}.subscriber.name`, "Subscriber's name", { hint: "When the subscriber is not you." }),
    date(`${key}.subscriber.date_of_birth`, "Subscriber's date of birth"),
    date(`${key}.effective_from`, "Effective from"), date(`${key}.effective_to`, "Effective to"),
    photo(key, "front"), photo(key, "back")] };
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
      { name: "primary_language", label: "Primary language", kind: "language", options: LANGUAGE_OPTIONS,
        hint: "The language you're most comfortable using with the practice." },
      yesNoSel("interpreter_needed", "Do you need an interpreter?", { said: "interpreter needed" })] },
    { legend: "Demographics", fields: [
      { name: "race", label: "Race (choose any)", kind: "multi", options: [["american_indian_or_alaska_native", "American Indian or Alaska Native"], ["asian", "Asian"], ["black_or_african_american", "Black or African American"], ["native_hawaiian_or_other_pacific_islander", "Native Hawaiian or Other Pacific Islander"], ...words(["white", "other", "declined"])] },
      sel("ethnicity", "Ethnicity", [["", "Not specified"], ["hispanic_or_latino", "Hispanic or Latino"], ["not_hispanic_or_latino", "Not Hispanic or Latino"], ...words(["declined"])]),
      sel("marital_status", "Marital status", choice(["single", "married", "domestic_partner", "separated", "divorced", "widowed", "other", "declined"])),
      sel("employment", "Employment", choice(["employed_full_time", "employed_part_time", "self_employed", "unemployed", "student", "retired", "unable_to_work", "other", "declined"])),
      sel("education", "Education", choice(["less_than_high_school", "high_school", "some_college", "associate", "bachelor", "master", "doctorate", "other", "declined"])),
      sel("smoking_status", "Smoking", choice(["never", "former", "current_some_days", "current_every_day", "unknown", "declined"]))] },
  ],
  contacts: [person("emergency_contact", "Emergency contact"), person("responsible_party", "Responsible party (who pays)"), person("legal_guardian", "Legal guardian")],
  insurance: [coverage("primary", "Primary insurance"), coverage("secondary", "Secondary insurance")],
  communication: [
    { legend: "May we…", fields: [
      yesNoSel("email_ok", "Email you?", { said: "may we email" }),
      yesNoSel("text_ok", "Text you?", { said: "may we text" }),
      yesNoSel("voicemail_ok", "Leave you a voicemail?", { said: "may we leave a voicemail" }),
      yesNoSel("appointment_reminders", "Send appointment reminders?", { said: "appointment reminders" })] },
  ],
};

export const EXTRA_TYPES = [["text", "Text"], ["choice", "Choice (one of a list)"], ["boolean", "Yes or no"], ["date", "Date"]];

/** One of the practice's own Details fields ({key, label, type, choices, max_length}). */
export function extraField(def) {
  const name = `extra.${def.key}`;
  if (def.type === "choice") return sel(name, def.label, [["", "Not specified"], ...(def.choices || []).map((c) => [c, c])]);
  if (def.type === "boolean") return yesNoSel(name, def.label);
  if (def.type === "date") return date(name, def.label);
  return t(name, def.label, { maxlength: def.max_length || 200 });
}

/** The tab's groups of fields; Details gains the practice's own fields from `settings`. */
export function groupsOf(tab, settings = null) {
  const extras = (settings && settings.extra_fields) || [];
  if (tab === "details" && extras.length) {
    return [...GROUPS.details, { legend: "More about you", key: "extra", fields: extras.map(extraField) }];
  }
  return GROUPS[tab] || [];
}

export function fieldsOf(tab, settings = null) {
  return groupsOf(tab, settings).flatMap((g) => g.fields);
}

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

/** A page's values ({dotted name: value}) from the chart's tabs, borrowed fields included. */
export function formValues(tab, tabs, settings = null) {
  const flat = flatten(tabs[tab] && tabs[tab].values);
  for (const field of fieldsOf(tab, settings)) {
    if (field.tab && field.tab !== tab && tabs[field.tab]) flat[field.name] = flatten(tabs[field.tab].values)[field.name];
  }
  return flat;
}

/** What a field shows for a stored value. */
export function shown(field, value) {
  if (field.kind === "checkbox") return Boolean(value);
  if (field.kind === "multi") return Array.isArray(value) ? value : [];
  if (value === true) return "true";
  if (value === false) return "false";
  return value === null || value === undefined ? "" : String(value);
}

/** A stored value as people read it ("Yes", "Employed full time", the country's name). */
export function readable(field, value) {
  if (value === null || value === undefined || value === "") return "";
  if (Array.isArray(value)) return value.map((v) => readable({ ...field, kind: "select" }, v)).join(", ");
  if (value === true) return "Yes";
  if (value === false) return "No";
  const option = field && field.options && field.options.find(([v]) => v === String(value));
  return option ? option[1] : String(value);
}

/** A form value as the API stores it. */
function stored(field, raw) {
  if (field.kind === "checkbox") return raw ? true : null;
  if (field.kind === "multi") return raw && raw.length ? raw : null;
  if (raw === undefined || raw === null || raw === "") return null;
  if (field.boolean) return raw === "true";
  return raw;
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

const emptied = (v) => (v === undefined || v === "" ? null : v);

/** One tab's save from the fields it owns: {payload, changed: [names]}. */
function saveFor(fields, raw, values) {
  const before = flatten(values);
  const changed = fields.filter((f) => JSON.stringify(stored(f, raw[f.name])) !== JSON.stringify(emptied(before[f.name])));
  const payload = {};
  for (const f of changed) {
    const top = f.name.split(".")[0];
    if (top === f.name) { payload[top] = stored(f, raw[f.name]); continue; }
    if (top in payload) continue;
    const whole = {};
    for (const g of fields.filter((g) => g.name.startsWith(top + "."))) setPath(whole, g.name.slice(top.length + 1), stored(g, raw[g.name]));
    payload[top] = prune(whole);
  }
  return { payload, changed: changed.map((f) => f.name) };
}

/**
 * The saves a page's form makes: [{tab, payload, changed: [dotted names]}], one per tab
 * that owns a changed field (the page's own tab first). raw: {name: string | boolean |
 * [..]} as the form holds them; tabs: the chart's tabs ({tab: {values, version}}).
 */
export function savesOf(tab, raw, tabs, settings = null) {
  const owners = new Map([[tab, []]]);
  for (const field of fieldsOf(tab, settings)) {
    const owner = field.tab || tab;
    if (!owners.has(owner)) owners.set(owner, []);
    owners.get(owner).push(field);
  }
  const saves = [];
  for (const [owner, fields] of owners) {
    if (!tabs[owner]) continue;
    const save = saveFor(fields, raw, tabs[owner].values);
    if (save.changed.length) saves.push({ tab: owner, ...save });
  }
  return saves;
}

const NESTED_LEGENDS = Object.fromEntries(Object.values(GROUPS).flat().filter((g) => g.key).map((g) => [g.key, g.legend]));

/**
 * The field's definition wherever it is shown. Revisions of primary language made before it
 * moved to Details name tab "basic": they are found on Details all the same.
 */
export function fieldOf(tab, name, settings = null) {
  return fieldsOf(tab, settings).find((f) => f.name === name)
    || (tab === "basic" ? fieldsOf("details", settings).find((f) => f.name === name) : null)
    || null;
}

/**
 * How people read a field's name outside its form: "City", "Primary insurance: Member id",
 * "Referral source" (a practice field, with `settings`), else the path in words.
 */
export function labelOf(tab, name, settings = null) {
  const found = fieldOf(tab, name, settings);
  const top = String(name).split(".")[0];
  if (found) return top !== name && NESTED_LEGENDS[top] ? `${NESTED_LEGENDS[top]}: ${found.label}` : found.label;
  const last = String(name).split(".").pop().replace(/_/g, " ");
  const plain = last.replace(/^./, (c) => c.toUpperCase());
  return top !== name && NESTED_LEGENDS[top] ? `${NESTED_LEGENDS[top]}: ${plain}` : plain;
}

/** "Mobile phone" → "mobile phone" inside a sentence; "ZIP code", "HEIC" keep their capitals. */
const inSentence = (label) => (/^[A-Z][A-Z]/.test(label) ? label : label.replace(/^./, (c) => c.toLowerCase()));

/**
 * Changed fields named as people say them, for a sentence ("updated mobile phone, city"):
 * each field's label wherever a tab has it, and a person's or coverage's fields together
 * under its legend ("emergency contact (name, mobile phone)"). Names are the API's: columns
 * of the record or dotted paths of the other tabs.
 */
export function spokenFields(names, settings = null) {
  const parts = [];
  const groups = new Map();
  for (const name of names) {
    const owner = TABS.map((t) => t.tab).find((tab) => fieldOf(tab, name, settings)) || "basic";
    const top = String(name).split(".")[0];
    const legend = top !== name && NESTED_LEGENDS[top];
    const found = fieldOf(owner, name, settings);
    if (!legend) { parts.push(found && found.said ? found.said : inSentence(labelOf(owner, name, settings))); continue; }
    const label = found && found.said ? found.said
      : inSentence(found ? found.label : String(name).split(".").pop().replace(/_/g, " "));
    if (!groups.has(legend)) { groups.set(legend, []); parts.push(legend); }
    groups.get(legend).push(label);
  }
  return parts.map((p) => (groups.has(p) ? `${inSentence(p)} (${groups.get(p).join(", ")})` : p)).join(", ");
}

