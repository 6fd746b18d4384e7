// The "Portal access" panel of a client's page: set up a login with a temporary password
// (GET 404 = none yet → PUT); suspend, reactivate or remove an existing one (PATCH
// {status}: "inactive" after a confirmation), and require a new password at the next
// sign-in (PATCH {status, change_password_at_next_login}).

import { api, seg } from "../api.js";
import { h, replace } from "../ui/dom.js";
import { button, checkboxField, form, radioGroup, showErrors, textField, values } from "../ui/forms.js";
import { formatDateTime } from "../ui/format.js";
import { notify } from "../ui/notice.js";
import { MIN_LENGTH } from "../ui/password.js";
import { fullName } from "../ui/record.js";
import { accessTools } from "./access_tools.js";

const STATUS_TEXT = { active: "Active", suspended: "Suspended", inactive: "Access removed" };

export function statusTag(status) {
  return h("span", { class: `status-tag status-tag--${status}` },
    h("span", { "aria-hidden": "true" }, status === "active" ? "●" : "■"), STATUS_TEXT[status] || status);
}

/** A random passphrase-like password staff can read out on the phone (no look-alikes). */
function suggestPassword() {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join("")).join("-");
}

export async function loadAccess(clientId) {
  try {
    return await api.get(`/clients/${seg(clientId)}/portal-access`);
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
  }
}

