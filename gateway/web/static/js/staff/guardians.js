// Practice settings: guardians and two-step sign-in for clients (docs/identity.md). A form
// of its own on the settings page: the guardian age bands, which permissions stay
// confidential between them, the age from which clients have their own access, and
// whether clients and contacts must sign in with two steps.

import { api } from "../api.js";
import { h } from "../ui/dom.js";
import { button, checkboxField, fieldset, form, showErrors, textField } from "../ui/forms.js";
import { notify } from "../ui/notice.js";
import { GRANT_WORDS, PERMISSIONS } from "./contacts.js";

const AGES = [
  ["guardian_full_until_age", "Guardians have full access until age", "Before this birthday a guardian has everything you grant them.", 12],
  ["guardian_access_ends_at_age", "Guardian access ends at age", "From this birthday a guardian's access stops, unless you renew it with the client's agreement.", 18],
  ["client_own_access_from_age", "Clients may have their own sign-in from age", "", 12],
];

export function guardianSettingsCard(initial) {
  let settings = initial;
  const confidential = () => settings.confidential_permissions || ["message_clinician", "manage_documentation"];
  const el = form({
    label: "Guardians and two-step sign-in",
    children: [
      h("h2", {}, "Guardians and two-step sign-in"),
      fieldset("Guardian age bands",
        ...AGES.map(([name, label, hint, fallback]) => textField({ name, label, hint, type: "number",
          value: String(settings[name] ?? fallback), attrs: { min: "0", max: "26", inputmode: "numeric" } }))),
      h("fieldset", { class: "group checks" },
        h("legend", { class: "group__legend" }, "Confidential between the two ages"),
        h("p", { class: "group__hint" }, "Hidden from guardians of teenagers: what a teen keeps between themselves and the practice."),
        PERMISSIONS.map((p) => checkboxField({ name: `confidential:${p}`, id: `confidential-${p}`, label: GRANT_WORDS[p], checked: confidential().includes(p) }))),
      fieldset("Two-step sign-in",
        checkboxField({ name: "mfa_required_for_clients", label: "Require two-step sign-in for clients and contacts",
          checked: Boolean(settings.mfa_required_for_clients),
          hint: "Staff always sign in with two steps. Clients and contacts may turn it on themselves; this makes it required." })),
    ],
    actions: [button("Save guardian and sign-in settings", { type: "submit" })],
    onSubmit: async (formEl) => {
      const changed = {};
      for (const [name, , , fallback] of AGES) {
        const raw = formEl.elements[name].value.trim();
        const value = Number(raw);
        if (raw === "" || !Number.isInteger(value)) {
          showErrors(formEl, { message: "Please fix the problems below.", fields: { [name]: "Enter a whole number of years." } });
          return;
        }
        if (value !== (settings[name] ?? fallback)) changed[name] = value;
      }
      const chosen = PERMISSIONS.filter((p) => formEl.elements[`confidential:${p}`].checked);
      if (chosen.join() !== PERMISSIONS.filter((p) => confidential().includes(p)).join()) changed.confidential_permissions = chosen;
      const required = formEl.elements.mfa_required_for_clients.checked;
      if (required !== Boolean(settings.mfa_required_for_clients)) changed.mfa_required_for_clients = required;
      if (!Object.keys(changed).length) { notify("There are no changes to save.", "info"); return; }
      try {
        settings = await api.patch("/practice/settings", changed);
        notify(`Saved: ${Object.keys(changed).join(", ").replace(/_/g, " ")}.`);
      } catch (error) { showErrors(formEl, error); }
    },
  });
  return h("div", { class: "card" }, el);
}
