// "My details": a client reads and updates their own chart details.
// Saves send only the changed fields plus the `version` read; a stale version (someone
// else saved meanwhile) shows a clear conflict message and reloads the latest details.

import { api } from "../api.js";
import { h } from "../ui/dom.js";
import { button, clearErrors, fieldset, form, selectField, showErrors, textField } from "../ui/forms.js";
import { formatDate, formatDateTime, listText, timeElement } from "../ui/format.js";
import { notify } from "../ui/notice.js";
import { COUNTRIES, LANGUAGES, OTHER, fieldLabel } from "../ui/record.js";

const EDITABLE = [
  "preferred_name", "email", "phone_mobile", "phone_home", "phone_work", "address_line1",
  "address_line2", "city", "state", "postal_code", "country", "primary_language",
];

const text = (name, opts = {}) => textField({ name, label: fieldLabel(name), ...opts });
const phone = (name, autocomplete) => text(name, { type: "tel", autocomplete, optional: true,
  attrs: { inputmode: "tel" } });

function languageControls() {
  const options = [["", "Not specified"], ...LANGUAGES.map((l) => [l, l]), [OTHER, "Another language"]];
  const select = selectField({ name: "primary_language", label: fieldLabel("primary_language"), options,
    hint: "The language you're most comfortable using with the practice." });
  const other = text("primary_language_other", { label: "Your language", attrs: { maxlength: "100" } });
  other.hidden = true;
  other.querySelector("input").disabled = true;
  select.querySelector("select").addEventListener("change", (event) => showOther(other, event.target.value === OTHER));
  return [select, other];
}

function showOther(other, show) {
  other.hidden = !show;
  other.querySelector("input").disabled = !show;
}

function countryOptions(current) {
  const options = [["", "Select a country"], ...COUNTRIES];
  if (current && !COUNTRIES.some(([c]) => c === current)) options.push([current, current]);
  return options;
}

/** Put a record's values into the form's inputs. */
function fill(formEl, record) {
  const el = formEl.elements;
  el.first_name.value = record.first_name || "";
  el.last_name.value = record.last_name || "";
  el.date_of_birth.value = record.date_of_birth ? formatDate(record.date_of_birth) : "Not recorded";
  for (const name of EDITABLE) {
    if (name === "primary_language" || name === "country") continue;
    el[name].value = record[name] || "";
  }
  const country = el.country;
  if (record.country && ![...country.options].some((o) => o.value === record.country)) {
    country.append(h("option", { value: record.country }, record.country));
  }
  country.value = record.country || "";
  const language = record.primary_language || "";
  const known = language === "" || LANGUAGES.includes(language);
  el.primary_language.value = known ? language : OTHER;
  el.primary_language_other.value = known ? "" : language;
  showOther(formEl.querySelector('[data-field="primary_language_other"]'), !known);
}

/** What the person typed, per editable field, as the API stores it ("" for empty). */
function current(formEl) {
  const el = formEl.elements;
  const out = {};
  for (const name of EDITABLE) out[name] = (el[name].value || "").trim();
  if (out.primary_language === OTHER) out.primary_language = (el.primary_language_other.value || "").trim();
  return out;
}

function changes(formEl, record) {
  const now = current(formEl);
  const changed = {};
  for (const name of EDITABLE) {
    if (now[name] !== (record[name] || "")) changed[name] = now[name] === "" ? null : now[name];
  }
  return changed;
}

/** "Whose details": shown when the sign-in may keep the details of several people (its own
 * and linked charts, or grants with manage_information); a grant without it is reached
 * through People, never offered here. */
function switcher(ctx, current) {
  const list = ctx.profiles().filter((c) => (c.permissions || []).some((p) => p === "*" || p === "manage_information"));
  if (list.length < 2) return null;
  const select = selectField({ name: "profile", label: "Whose details", value: current.client_id,
    options: list.map((c) => [c.client_id, c.name || "Unnamed"]),
    hint: "You can look after the details of each person linked to your account." });
  return h("form", { class: "search", "aria-label": "Switch person",
    on: { submit: (event) => {
      event.preventDefault();
      ctx.chooseClient(event.currentTarget.elements.profile.value);
    } } }, select, button("Switch", { type: "submit", kind: "secondary" }));
}

/** GET/PATCH /me/details for the chosen person; a session opened before a link was made
 * learns of it at its next refresh, so a 404 for a listed person refreshes once. */
