// Tools under a client's portal login (staff with manage_portal_access): the safe word
// checked before a phone password reset — shown only on demand, since every read is
// audited — and removing the client's two-step sign-in when they lost their phone.

import { api, seg } from "../api.js";
import { h, replace } from "../ui/dom.js";
import { button, form, showErrors, textField } from "../ui/forms.js";
import { formatDateTime } from "../ui/format.js";
import { notify } from "../ui/notice.js";

const MAX_SAFE_WORD = 60;

export function accessTools({ client, name }) {
  return h("div", { class: "access-tools" }, safeWordSection(client), twoFactorSection(client, name));
}

function safeWordSection(client) {
  const shown = h("p", { id: "safe-word-value", "aria-live": "polite" });
  const body = h("div", {});
  const show = button("Show safe word", {
    kind: "secondary",
    attrs: { id: "safe-word-show", "aria-controls": "safe-word-value" },
    onClick: async () => {
      if (show.dataset.open) { hide(); return; }
      try {
        const got = await api.get(`/clients/${seg(client.id)}/safe-word`);
        replace(shown, got.safe_word
          ? [h("strong", {}, got.safe_word), h("span", { class: "meta" }, got.updated_at ? ` (set ${formatDateTime(got.updated_at)})` : "")]
          : h("span", { class: "meta" }, "No safe word is set."));
        show.dataset.open = "1";
        show.textContent = "Hide safe word";
      } catch (error) { notify(error.message, "error", { focus: true }); }
    },
  });
  function hide() {
    replace(shown);
    delete show.dataset.open;
    show.textContent = "Show safe word";
  }
  const clear = button("Clear safe word", {
    kind: "danger", attrs: { class: "button button--danger button--small" },
    onClick: async () => {
      try {
        await api.del(`/clients/${seg(client.id)}/safe-word`);
        hide();
        notify("The safe word is cleared.");
      } catch (error) { notify(error.message, "error", { focus: true }); }
    },
  });
  const setForm = form({
    label: "Set the safe word",
    className: "form--narrow",
    children: [textField({ name: "safe_word", id: "safe-word-input", label: "New safe word",
      hint: `Up to ${MAX_SAFE_WORD} characters. Ask the client for it before resetting a password by phone.`,
      attrs: { maxlength: String(MAX_SAFE_WORD), autocomplete: "off", spellcheck: "false" } })],
    actions: [button("Save safe word", { type: "submit", kind: "secondary" })],
    onSubmit: async (formEl) => {
      const input = formEl.elements.safe_word;
      if (!input.value.trim()) {
        showErrors(formEl, { message: "Please fix the problem below.", fields: { safe_word: "Enter a safe word." } });
        return;
      }
      try {
        await api.put(`/clients/${seg(client.id)}/safe-word`, { safe_word: input.value });
        input.value = "";
        hide();
        notify("The safe word is saved.");
      } catch (error) { showErrors(formEl, error); }
    },
  });
  replace(body, h("div", { class: "form__actions" }, show, clear), shown, setForm);
  return h("section", { "aria-labelledby": "safe-word-title" },
    h("h3", { id: "safe-word-title" }, "Safe word"),
    h("p", { class: "meta" }, "Shown only when you ask; each look is recorded in the audit log."),
    body);
}

function twoFactorSection(client, name) {
  const actions = h("div", { class: "form__actions" });
  function ask() {
    replace(actions,
      button("Reset two-step sign-in", { kind: "secondary", attrs: { id: "mfa-reset" }, onClick: confirmStep }));
  }
  function confirmStep() {
    const yes = button(`Yes, remove ${name}'s two-step sign-in`, {
      kind: "danger", attrs: { id: "mfa-reset-confirm" },
      onClick: async () => {
        try {
          await api.post(`/clients/${seg(client.id)}/two-factor/reset`);
          notify(`${name}'s two-step sign-in is removed and their sessions have ended. They set it up again at next sign-in if required.`);
          ask();
        } catch (error) { notify(error.message, "error", { focus: true }); ask(); }
      },
    });
    replace(actions, yes, button("Keep it", { kind: "quiet", onClick: ask }));
    yes.focus();
  }
  ask();
  return h("section", { "aria-labelledby": "mfa-reset-title" },
    h("h3", { id: "mfa-reset-title" }, "Two-step sign-in"),
    h("p", { class: "meta" }, "For a client who lost their phone and recovery codes: check their safe word first."),
    actions);
}
