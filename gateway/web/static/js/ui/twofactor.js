// Two-step sign-in (TOTP) for both apps: the sign-in's second step, adding an
// authenticator at the first sign-in, the ten recovery codes shown once, and the
// "Security" page where people see their status, replace their recovery codes and (clients
// and contacts, where the practice allows) turn it on or off.
//
// The secret is shown as text in groups of four and as the otpauth:// address: no QR
// library is vendored, and every authenticator app accepts a typed key.

import { api } from "../api.js";
import { h, replace } from "./dom.js";
import { button, checkboxField, form, showErrors, textField } from "./forms.js";
import { formatDateTime, formatWait, timeElement } from "./format.js";
import { callout, notify } from "./notice.js";

export const CODE_LABEL = "Enter the 6-digit code from your authenticator app";

/** "JBSW Y3DP EHPK 3PXP": easier to type from a screen. */
export function groupSecret(secret) {
  return (secret || "").replace(/\s+/g, "").match(/.{1,4}/g)?.join(" ") || "";
}

function codeField({ recovery = false, name = "code", id } = {}) {
  return textField({
    name, id, label: CODE_LABEL, autocomplete: "one-time-code", required: true,
    hint: recovery ? "No phone to hand? Enter one of your recovery codes instead (like abcde-fghij)." : null,
    attrs: { inputmode: recovery ? "text" : "numeric", autocapitalize: "none", spellcheck: "false", maxlength: "40" },
  });
}

function checkCode(formEl, name = "code") {
  const code = (formEl.elements[name].value || "").trim();
  if (!code) {
    showErrors(formEl, { message: "Enter the code from your authenticator app.", fields: { [name]: "Enter the code." } });
    return null;
  }
  return code;
}

function codeError(formEl, error) {
  let extra = null;
  if (error.status === 429 && error.retryAfter) extra = h("p", {}, `You can try again in about ${formatWait(error.retryAfter)}.`);
  const attempts = error.fields && error.fields.attempts_left;
  if (attempts !== undefined) {
    delete error.fields.attempts_left;
    extra = h("p", {}, `You have ${attempts} more ${attempts === "1" ? "try" : "tries"} with this sign-in.`);
  }
  showErrors(formEl, error, { extra });
  if (formEl.elements.code) formEl.elements.code.value = "";
}

/** The key to type into an authenticator app, and its otpauth:// address. */
export function secretBlock(enrolment) {
  return h("div", { class: "secret" },
    h("p", {}, "1. Open your authenticator app (such as Google Authenticator, Microsoft Authenticator, 1Password or Authy) and add an account with this key:"),
    h("p", { class: "secret__key", id: "totp-secret", "aria-label": "Your key, in groups of four" }, groupSecret(enrolment.secret)),
    h("p", { class: "meta" }, `Time-based, ${enrolment.digits || 6} digits, every ${enrolment.interval || 30} seconds.`),
    h("details", { class: "disclosure" },
      h("summary", { class: "disclosure__summary" }, "Setting up on this device? Show the otpauth address"),
      h("div", { class: "disclosure__body" },
        h("p", { class: "secret__uri" }, h("a", { href: enrolment.otpauth_uri }, enrolment.otpauth_uri)))),
    h("p", {}, "2. Enter the 6-digit code the app shows to finish."));
}

/**
 * The ten recovery codes, shown once, and "I've saved these" before going on.
 * onDone() runs after the person confirms.
 */
export function recoveryCodesPanel(codes, onDone, { doneLabel = "Continue" } = {}) {
  const panel = h("section", { class: "recovery", "aria-labelledby": "recovery-title" },
    h("h2", { id: "recovery-title", tabindex: "-1" }, "Save your recovery codes"),
    h("p", {}, "If you lose your phone, each of these codes lets you sign in once instead of a code from the app. They are shown only now: print them, or keep them in a password manager."),
    h("ol", { class: "codes", "aria-label": "Recovery codes" }, (codes || []).map((c) => h("li", { class: "codes__item" }, c))));
  const confirm = form({
    label: "Confirm you saved the recovery codes",
    children: [checkboxField({ name: "saved", label: "I've saved these codes somewhere safe" })],
    actions: [button(doneLabel, { type: "submit" })],
    onSubmit: async (formEl) => {
      if (!formEl.elements.saved.checked) {
        showErrors(formEl, { message: "Please save your recovery codes first.", fields: { saved: "Tick the box once the codes are saved." } });
        return;
      }
      await onDone();
    },
  });
  panel.append(confirm);
  setTimeout(() => panel.querySelector("#recovery-title").focus(), 0);
  return panel;
}

/**
 * The sign-in's second step, after a password answered {mfa_required, mfa_token, mfa_enrol}.
 * onSignedIn(result) gets the final sign-in result (as the one-step sign-in would).
 */
