// Practice-wide pages: Portal access (every client's status, filtered), Portal settings
// (administrators) and the Audit log (administrators).

import { api } from "../api.js";
import { h, replace } from "../ui/dom.js";
import { upload } from "../ui/files.js";
import { button, checkboxField, fieldset, form, selectField, showErrors, textField, values } from "../ui/forms.js";
import { formatDateTime, timeElement } from "../ui/format.js";
import { notify } from "../ui/notice.js";
import { fullName } from "../ui/record.js";
import { STATUS_WORDS, accessStatusTag } from "./invite.js";
import { guardianSettingsCard } from "./guardians.js";

function table(caption, heads, rows) {
  return h("div", { class: "table-wrap", role: "region", "aria-label": `${caption} (scrolls sideways)`, tabindex: "0" },
    h("table", { class: "table" }, h("caption", { class: "visually-hidden" }, caption),
      h("thead", {}, h("tr", {}, heads.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows)));
}

const when = (v) => (v ? timeElement(v, formatDateTime(v)) : "—");

const PAGE_SIZE = 50;

/** "Previous" / "Next" links between pages of a list of `total` (page numbers from 1). */
function pager(router, path, params, page, total, label) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (pages === 1) return null;
  const link = (n, text, rel) => {
    const q = new URLSearchParams(params);
    if (n > 1) q.set("page", String(n)); else q.delete("page");
    const qs = q.toString();
    return h("a", { href: router.href(`${path}${qs ? "?" + qs : ""}`), rel, class: "button button--secondary button--small" }, text);
  };
  return h("nav", { class: "pager", "aria-label": label },
    page > 1 ? link(page - 1, "Previous page", "prev") : null,
    h("span", { class: "meta" }, `Page ${page} of ${pages}`),
    page < pages ? link(page + 1, "Next page", "next") : null);
}

export async function accessListView({ query, router }) {
  const status = query.get("status") || "";
  const page = Math.max(1, Number.parseInt(query.get("page") || "1", 10) || 1);
  const result = await api.get("/portal-access", { query: { status, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } });
  const first = result.total ? (page - 1) * PAGE_SIZE + 1 : 0;
  const last = (page - 1) * PAGE_SIZE + result.items.length;
  const filter = h("form", { class: "search", "aria-label": "Filter by status",
    on: { submit: (event) => {
      event.preventDefault();
      const value = event.currentTarget.elements.status.value;
      router.navigate(value ? `/portal-access?status=${encodeURIComponent(value)}` : "/portal-access");
    } } },
  selectField({ name: "status", label: "Status", value: status,
    options: [["", "Every invited or signed-up client"], ...Object.entries(STATUS_WORDS)] }),
  button("Show", { type: "submit", kind: "secondary" }));
  const rows = result.items.map((i) => h("tr", {},
    h("th", { scope: "row" }, h("a", { href: router.href(`/clients/${encodeURIComponent(i.client_id)}`) }, fullName(i) || "(no name)")),
    h("td", {}, accessStatusTag(i.status)), h("td", {}, when(i.invited_at)), h("td", {}, when(i.signed_up_at)),
    h("td", {}, when(i.last_sign_in_at))));
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Portal access"),
    h("p", { class: "lead" }, "Who has been invited, who has signed up, and who can't get in — so nobody has to guess why."),
    h("div", { class: "card" }, filter,
      h("p", { class: "meta", role: "status" }, `${result.total} client${result.total === 1 ? "" : "s"}${rows.length && result.total > rows.length ? ` (showing ${first}–${last})` : ""}.`),
      rows.length ? table("Portal access", ["Name", "Status", "Invited", "Signed up", "Last sign-in"], rows)
        : h("p", { class: "empty" }, "No clients with this status."),
      pager(router, "/portal-access", status ? { status } : {}, page, result.total, "Pages of the portal access list")));
}

