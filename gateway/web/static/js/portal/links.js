// The portal pages behind emailed links and "Forgot password?": accept an invitation
// (date of birth, then a password → signed in), ask for a reset link, choose a new
// password with one. Single-use tokens go to the API in the JSON body, never in its path.

import { api } from "../api.js";
import { h } from "../ui/dom.js";
import { button, fieldset, form, showErrors, textField, values } from "../ui/forms.js";
import { formatDateTime } from "../ui/format.js";
import { callout, flash } from "../ui/notice.js";
import { newPasswordFields } from "../ui/password.js";

const CALL = "Please call the practice: they can send you a new link.";
const WHY = {
  invitation_used: "This invitation has already been used to create an account. Sign in instead, or use “Forgot password?” on the sign-in page.",
  invitation_locked: "This invitation is locked because the date of birth was entered wrongly too many times. " + CALL,
  invitation_expired: "This invitation has expired. " + CALL,
  invitation_replaced: "A newer invitation was sent to you: please use the link in the most recent email. " + CALL,
  invitation_not_found: "This invitation link isn't valid. Check that you copied the whole link. " + CALL,
  portal_disabled: "The portal isn't available right now. Please call the practice.",
};

function page(title, ...children) {
  return h("section", { class: "page page--narrow", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, title), ...children);
}

function helpText(practice) {
  return practice && practice.password_help ? h("p", { class: "prewrap" }, practice.password_help) : null;
}

function cannotUse(ctx, error, title = "This invitation can't be used") {
  return page(title, callout(WHY[error.code] || `${error.message} ${CALL}`, "warning"),
    helpText(ctx.practice),
    h("p", {}, h("a", { href: ctx.href("/sign-in") }, "Go to sign in")));
}

export async function inviteView({ params, ctx }) {
  const token = params.token;
  let invitation;
  try {
    invitation = await api.post("/invitations/lookup", { token }, { refresh: false });
  } catch (error) {
    if (error.status === 404 || error.status === 409) return cannotUse(ctx, error);
    throw error;
  }
  const password = newPasswordFields({ minLength: invitation.min_password_length || undefined });
  const attempts = h("p", { class: "meta", id: "attempts" }, attemptsText(invitation.attempts_left));
  const el = form({
    label: "Create your account",
    className: "form--narrow",
    children: [
      fieldset("First, confirm it's you",
        textField({ name: "date_of_birth", label: "Date of birth", type: "date", required: true,
          hint: "As the practice has it on file.", attrs: { max: new Date().toISOString().slice(0, 10), min: "1900-01-01" } }),
        attempts),
      fieldset("Then choose a password", ...password.fields),
    ],
    actions: [button("Create account", { type: "submit" })],
    onSubmit: async (formEl) => {
      // the count shows once: under the field, or in the summary after a wrong date
      attempts.hidden = false;
      const { date_of_birth: dob } = values(formEl);
      const problems = dob ? password.check(formEl) : { date_of_birth: "Enter your date of birth." };
      if (Object.keys(problems).length) {
        showErrors(formEl, { message: "Please fix the problems below.", fields: problems });
        return;
      }
      try {
        const result = await api.post("/invitations/accept", {
          token, date_of_birth: dob, password: formEl.elements.new_password.value,
        }, { refresh: false });
        flash("Welcome! Your account is ready. Please check that your details are up to date.");
        await ctx.signedIn(result || {});
      } catch (error) {
        if (error.code === "date_of_birth_mismatch") {
          const left = Number(error.fields.attempts_left);
          delete error.fields.attempts_left;
          attempts.textContent = attemptsText(left);
          attempts.hidden = true;   // the summary says it, and is read out
          showErrors(formEl, {
            message: `That date of birth doesn't match the practice's records. ${attemptsText(left)}`,
            fields: { date_of_birth: "This date of birth doesn't match the practice's records." },
          });
          return;
        }
        if (error.status === 409 || error.status === 404) {
          formEl.replaceWith(callout(WHY[error.code] || error.message, "warning"));
          return;
        }
        if (error.fields && error.fields.password) {
          error.fields.new_password = error.fields.password;
          delete error.fields.password;
        }
        showErrors(formEl, error);
      }
    },
  });
  return page("Create your account",
    h("p", { class: "lead" }, `${invitation.practice.name} invited you to its client portal. You'll sign in with `,
      h("strong", {}, invitation.login), "."),
    h("p", { class: "meta" }, `This link works once, until ${formatDateTime(invitation.expires_at)}.`),
    h("div", { class: "card" }, el));
}

