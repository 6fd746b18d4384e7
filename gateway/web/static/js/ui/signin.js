// The sign-in form both apps use (portal: audience "portal" + practice code; staff:
// audience "staff"). Shows the API's message for wrong credentials, an inactive account
// or throttling (with how long to wait), and per-field messages.

import { api } from "../api.js";
import { h } from "./dom.js";
import { button, form, passwordField, showErrors, textField, values } from "./forms.js";
import { formatWait } from "./format.js";
import { secondStep } from "./twofactor.js";

export function signInForm({ audience, practiceCode, onSignedIn, below }) {
  const el = form({
    label: "Sign in",
    className: "form--narrow",
    children: [
      textField({ name: "login", label: "Email", type: "email", autocomplete: "username", required: true,
        attrs: { autocapitalize: "none", inputmode: "email" } }),
      passwordField({ name: "password", label: "Password", autocomplete: "current-password", required: true }),
    ],
    actions: [button("Sign in", { type: "submit" })],
    onSubmit: async (formEl) => {
      const { login, password } = values(formEl);
      const missing = {};
      if (!login) missing.login = "Enter your email address.";
      if (!formEl.elements.password.value) missing.password = "Enter your password.";
      if (Object.keys(missing).length) {
        showErrors(formEl, { message: "Enter your email and password to sign in.", fields: missing });
        return;
      }
      const body = { login, password: formEl.elements.password.value, audience };
      if (practiceCode) body.practice_code = practiceCode;
      try {
        const result = await api.post("/session", body);
        if (result && result.mfa_required) {
          // The password was right; a code from the authenticator app is next (or, the
          // first time, adding the app). No session exists until then.
          const restart = () => step.replaceWith(signInForm({ audience, practiceCode, onSignedIn, below }));
          const step = secondStep({ challenge: result, onSignedIn, restart });
          el.replaceWith(step);
          return;
        }
        await onSignedIn(result || {});
      } catch (error) {
        let extra = null;
        if (error.status === 429 && error.retryAfter) {
          extra = h("p", {}, `You can try again in about ${formatWait(error.retryAfter)}.`);
        }
        showErrors(formEl, error, { extra });
        if (error.code === "invalid_credentials") {
          formEl.elements.password.value = "";
        }
      }
    },
  });
  if (below) el.append(below);
  return el;
}