const TEXTS = [
  ["name", "Practice name", {}], ["title", "Portal title", { optional: true }],
  ["code", "Portal address code", { hint: "Your portal lives at /p/<code>. Lowercase letters, digits and hyphens. Changing it stops the old address working." }],
  ["theme_color", "Theme colour", { type: "color", hint: "Made darker where needed so text stays readable." }],
  ["accent_color", "Accent colour", { type: "color", optional: true,
    hint: "Used for the portal's main buttons; their text is black or white, whichever reads better on it." }],
  ["idle_timeout_minutes", "Sign out after this many idle minutes", { type: "number", attrs: { min: "5", max: "240" } }],
  ["invitation_days", "Invitation links work for (days)", { type: "number", attrs: { min: "1", max: "30" } }],
];
const AREAS = [["instructions", "Instructions shown after sign-in"], ["password_help", "Password help (whom to call)"]];
const NUMBERS = new Set(["idle_timeout_minutes", "invitation_days"]);
// One DNS label, as the gateway and identity check it (they say why when it is refused).
const SUBDOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)?$/;

function subdomainField(settings) {
  const base = settings.portal_base_domain || "your portal domain";
  return textField({ name: "subdomain", label: "Own subdomain", value: settings.subdomain || "", optional: true,
    hint: `Your portal also opens at https://<subdomain>.${base}/. One word: lowercase letters, digits and hyphens (not first or last), up to 63 characters. Leave empty for none.`,
    attrs: { autocapitalize: "none", spellcheck: "false", maxlength: "63", pattern: "[a-z0-9-]*" } });
}

/** The logo: upload (PNG or JPEG, up to 1 MB, judged by content on the server) or remove. */
function logoCard(initial, onChanged) {
  let settings = initial;
  const body = h("div", {});
  const card = h("section", { class: "card", "aria-labelledby": "logo-title", id: "practice-logo" },
    h("h2", { id: "logo-title" }, "Logo"), body);

  function render(focus) {
    const preview = settings.logo_url
      ? h("p", {}, h("img", { class: "logo-preview", id: "logo-preview", src: settings.logo_url, alt: settings.title || settings.name }))
      : h("p", { class: "meta", id: "logo-none" }, "No logo yet: the portal shows your practice's name.");
    const el = form({
      label: "Upload a logo",
      className: "form--narrow",
      children: [textField({ name: "file", id: "logo-file", type: "file", label: settings.logo_url ? "Replace the logo" : "Logo file",
        hint: "PNG or JPEG, up to 1 MB. Shown on every portal page, with your portal title as its description.",
        attrs: { accept: "image/png,image/jpeg" } })],
      actions: [button("Upload logo", { type: "submit", attrs: { id: "logo-upload" } })],
      onSubmit: async (formEl) => {
        const file = formEl.elements.file.files[0];
        const problem = !file ? "Choose a PNG or JPEG file." : file.size > 1024 * 1024 ? "The logo is larger than 1 MB. Save it smaller." : null;
        if (problem) { showErrors(formEl, { message: "Please fix the problem below.", fields: { file: problem } }); return; }
        const data = new FormData();
        data.append("file", file);
        try {
          settings = await upload("/practice/logo", data);
          onChanged(settings);
          render("#logo-preview");
          notify("The logo is saved. The portal shows it now.");
        } catch (error) { showErrors(formEl, error); }
      },
    });
    const actions = h("div", { class: "form__actions" });
    function ask() {
      replace(actions, settings.logo_url ? button("Remove logo", { kind: "danger", attrs: { id: "logo-remove" }, onClick: confirmStep }) : null);
    }
    function confirmStep() {
      const yes = button("Yes, remove the logo", { kind: "danger", attrs: { id: "logo-remove-confirm" },
        onClick: async () => {
          try {
            settings = await api.del("/practice/logo");
            onChanged(settings);
            render("#logo-file");
            notify("The logo is removed.");
          } catch (error) { notify(error.message, "error", { focus: true }); ask(); }
        } });
      replace(actions, yes, button("Keep it", { kind: "quiet", onClick: ask }));
      yes.focus();
    }
    ask();
    replace(body, preview, actions, el);
    if (focus) { const target = body.querySelector(focus); if (target) { target.setAttribute("tabindex", "-1"); target.focus(); } }
  }
  render();
  return card;
}

