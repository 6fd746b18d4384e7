// Emails (administrators, manage_practice_settings): every email Haven sends for the
// practice, each with its default text. Edit the subject, plain-text and HTML body with
// the variables it may use, preview it with sample data, send yourself a sample, reset
// it to the default. notify checks every edit (the line and the reason come back beside
// the field); a preview's HTML is shown in a sandboxed frame that runs nothing.

import { api, seg } from "../api.js";
import { h, replace } from "../ui/dom.js";
import { button, clearErrors, form, showErrors, textField } from "../ui/forms.js";
import { formatDateTime, timeElement } from "../ui/format.js";
import { callout, flash, notify } from "../ui/notice.js";

const PARTS = ["subject", "body_text", "body_html"];

function statusTag(t) {
  return t.edited
    ? h("span", { class: "status-tag status-tag--new" }, "Your text")
    : h("span", { class: "status-tag status-tag--active" }, "Default");
}

export async function emailsView({ router }) {
  const templates = (await api.get("/email-templates")) || [];
  const rows = templates.map((t) => h("tr", {},
    h("th", { scope: "row" }, h("a", { href: router.href(`/emails/${encodeURIComponent(t.kind)}`) }, t.label)),
    h("td", {}, t.description, t.security ? h("span", { class: "meta" }, " Always sent: a security email.") : null),
    h("td", {}, statusTag(t)),
    h("td", {}, t.updated_at ? timeElement(t.updated_at, formatDateTime(t.updated_at)) : "—")));
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Emails"),
    h("p", { class: "lead" }, "The emails your portal sends. Each has Haven's default text; edit it to say it your way. "
      + "Every email names your practice and links to its portal, and never carries health information."),
    h("div", { class: "card" },
      h("div", { class: "table-wrap", role: "region", "aria-label": "Emails (scrolls sideways)", tabindex: "0" },
        h("table", { class: "table" }, h("caption", { class: "visually-hidden" }, "Emails"),
          h("thead", {}, h("tr", {}, ["Email", "What it says", "Text", "Last edited"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, rows)))));
}

function area(name, label, value, { hint, optional, rows = "12" } = {}) {
  const field = textField({ name, label, hint, optional });
  const input = field.querySelector("input");
  const textarea = h("textarea", { id: name, name, class: "input textarea textarea--code", rows, spellcheck: "true" });
  textarea.value = value || "";
  if (input.getAttribute("aria-describedby")) textarea.setAttribute("aria-describedby", input.getAttribute("aria-describedby"));
  input.replaceWith(textarea);
  return field;
}

function variablesCard(template) {
  return h("section", { class: "card", "aria-labelledby": "variables-title" },
    h("h2", { id: "variables-title" }, "Variables this email may use"),
    h("p", { class: "meta" }, "Write them as {{ name }}. Yes/no ones fit {% if name %}…{% endif %}. Nothing else is available: an email never shows a client's name, a date of birth or anything about care."),
    h("dl", { class: "variables", id: "template-variables" }, template.variables.flatMap((v) => [
      h("dt", {}, h("code", {}, `{{ ${v.name} }}`)),
      h("dd", {}, v.description, h("span", { class: "meta" }, ` Sample: ${typeof v.sample === "boolean" ? (v.sample ? "yes" : "no") : v.sample}`)),
    ])));
}

function previewOf(rendered) {
  const frame = rendered.html ? h("iframe", {
    class: "email-preview__frame", title: "HTML version of the preview", sandbox: "", referrerpolicy: "no-referrer",
    srcdoc: rendered.html,
  }) : h("p", { class: "meta" }, "No HTML version: mail readers show the plain text.");
  return h("div", { class: "email-preview" },
    h("p", {}, h("strong", {}, "Subject: "), h("span", { id: "preview-subject" }, rendered.subject)),
    h("h3", {}, "Plain text"), h("pre", { class: "email-preview__text", id: "preview-text", tabindex: "0" }, rendered.text),
    h("h3", {}, "HTML"), frame);
}

export async function emailTemplateView({ params, router }) {
  let template = await api.get(`/email-templates/${seg(params.kind)}`);
  const previewHeading = h("h2", { id: "preview-title", tabindex: "-1" }, "Preview (sample data)");
  const previewBox = h("div", { id: "email-preview" },
    h("p", { class: "meta" }, "Preview shows your edit, saved or not, with sample data and your practice's own name and address."));
  const sampleNote = h("div", { id: "sample-result", "aria-live": "polite" });

  const draft = (formEl) => {
    const out = {};
    for (const part of PARTS) out[part] = formEl.elements[part].value;  // exactly as typed
    return out;
  };

  async function run(formEl, trigger, work) {
    if (trigger.getAttribute("aria-disabled")) return;
    trigger.setAttribute("aria-disabled", "true");
    clearErrors(formEl);
    try { await work(); } catch (error) { showErrors(formEl, error); } finally { trigger.removeAttribute("aria-disabled"); }
  }

  const previewButton = button("Preview", { kind: "secondary", attrs: { id: "template-preview" } });
  const sampleButton = button("Send me a sample", { kind: "secondary", attrs: { id: "template-sample" } });
  const resetButton = button("Reset to default", { kind: "danger", attrs: { id: "template-reset" } });

  const el = form({
    label: `Edit the ${template.label} email`,
    children: [
      textField({ name: "subject", label: "Subject", value: template.subject, hint: "One line.", attrs: { spellcheck: "true" } }),
      area("body_text", "Plain-text body", template.body_text, { hint: "Must show {{ practice_name }} and {{ portal_url }}." }),
      area("body_html", "HTML body", template.body_html, { optional: true, hint: "Most mail readers show this version when there is one, so change it with the plain text. Leave it empty to send plain text only. No scripts or event handlers (onclick…): they are refused." }),
    ],
    actions: [button("Save", { type: "submit", attrs: { id: "template-save" } }), previewButton, sampleButton, resetButton],
    onSubmit: async (formEl) => {
      try {
        template = await api.put(`/email-templates/${seg(template.kind)}`, { ...draft(formEl), version: template.version });
        notify(`Saved. The next ${template.label.toLowerCase()} email uses your text.`, "success", { focus: true });
        refreshStatus();
      } catch (error) { showErrors(formEl, error); }
    },
  });

  previewButton.addEventListener("click", () => run(el, previewButton, async () => {
    const rendered = await api.post(`/email-templates/${seg(template.kind)}/preview`, draft(el));
    replace(previewBox, previewOf(rendered));
    previewHeading.focus();
  }));

  sampleButton.addEventListener("click", () => run(el, sampleButton, async () => {
    replace(sampleNote);
    try {
      const sent = await api.post(`/email-templates/${seg(template.kind)}/sample`, draft(el));
      replace(sampleNote, callout(`A sample was sent to ${sent.to}: “${sent.subject}”.`, "success"));
    } catch (error) {
      if (error.status === 422 && Object.keys(error.fields || {}).length) throw error;   // beside the field
      replace(sampleNote, callout(error.message, "error"));
    }
  }));

  const confirmBox = h("div", { class: "form__actions", id: "reset-confirm" });
  resetButton.addEventListener("click", () => {
    replace(confirmBox,
      h("p", {}, "Send Haven's default text again? Your text of this email is removed."),
      button("Yes, reset to default", { kind: "danger", attrs: { id: "template-reset-confirm" }, onClick: async () => {
        try {
          await api.post(`/email-templates/${seg(template.kind)}/reset`, {});
          flash("The default text is back. The next email uses it.");
          router.reload();
        } catch (error) { notify(error.message, "error", { focus: true }); }
      } }),
      button("Keep my text", { kind: "secondary", onClick: () => { replace(confirmBox); resetButton.focus(); } }));
    confirmBox.querySelector("button").focus();
  });

  const status = h("p", { class: "meta", id: "template-status" });
  function refreshStatus() {
    replace(status, statusTag(template), " ",
      template.edited && template.updated_at ? ["Saved ", timeElement(template.updated_at, formatDateTime(template.updated_at)), "."] : "Haven's default text is sent.");
  }
  refreshStatus();

  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("p", {}, h("a", { href: router.href("/emails") }, "All emails")),
    h("h1", { id: "page-title" }, `Email: ${template.label}`),
    h("p", { class: "lead" }, template.description, template.security ? " It is a security email: always sent." : ""),
    status,
    h("div", { class: "card" }, el, confirmBox, sampleNote),
    variablesCard(template),
    h("section", { class: "card", "aria-labelledby": "preview-title" }, previewHeading, previewBox));
}