function attemptsText(left) {
  if (!Number.isFinite(Number(left))) return "";
  const n = Number(left);
  return n === 1 ? "You have 1 attempt left before this link is locked."
    : `You have ${n} attempts left before this link is locked.`;
}

export function forgotView({ ctx }) {
  const answer = h("div", { "aria-live": "polite" });
  const el = form({
    label: "Reset your password",
    className: "form--narrow",
    children: [textField({ name: "email", label: "Email", type: "email", autocomplete: "username", required: true,
      hint: "The email address you sign in with.", attrs: { autocapitalize: "none", inputmode: "email" } })],
    actions: [button("Send reset link", { type: "submit" })],
    onSubmit: async (formEl) => {
      const { email } = values(formEl);
      if (!email) {
        showErrors(formEl, { message: "Enter your email address.", fields: { email: "Enter your email address." } });
        return;
      }
      try {
        const result = await api.post("/password-resets", { practice_code: ctx.practice.code, email, audience: "portal" }, { refresh: false });
        answer.replaceChildren(callout(result.message, "success"));
        formEl.reset();
      } catch (error) {
        showErrors(formEl, error);
      }
    },
  });
  return page("Forgot your password?",
    h("p", { class: "lead" }, "Enter your email and we'll send you a link to choose a new password. The link works once, for 24 hours."),
    answer,
    h("div", { class: "card" }, el),
    ctx.practice.password_help ? h("section", { "aria-labelledby": "help-title" },
      h("h2", { id: "help-title" }, "Need help?"), helpText(ctx.practice)) : null,
    h("p", {}, h("a", { href: ctx.href("/sign-in") }, "Back to sign in")));
}

/** The reset page, for the portal and the staff console alike. */
export async function resetView({ params, ctx }) {
  const token = params.token;
  let link;
  try {
    link = await api.post("/password-resets/lookup", { token }, { refresh: false });
  } catch (error) {
    if (error.status !== 404) throw error;
    return page("This link can't be used",
      callout("This password reset link isn't valid any more: it may have been used already, replaced by a newer one, or expired after 24 hours. You can ask for a new one.", "warning"),
      helpText(ctx.practice),
      h("p", {}, h("a", { href: ctx.href("/forgot-password") }, "Ask for a new link")));
  }
  const password = newPasswordFields({ minLength: link.min_password_length || undefined });
  const el = form({
    label: "Choose a new password",
    className: "form--narrow",
    children: password.fields,
    actions: [button("Save new password", { type: "submit" })],
    onSubmit: async (formEl) => {
      const problems = password.check(formEl);
      if (Object.keys(problems).length) {
        showErrors(formEl, { message: "Please fix the problems below.", fields: problems });
        return;
      }
      try {
        await api.post("/password-resets/complete", { token, new_password: formEl.elements.new_password.value }, { refresh: false });
        flash("Your password is changed, and you were signed out everywhere. Sign in with your new password.");
        ctx.navigate("/sign-in");
      } catch (error) {
        showErrors(formEl, error);
      }
    },
  });
  return page("Choose a new password",
    h("p", { class: "lead" }, `For your ${link.practice.name} account. This link works once, until ${formatDateTime(link.expires_at)}.`),
    h("div", { class: "card" }, el),
    helpText(link.practice));
}