export function secondStep({ challenge, onSignedIn, restart }) {
  const box = h("div", { class: "second-step" });
  const again = h("p", {}, h("a", { href: location.pathname, on: { click: (event) => { event.preventDefault(); restart(); } } }, "Start again"));
  const expired = (error) => error.status === 401;

  async function complete(formEl) {
    const code = checkCode(formEl);
    if (!code) return;
    try {
      const result = await api.post("/session/mfa", { mfa_token: challenge.mfa_token, code }, { refresh: false });
      if (result && result.recovery_codes && result.recovery_codes.length) {
        replace(box, recoveryCodesPanel(result.recovery_codes, () => onSignedIn(result)));
        return;
      }
      await onSignedIn(result || {});
    } catch (error) {
      if (expired(error)) {
        replace(box, callout(error.message || "This sign-in has expired. Please sign in again.", "warning"), again);
        return;
      }
      codeError(formEl, error);
    }
  }

  const codeForm = (recovery) => form({
    label: "Two-step sign-in",
    className: "form--narrow",
    children: [codeField({ recovery })],
    actions: [button(recovery ? "Verify" : "Verify and sign in", { type: "submit" })],
    onSubmit: complete,
  });

  if (!challenge.mfa_enrol) {
    replace(box,
      h("h2", { id: "step-title", tabindex: "-1" }, "Two-step sign-in"),
      h("p", {}, "Your password was right. Now open your authenticator app."),
      codeForm(true), again);
  } else {
    replace(box, h("h2", { id: "step-title", tabindex: "-1" }, "Set up two-step sign-in"), h("p", { class: "meta" }, "Loading…"));
    api.post("/session/mfa/enrolment", { mfa_token: challenge.mfa_token }, { refresh: false }).then((enrolment) => {
      replace(box,
        h("h2", { id: "step-title", tabindex: "-1" }, "Set up two-step sign-in"),
        h("p", {}, "Your practice asks for a code from an authenticator app each time you sign in, so a stolen password alone can't open your account."),
        secretBlock(enrolment), codeForm(false), again);
    }).catch((error) => {
      replace(box, callout(error.message, expired(error) ? "warning" : "error"), again);
    });
  }
  setTimeout(() => { const t = box.querySelector("#step-title"); if (t) t.focus(); }, 0);
  return box;
}

// -- the Security page -------------------------------------------------------------------------
const statusLine = (status) => (status.enrolled
  ? h("p", {}, h("span", { class: "status-tag status-tag--active" }, h("span", { "aria-hidden": "true" }, "●"), " On"),
    status.enrolled_at ? [" since ", timeElement(status.enrolled_at, formatDateTime(status.enrolled_at))] : null)
  : h("p", {}, h("span", { class: "status-tag status-tag--inactive" }, h("span", { "aria-hidden": "true" }, "○"), " Off")));

/**
 * "Security": two-step sign-in status; turn it on (secret, code, recovery codes), replace
 * recovery codes, turn it off where allowed. `who` is "staff" or "portal".
 */
export async function securityView({ who = "portal" } = {}) {
  const body = h("div", {});
  const page = h("section", { class: "page page--narrow", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Security"),
    h("p", { class: "lead" }, "Two-step sign-in asks for a code from an app on your phone after your password."),
    h("div", { class: "card" }, body));

  async function show(note) {
    const status = await api.get("/security/two-factor");
    const parts = [h("h2", {}, "Two-step sign-in"), statusLine(status)];
    if (note) parts.unshift(note);
    if (status.enrolled) {
      parts.push(h("p", {}, `Recovery codes left: ${status.recovery_codes_left}.`));
      parts.push(regenerateForm());
      if (!status.required) parts.push(disableForm());
      else parts.push(h("p", { class: "meta" }, who === "staff"
        ? "Staff always sign in with two steps."
        : "Your practice requires two-step sign-in, so it can't be turned off."));
    } else {
      parts.push(h("p", {}, "Turn it on to protect your account even if someone learns your password."));
      parts.push(button("Turn on two-step sign-in", { onClick: begin }));
    }
    replace(body, ...parts);
  }

  async function begin() {
    let enrolment;
    try {
      enrolment = await api.post("/security/two-factor/enrolment");
    } catch (error) {
      notify(error.message, "error");
      return;
    }
    const confirm = form({
      label: "Confirm your authenticator",
      className: "form--narrow",
      children: [codeField()],
      actions: [button("Turn on", { type: "submit" }),
        button("Cancel", { kind: "quiet", onClick: () => show() })],
      onSubmit: async (formEl) => {
        const code = checkCode(formEl);
        if (!code) return;
        try {
          const result = await api.post("/security/two-factor/enrolment/confirm", { code });
          replace(body, recoveryCodesPanel(result.recovery_codes, () => show(callout("Two-step sign-in is on.", "success")), { doneLabel: "Done" }));
        } catch (error) { codeError(formEl, error); }
      },
    });
    replace(body, h("h2", {}, "Turn on two-step sign-in"), secretBlock(enrolment), confirm);
    confirm.elements.code.focus();
  }

  function regenerateForm() {
    return form({
      label: "Get new recovery codes",
      className: "form--narrow",
      children: [h("h3", {}, "New recovery codes"),
        h("p", { class: "meta" }, "Used some, or lost them? New codes replace the old ones, which stop working."),
        codeField({ id: "regen-code" })],
      actions: [button("Get new recovery codes", { type: "submit", kind: "secondary" })],
      onSubmit: async (formEl) => {
        const code = checkCode(formEl);
        if (!code) return;
        try {
          const result = await api.post("/security/two-factor/recovery-codes", { code });
          replace(body, recoveryCodesPanel(result.recovery_codes, () => show(callout("Your new recovery codes are ready; the old ones no longer work.", "success")), { doneLabel: "Done" }));
        } catch (error) { codeError(formEl, error); }
      },
    });
  }

  function disableForm() {
    return form({
      label: "Turn off two-step sign-in",
      className: "form--narrow",
      children: [h("h3", {}, "Turn off"), codeField({ recovery: true, id: "off-code" })],
      actions: [button("Turn off two-step sign-in", { type: "submit", kind: "danger" })],
      onSubmit: async (formEl) => {
        const code = checkCode(formEl);
        if (!code) return;
        try {
          await api.post("/security/two-factor/disable", { code });
          await show(callout("Two-step sign-in is off. You'll sign in with your password alone.", "info"));
        } catch (error) { codeError(formEl, error); }
      },
    });
  }

  await show();
  return page;
}