async function meCall(ctx, method, body) {
  const person = ctx.currentClient();
  const options = person && ctx.profiles().length > 1 ? { query: { client_id: person.client_id } } : {};
  const path = options.query ? `/me/details?client_id=${encodeURIComponent(person.client_id)}` : "/me/details";
  const call = () => (method === "GET" ? api.get("/me/details", options) : api.patch(path, body));
  try {
    return await call();
  } catch (error) {
    if (error.status !== 404 || !options.query) throw error;
    await api.post("/session/refresh").catch(() => null);
    return call();
  }
}

export async function detailsView({ ctx }) {
  const person = ctx.currentClient();
  let record = await meCall(ctx, "GET");
  const updated = h("p", { class: "meta" });
  const showUpdated = () => {
    updated.replaceChildren(...(record.updated_at ? ["Last updated ", timeElement(record.updated_at, formatDateTime(record.updated_at))] : []));
  };

  const formEl = form({
    label: "My details",
    children: [
      fieldset("Your name",
        h("p", { class: "group__hint", id: "name-note" },
          "To correct your legal name or date of birth, please contact the practice."),
        h("div", { class: "grid grid--2" },
          text("first_name", { readonly: true }),
          text("last_name", { readonly: true })),
        text("preferred_name", { optional: true, autocomplete: "nickname", hint: "What you'd like to be called." }),
        text("date_of_birth", { readonly: true })),
      fieldset("How to reach you",
        text("email", { type: "email", autocomplete: "email", attrs: { inputmode: "email", autocapitalize: "none" } }),
        phone("phone_mobile", "tel"),
        phone("phone_home", "off"),
        phone("phone_work", "off")),
      fieldset("Address",
        text("address_line1", { autocomplete: "address-line1" }),
        text("address_line2", { autocomplete: "address-line2", optional: true, hint: "Apartment, suite or unit." }),
        h("div", { class: "grid grid--2" },
          text("city", { autocomplete: "address-level2" }),
          text("state", { autocomplete: "address-level1" })),
        h("div", { class: "grid grid--2" },
          text("postal_code", { autocomplete: "postal-code", attrs: { autocapitalize: "characters" } }),
          selectField({ name: "country", label: fieldLabel("country"), options: countryOptions(record.country), autocomplete: "country" }))),
      fieldset("Language", ...languageControls()),
    ],
    actions: [button("Save changes", { type: "submit" }), updated],
    onSubmit: async (el) => {
      clearErrors(el);
      const changed = changes(el, record);
      const names = Object.keys(changed);
      if (!names.length) {
        notify("There are no changes to save.", "info");
        return;
      }
      try {
        record = await meCall(ctx, "PATCH", { ...changed, version: record.version });
        fill(el, record);
        showUpdated();
        notify(`Your changes have been saved: ${listText(names.map(fieldLabel))}.`, "success");
        // The notice is at the top; on a phone the person is down by the button. The live
        // region has already told screen readers, so this echo is hidden from them.
        updated.replaceChildren(h("span", { class: "saved", "aria-hidden": "true" }, "✓ Saved"), " ", ...updated.childNodes);
      } catch (error) {
        if (error.status === 409) {
          try { record = await meCall(ctx, "GET"); } catch { /* keep the old one */ }
          fill(el, record);
          showUpdated();
          showErrors(el, {
            message: "Your details were changed somewhere else (perhaps by the practice) while you had this page open, " +
              "so your changes were not saved. We've loaded the latest details. Please check them and make your changes again.",
          }, { extra: h("p", {}, `You had changed: ${listText(names.map(fieldLabel))}.`) });
          el.querySelector(".error-summary").focus();
          return;
        }
        if (error.fields && error.fields.primary_language && el.elements.primary_language.value === OTHER) {
          error.fields.primary_language_other = error.fields.primary_language;
          delete error.fields.primary_language;
        }
        showErrors(el, error);
      }
    },
  });
  for (const name of ["first_name", "last_name", "date_of_birth"]) {
    formEl.elements[name].setAttribute("aria-describedby", "name-note");
  }
  fill(formEl, record);
  showUpdated();
  formEl.addEventListener("input", () => { const saved = updated.querySelector(".saved"); if (saved) saved.remove(); });

  const several = ctx.profiles().length > 1;
  return h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, several && person ? `Details: ${person.name}` : "My details"),
    switcher(ctx, person || {}),
    h("p", { class: "lead" }, "Please keep these up to date so the practice can reach you. When you save, the practice is told what changed."),
    h("div", { class: "card" }, formEl));
}