function area(name, label, value) {
  const field = textField({ name, label, optional: true });
  const input = field.querySelector("input");
  const textarea = h("textarea", { id: name, name, class: "input textarea", rows: "4" });
  textarea.value = value || "";
  for (const attr of ["aria-describedby"]) if (input.getAttribute(attr)) textarea.setAttribute(attr, input.getAttribute(attr));
  input.replaceWith(textarea);
  return field;
}

export async function settingsView({ router }) {
  let settings = await api.get("/practice/settings");
  const el = form({
    label: "Portal settings",
    children: [
      fieldset("Portal",
        checkboxField({ name: "portal_enabled", label: "The portal is on (clients can sign in)", checked: settings.portal_enabled }),
        ...TEXTS.slice(0, 3).map(([n, l, o]) => textField({ name: n, label: l, value: settings[n] ?? "", ...o })),
        subdomainField(settings)),
      fieldset("Look", ...TEXTS.slice(3, 5).map(([n, l, o]) => textField({ name: n, label: l, value: settings[n] || "#2f5f7a", ...o }))),
      fieldset("Words", ...AREAS.map(([n, l]) => area(n, l, settings[n]))),
      fieldset("Security", ...TEXTS.slice(5).map(([n, l, o]) => textField({ name: n, label: l, value: String(settings[n] ?? ""), ...o }))),
    ],
    actions: [button("Save settings", { type: "submit" })],
    onSubmit: async (formEl) => {
      const data = values(formEl);
      data.subdomain = (data.subdomain || "").toLowerCase();
      if (!SUBDOMAIN.test(data.subdomain)) {
        showErrors(formEl, { message: "Please fix the problem below.",
          fields: { subdomain: "Use lowercase letters, digits and hyphens (not first or last), up to 63 characters." } });
        return;
      }
      const changed = {};
      for (const [name, value] of Object.entries(data)) {
        let v = value;
        if (NUMBERS.has(name)) v = Number(value);
        else if (typeof v === "string" && v === "" && name !== "name" && name !== "code") v = null;
        const before = settings[name] ?? null;
        // an unset colour shows the default swatch: leaving it alone is not a change
        if ((name === "accent_color" || name === "theme_color") && before === null && v === "#2f5f7a") continue;
        if (v !== before) changed[name] = v;
      }
      if (!Object.keys(changed).length) { notify("There are no changes to save.", "info"); return; }
      try {
        settings = await api.patch("/practice/settings", changed);
        notify(`Saved: ${Object.keys(changed).join(", ").replace(/_/g, " ")}.`);
      } catch (error) {
        showErrors(formEl, error);
      }
    },
  });
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Portal settings"),
    h("p", { class: "lead" }, "How your client portal looks and behaves. Changes show on the portal within a second."),
    h("div", { class: "card" }, el),
    logoCard(settings, (fresh) => { settings = fresh; }),
    guardianSettingsCard(settings));
}

const ACTIONS = ["sign_in", "sign_in_failed", "sign_in_refused", "sign_in_throttled", "sign_in_throttle_notice",
  "session_timed_out", "password_change_required", "sign_out", "refresh_reused",
  "password_changed", "password_change_failed", "password_reset", "password_reset_requested", "password_reset_sent",
  "access_created", "access_status_changed", "invitation_sent", "invitation_dob_mismatch", "invitation_locked",
  "invitation_accepted", "invitation_cancelled", "client_linked", "client_unlinked", "client_details_synced",
  "contact_created", "contact_invited", "contact_status_changed", "grant_changed",
  "sign_in_mfa_challenged", "mfa_failed", "mfa_enrolled", "mfa_disabled", "mfa_reset", "mfa_recovery_codes_replaced",
  "safe_word_viewed", "safe_word_changed",
  "practice_created", "practice_settings_changed", "role_permissions_changed", "staff_created", "staff_invited"];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An audit entry's detail in words ("fields: accent color, title"), never raw JSON. */