export function accessPanel({ client, access, canManage }) {
  const heading = h("h2", { id: "access-title", tabindex: "-1" }, "Portal access");
  const body = h("div", {});
  const panel = h("section", { class: "card", "aria-labelledby": "access-title", id: "portal-access" }, heading, body);
  const name = fullName(client);

  function render(current, focusTarget) {
    if (!current) replace(body, setupForm());
    else replace(body, summary(current));
    if (focusTarget === "heading") heading.focus();
    else if (focusTarget) { const el = body.querySelector(focusTarget); if (el) el.focus(); }
  }

  function summary(current) {
    const next = current.status === "active" ? "suspended" : "active";
    const action = next === "suspended" ? "Suspend access" : "Reactivate access";
    const toggle = button(action, {
      kind: next === "suspended" ? "danger" : "primary",
      attrs: { id: "access-toggle" },
      onClick: async () => {
        if (toggle.getAttribute("aria-disabled")) return;
        toggle.setAttribute("aria-disabled", "true");
        try {
          const updated = await api.patch(`/clients/${seg(client.id)}/portal-access`, { status: next });
          const fresh = { ...current, ...(updated || {}), status: (updated && updated.status) || next };
          render(fresh, "#access-toggle");
          notify(next === "suspended"
            ? `${name}'s portal access is suspended. They can't sign in, and any open sessions have ended.`
            : `${name}'s portal access is active again.`);
        } catch (error) {
          toggle.removeAttribute("aria-disabled");
          notify(error.message, "error", { focus: true });
        }
      },
    });
    async function change(body, message, focus) {
      try {
        const updated = await api.patch(`/clients/${seg(client.id)}/portal-access`, { status: current.status, ...body });
        render({ ...current, ...(updated || {}) }, focus);
        notify(message);
      } catch (error) {
        notify(error.message, "error", { focus: true });
      }
    }
    const mustChange = Boolean(current.must_change_password);
    const passwordToggle = button(mustChange ? "Don't require a new password" : "Require a new password at next sign-in", {
      kind: "secondary",
      attrs: { id: "access-must-change" },
      onClick: () => change({ change_password_at_next_login: !mustChange }, mustChange
        ? `${name} keeps their password at the next sign-in.`
        : `${name} must choose a new password the next time they sign in.`, "#access-must-change"),
    });
    const removeActions = h("div", { class: "form__actions" });
    function askRemove() {
      replace(removeActions, current.status === "inactive" ? null
        : button("Remove access", { kind: "danger", attrs: { id: "access-remove" }, onClick: confirmRemove }));
    }
    function confirmRemove() {
      const yes = button(`Yes, remove ${name}'s portal access`, {
        kind: "danger", attrs: { id: "access-remove-confirm" },
        onClick: () => change({ status: "inactive" },
          `${name}'s portal access is removed. They can't sign in, and any open sessions have ended.`, "#access-toggle"),
      });
      replace(removeActions, yes, button("Keep access", { kind: "quiet", onClick: askRemove }));
      yes.focus();
    }
    askRemove();
    return [
      h("dl", { class: "details-list" },
        h("dt", {}, "Login"), h("dd", {}, current.login),
        h("dt", {}, "Status"), h("dd", {}, statusTag(current.status)),
        h("dt", {}, "Must change password"), h("dd", {}, current.must_change_password ? "Yes, at next sign-in" : "No"),
        h("dt", {}, "Set up"), h("dd", {}, current.created_at ? formatDateTime(current.created_at) : "—"),
        h("dt", {}, "Last sign-in"), h("dd", {}, current.last_sign_in_at ? formatDateTime(current.last_sign_in_at) : "Never")),
      canManage ? h("div", { class: "form__actions" }, toggle, passwordToggle) : null,
      canManage ? removeActions : null,
      canManage ? accessTools({ client, name }) : null,
    ];
  }

  function setupForm() {
    if (!canManage) return h("p", {}, `${name} doesn't have portal access yet.`);
    const password = textField({
      name: "temporary_password", label: "Temporary password", autocomplete: "off",
      hint: `At least ${MIN_LENGTH} characters. Give it to the client privately, in person or by phone — never by email.`,
      attrs: { autocapitalize: "none", spellcheck: "false", minlength: String(MIN_LENGTH) },
      extra: button("Suggest a password", {
        kind: "quiet",
        attrs: { class: "button button--quiet field__toggle" },
        onClick: (event) => {
          const input = event.currentTarget.closest(".field").querySelector("input");
          input.value = suggestPassword();
          input.focus();
        },
      }),
    });
    const el = form({
      label: "Set up portal access",
      className: "form--narrow",
      children: [
        textField({ name: "login", label: "Login", type: "email", value: client.email || "", autocomplete: "off",
          hint: "The client's email address. They sign in with it, and a welcome email is sent there.",
          attrs: { autocapitalize: "none" } }),
        password,
        checkboxField({ name: "change_password_at_next_login", label: "Change password at next login", checked: true,
          hint: "Recommended: the client chooses a private password the first time they sign in." }),
        radioGroup({ name: "status", legend: "Status", value: "active",
          options: [["active", "Active — can sign in"], ["suspended", "Suspended — cannot sign in yet"]] }),
      ],
      actions: [button("Set up portal access", { type: "submit" })],
      onSubmit: async (formEl) => {
        const data = values(formEl);
        const problems = {};
        if (!data.login) problems.login = "Enter the login email.";
        if (!formEl.elements.temporary_password.value) problems.temporary_password = "Enter a temporary password.";
        else if (formEl.elements.temporary_password.value.length < MIN_LENGTH) problems.temporary_password = `Use at least ${MIN_LENGTH} characters.`;
        if (Object.keys(problems).length) {
          showErrors(formEl, { message: "Please fix the problems below.", fields: problems });
          return;
        }
        try {
          const created = await api.put(`/clients/${seg(client.id)}/portal-access`, {
            login: data.login,
            temporary_password: formEl.elements.temporary_password.value,
            change_password_at_next_login: data.change_password_at_next_login,
            status: data.status || "active",
          });
          render(created && created.login ? created : await loadAccess(client.id), "heading");
          notify(`Portal access is set up for ${name}.`);
        } catch (error) {
          showErrors(formEl, error);
        }
      },
    });
    return [h("p", {}, `${name} doesn't have portal access yet. Set it up to let them sign in to the portal.`), el];
  }

  render(access);
  return panel;
}