const DELIVERY_WORDS = { pending: "Being sent", sent: "Sent", failed: "Failed" };
const DELIVERY_TAG = { pending: "new", sent: "active", failed: "suspended" };

/**
 * The delivery log for the Operations page (view_operations): the practice's latest
 * emails — to whom, which, when, how it went, never what they said — and "Send again"
 * for one that failed. Returns a card, or null when the log cannot be read.
 */
export async function deliveryLogCard({ router }) {
  let rows;
  try { rows = (await api.get("/ops/emails", { query: { limit: 50 } })) || []; } catch { return null; }
  const labels = {};
  try { for (const t of (await api.get("/email-templates")) || []) labels[t.kind] = t.label; } catch { /* kinds as words */ }
  const name = (kind) => labels[kind] || kind.replace(/_/g, " ");
  const body = rows.map((d) => {
    const again = d.status === "failed" ? h("button", {
      type: "button", class: "button button--secondary button--small", "aria-label": `Send again: ${name(d.kind)} to ${d.to}`,
      on: { click: async (event) => {
        const b = event.currentTarget;
        if (b.getAttribute("aria-disabled")) return;
        b.setAttribute("aria-disabled", "true");
        try {
          await api.post(`/ops/emails/${seg(d.id)}/retry`, {});
          flash(`The ${name(d.kind).toLowerCase()} email to ${d.to} is being sent again.`, "success");
          router.reload();
        } catch (error) { b.removeAttribute("aria-disabled"); notify(error.message, "error", { focus: true }); }
      } },
    }, "Send again") : null;
    return h("tr", {},
      h("th", { scope: "row" }, d.to),
      h("td", {}, name(d.kind)),
      h("td", {}, h("span", { class: `status-tag status-tag--${DELIVERY_TAG[d.status] || "new"}` }, DELIVERY_WORDS[d.status] || d.status)),
      h("td", {}, String(d.attempts)),
      h("td", { class: "value" }, d.last_error || "—"),
      h("td", {}, timeElement(d.sent_at || d.created_at, formatDateTime(d.sent_at || d.created_at))),
      h("td", {}, again));
  });
  const failed = rows.filter((d) => d.status === "failed").length;
  return h("section", { class: "card", "aria-labelledby": "deliveries-title", id: "email-deliveries" },
    h("h2", { id: "deliveries-title" }, "Emails"),
    h("p", { class: "meta", role: "status" }, rows.length
      ? `The latest ${rows.length} emails: ${failed} failed.` : "No email sent yet."),
    rows.length ? h("div", { class: "table-wrap", role: "region", "aria-label": "Emails sent (scrolls sideways)", tabindex: "0" },
      h("table", { class: "table" }, h("caption", { class: "visually-hidden" }, "Emails sent"),
        h("thead", {}, h("tr", {}, ["To", "Email", "Status", "Attempts", "Last error", "When", "Action"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, body))) : null);
}