export function detailText(detail) {
  const word = (v) => {
    if (v === null || v === undefined || v === "") return "—";
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (Array.isArray(v)) return v.length ? v.map(word).join(", ") : "none";
    if (typeof v === "object") return Object.entries(v).map(([k, x]) => `${k.replace(/_/g, " ")} ${word(x)}`).join(", ");
    const text = String(v);
    if (UUID.test(text)) return text.slice(0, 8);
    return /^[a-z][a-z0-9_]*$/.test(text) ? text.replace(/_/g, " ") : text;
  };
  if (!detail || !Object.keys(detail).length) return "—";
  return Object.entries(detail).map(([k, v]) => `${k.replace(/_/g, " ")}: ${word(v)}`).join("; ");
}

/** "Jane Doe (contact)" when identity names the principal (actor_name / subject_name),
 * else the kind and a short id, "contact 3b348bea" (a deleted record, the system). */
export function whoText(kind, id, name) {
  if (!kind) return "—";
  const word = kind.replace(/_/g, " ");
  if (name) return `${name} (${word})`;
  return `${word} ${id ? id.slice(0, 8) : ""}`.trim();
}

const dayStart = (d, end) => (d ? new Date(`${d}T${end ? "23:59:59" : "00:00:00"}`).toISOString() : undefined);

export async function auditView({ query, router }) {
  const action = query.get("action") || "";
  const from = query.get("from") || "";
  const to = query.get("to") || "";
  let entries = [];
  let problem = null;
  try {
    entries = (await api.get("/audit", { query: { action, since: dayStart(from), until: dayStart(to, true) } })).entries;
  } catch (error) {
    if (error.status !== 422) throw error;
    problem = error;
  }
  const filter = form({
    label: "Filter the audit log",
    className: "filters",
    children: [
      selectField({ name: "action", label: "Action", value: action, options: [["", "Every action"], ...ACTIONS.map((a) => [a, a.replace(/_/g, " ")])] }),
      textField({ name: "from", label: "From", type: "date", value: from, optional: true }),
      textField({ name: "to", label: "To", type: "date", value: to, optional: true }),
    ],
    actions: [button("Filter", { type: "submit", kind: "secondary" })],
    onSubmit: (formEl) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(values(formEl))) if (v) params.set(k, v);
      router.navigate(`/audit${params.toString() ? "?" + params : ""}`);
    },
  });
  if (problem) showErrors(filter, problem, { focus: false });
  const rows = entries.map((e) => h("tr", {},
    h("td", {}, timeElement(e.occurred_at, formatDateTime(e.occurred_at))),
    h("th", { scope: "row" }, e.action.replace(/_/g, " ")),
    h("td", {}, whoText(e.actor_kind, e.actor_id, e.actor_name)),
    h("td", {}, whoText(e.subject_kind, e.subject_id, e.subject_name)),
    h("td", { class: "value" }, e.source_ip || "—"),
    h("td", {}, detailText(e.detail))));
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Audit log"),
    h("p", { class: "lead" }, "Sign-ins, failures, password and access changes, newest first."),
    h("div", { class: "card" }, filter,
      h("p", { class: "meta", role: "status" }, `${entries.length} entr${entries.length === 1 ? "y" : "ies"}.`),
      rows.length ? table("Audit log", ["When", "Action", "Who", "About", "Address", "Detail"], rows) : h("p", { class: "empty" }, "Nothing recorded for this filter.")));
}
