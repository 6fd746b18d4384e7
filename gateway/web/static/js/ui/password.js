// "Choose a private password": the page a person must complete when the practice set a
// temporary password (must_change_password), and the ordinary change-password form.
// The rule follows NIST SP 800-63B as the server enforces it: length and a blocklist of
// common passwords, no composition rules. The server's refusal is shown beside the field.

import { api } from "../api.js";
import { h } from "./dom.js";
import { button, form, passwordField, showErrors } from "./forms.js";

export const MIN_LENGTH = 15;
export const RULE = `Use at least ${MIN_LENGTH} characters. Common passwords (like "password123456") aren't allowed. ` +
  "A few unrelated words you'll remember make a strong password.";

export function passwordForm({ forced, onChanged }) {
  const counter = h("p", { class: "field__count", id: "new_password-count", "aria-hidden": "true" });
  const el = form({
    label: forced ? "Choose a private password" : "Change password",
    className: "form--narrow",
    children: [
      passwordField({
        name: "current_password", label: forced ? "Temporary password" : "Current password",
        hint: forced ? "The password the practice gave you." : null,
        autocomplete: "current-password", required: true,
      }),
      passwordField({
        name: "new_password", label: "New password", hint: RULE, autocomplete: "new-password",
        required: true, attrs: { minlength: String(MIN_LENGTH), maxlength: "128" }, extra: counter,
      }),
      passwordField({ name: "confirm_password", label: "Confirm new password", autocomplete: "new-password", required: true }),
    ],
    actions: [button(forced ? "Save password and continue" : "Change password", { type: "submit" })],
    onSubmit: async (formEl) => {
      const current = formEl.elements.current_password.value;
      const next = formEl.elements.new_password.value;
      const confirm = formEl.elements.confirm_password.value;
      const problems = {};
      if (!current) problems.current_password = forced ? "Enter the temporary password the practice gave you." : "Enter your current password.";
      if (next.length < MIN_LENGTH) problems.new_password = `Your new password needs at least ${MIN_LENGTH} characters (it has ${next.length}).`;
      else if (next === current) problems.new_password = "Choose a password different from the temporary one.";
      if (!problems.new_password && confirm !== next) problems.confirm_password = "The two new passwords don't match.";
      if (Object.keys(problems).length) {
        showErrors(formEl, { message: "Please fix the problems below.", fields: problems });
        return;
      }
      try {
        const result = await api.post("/session/password", { current_password: current, new_password: next });
        await onChanged(result || {});
      } catch (error) {
        showErrors(formEl, error);
      }
    },
  });
  const input = el.elements.new_password;
  const update = () => {
    const n = input.value.length;
    counter.textContent = n >= MIN_LENGTH ? `${n} characters ✓` : `${n} of ${MIN_LENGTH} characters`;
  };
  input.addEventListener("input", update);
  update();
  return el;
}

/**
 * "New password" and "Confirm new password" fields for pages that set a password without
 * knowing the current one (an invitation, a reset link). check(formEl) → {field: problem}.
 */
export function newPasswordFields({ minLength = MIN_LENGTH, name = "new_password" } = {}) {
  const rule = RULE.replace(String(MIN_LENGTH), String(minLength));
  const counter = h("p", { class: "field__count", id: `${name}-count`, "aria-hidden": "true" });
  const field = passwordField({ name, label: "New password", hint: rule, autocomplete: "new-password",
    required: true, attrs: { minlength: String(minLength), maxlength: "128" }, extra: counter });
  const confirm = passwordField({ name: "confirm_password", label: "Confirm new password",
    autocomplete: "new-password", required: true });
  const input = field.querySelector("input");
  const update = () => {
    const n = input.value.length;
    counter.textContent = n >= minLength ? `${n} characters ✓` : `${n} of ${minLength} characters`;
  };
  input.addEventListener("input", update);
  update();
  const check = (formEl) => {
    const next = formEl.elements[name].value;
    const problems = {};
    if (next.length < minLength) problems[name] = `Your new password needs at least ${minLength} characters (it has ${next.length}).`;
    else if (formEl.elements.confirm_password.value !== next) problems.confirm_password = "The two passwords don't match.";
    return problems;
  };
  return { fields: [field, confirm], check };
}
