// Insurance card photos: a preview (the image itself, fetched through the verified
// download route, which checks the file's SHA-256) and, on the portal's Insurance page,
// the picker that uploads a chosen photo at once so it can be previewed, and keeps its
// document id for the tab's save.
//
// The Content-Security-Policy allows images only from 'self' (no blob: or data:), so a
// photo is previewed after it is uploaded, from the download route, never from the disk.

import { h } from "./dom.js";
import { checkFile, download, upload } from "./files.js";
import { setFieldError } from "./forms.js";
import { notify } from "./notice.js";

export const PHOTO_ACCEPT = ".jpg,.jpeg,.png,.heic,.heif,image/jpeg,image/png,image/heic,image/heif";
const documentUrl = (id) => `/api/v1/documents/${encodeURIComponent(id)}/download`;

/**
 * The photo of one side of a card, or "No photo yet.". A file the browser cannot show
 * (a HEIC photo, a PDF) gets a sentence instead. With `downloadable`, a Download button.
 */
export function cardPreview(documentId, alt, { downloadable = false } = {}) {
  if (!documentId) return h("p", { class: "card-photo card-photo--empty meta" }, "No photo yet.");
  const figure = h("figure", { class: "card-photo" });
  const img = h("img", { class: "card-photo__img", src: documentUrl(documentId), alt, loading: "lazy", decoding: "async" });
  img.addEventListener("error", () => img.replaceWith(h("p", { class: "card-photo__none meta" }, `${alt}: no preview can be shown for this file.`)));
  figure.append(img);
  if (downloadable) {
    figure.append(h("figcaption", {}, h("button", { type: "button", class: "button button--secondary button--small",
      on: { click: (event) => download(documentId).catch((e) => { notify(e.message, "error"); event.currentTarget.focus(); }) } },
    "Download", h("span", { class: "visually-hidden" }, ` ${alt}`))));
  }
  return figure;
}

/**
 * The picker for one side of a coverage's card on the portal's Insurance form. The file
 * input carries the field's name, so the API's message for the field lands beside it; the
 * chosen document id is in its `data-document-id` (read by the page when it saves).
 * field: {name, label, side, coverage}; legend: "Primary insurance"; uploadPath: the
 * portal's upload route (with ?client_id= when acting for someone); uploadsEnabled: the
 * practice's setting (without it only the current photo is shown, with `note`: the portal's
 * "please call the practice", the console's own sentence).
 */
export function photoPicker({ field, value, legend, uploadPath, uploadsEnabled, note = "To send a new photo of your card, please call the practice." }) {
  const id = `f-${field.name.replace(/\./g, "-")}`;
  const side = field.side === "front" ? "front" : "back";
  const alt = `${legend} card, ${side}`;
  const preview = h("div", { class: "card-photo__slot" }, cardPreview(value, alt));
  const status = h("p", { class: "field__status meta", id: `${id}-status`, "aria-live": "polite" });
  const error = h("p", { class: "field__error", id: `${id}-error`, hidden: true });
  const wrapper = h("div", { class: "field photo", dataset: { field: field.name } },
    h("p", { class: "field__label", id: `${id}-label` }, `Photo of the card's ${side}`), preview);
  if (!uploadsEnabled) {
    // the save still carries the photo already on the card (a missing key would clear it)
    const kept = h("input", { type: "hidden", name: field.name });
    kept.dataset.documentId = value || "";
    wrapper.append(h("p", { class: "field__hint" }, note), kept);
    return wrapper;
  }
  const hint = h("p", { class: "field__hint", id: `${id}-hint` },
    "JPEG, PNG or HEIC, up to 25 MB. The photo is sent to the practice when you choose it, and is part of your insurance once you save.");
  const input = h("input", { type: "file", id, name: field.name, accept: PHOTO_ACCEPT, class: "input input--file",
    "aria-describedby": `${id}-hint ${id}-status` });
  input.dataset.documentId = value || "";
  const remove = h("button", { type: "button", class: "button button--quiet button--small", hidden: !value },
    `Remove the ${side} photo`, h("span", { class: "visually-hidden" }, ` (${legend})`));

  function show(documentId, message) {
    input.dataset.documentId = documentId || "";
    preview.replaceChildren(cardPreview(documentId, alt));
    remove.hidden = !documentId;
    status.textContent = message;
  }

  remove.addEventListener("click", () => {
    show("", `The ${side} photo will be removed when you save.`);
    input.value = "";
    input.focus();
  });

  input.addEventListener("change", async () => {
    const formEl = input.form;
    error.hidden = true;
    input.removeAttribute("aria-invalid");
    wrapper.classList.remove("field--invalid");
    const file = input.files[0];
    if (!file) return;
    const problem = checkFile(file);
    if (problem) { if (formEl) setFieldError(formEl, field.name, problem.file); input.value = ""; return; }
    const data = new FormData();
    data.append("title", `${legend} card, ${side}`);
    data.append("file", file, file.name);
    status.textContent = `Sending ${file.name}…`;
    if (formEl) formEl.dataset.uploading = String(Number(formEl.dataset.uploading || 0) + 1);
    try {
      const doc = await upload(uploadPath, data);
      show(doc.id, `Photo of the ${side} ready: ${doc.filename}. Save insurance to keep it.`);
    } catch (e) {
      status.textContent = "";
      input.value = "";
      if (formEl) setFieldError(formEl, field.name, e.fields && e.fields.file ? e.fields.file : e.message);
    } finally {
      if (formEl) formEl.dataset.uploading = String(Number(formEl.dataset.uploading) - 1);
    }
  });

  wrapper.append(h("label", { class: "field__label field__label--sub", for: id }, `Choose a photo of the ${side}`), hint, error, input, status, remove);
  return wrapper;
}
