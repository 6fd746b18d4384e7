// Files: uploading one through a multipart form (streamed by the gateway to the blob
// store), and downloading one (a plain link, after making sure the session is fresh).

import { ApiError, api, readCookie } from "../api.js";

export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
export const ACCEPT = ".pdf,.jpg,.jpeg,.png,.heic,.heif,.doc,.docx,application/pdf,image/jpeg,image/png,image/heic,image/heif,application/msword,application/vnd.openxmlformats-officedocument.wordprocessingml.document";
export const ACCEPTED_WORDS = "PDF, JPEG, PNG, HEIC or Word (.doc, .docx), up to 25 MB";

/** "1.2 MB" */
export function formatSize(bytes) {
  const n = Number(bytes) || 0;
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** A problem the browser can see before sending (the server checks everything again). */
export function checkFile(file) {
  if (!file) return { file: "Choose a file to upload." };
  if (file.size === 0) return { file: "The file is empty. Choose a file that has content." };
  if (file.size > MAX_UPLOAD_BYTES) return { file: `The file is ${formatSize(file.size)}. Files can be at most 25 MB: upload a smaller file, or scan it at a lower resolution.` };
  return null;
}

// One Idempotency-Key per chosen file: sending the same file again after an unconfirmed
// upload (503 upload_unconfirmed) names the same upload, so it is never added twice.
const uploadKeys = new WeakMap();

function uuid4() {
  // crypto.randomUUID needs a secure context; getRandomValues works on plain http too
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function uploadKey(formData) {
  const file = formData.get("file");
  if (!(file instanceof Blob)) return uuid4();
  if (!uploadKeys.has(file)) uploadKeys.set(file, uuid4());
  return uploadKeys.get(file);
}

async function post(path, formData, key) {
  const headers = { Accept: "application/json", "Idempotency-Key": key };
  const csrf = readCookie("haven_csrf");
  if (csrf) headers["X-CSRF-Token"] = csrf;
  return fetch("/api/v1" + path, { method: "POST", body: formData, headers, credentials: "same-origin", cache: "no-store" });
}

/** POST a multipart form; one refresh and retry on 401, like api.js, and one retry of an
 * upload the gateway could not confirm (503), with the same Idempotency-Key. → JSON or ApiError. */
export async function upload(path, formData) {
  const key = uploadKey(formData);
  let response;
  try {
    response = await post(path, formData, key);
    if (response.status === 401) {
      const refreshed = await api.post("/session/refresh").then(() => true, () => false);
      if (refreshed) response = await post(path, formData, key);
    }
    if (response.status === 503) {
      const wait = Math.min(Number(response.headers.get("Retry-After")) || 2, 10);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      response = await post(path, formData, key);
    }
  } catch {
    throw new ApiError(0);
  }
  let body = null;
  try { body = await response.json(); } catch { /* empty */ }
  if (!response.ok) throw new ApiError(response.status, body || {}, response.headers.get("Retry-After"));
  return body;
}

/** Download through a link: a stale access cookie is refreshed first (GET /session). */
export async function download(documentId) {
  await downloadFrom(`/api/v1/documents/${encodeURIComponent(documentId)}/download`);
}

/** The same for any download route (an appointment's calendar file). */
export async function downloadFrom(href) {
  await api.get("/session");
  const link = document.createElement("a");
  link.href = href;
  link.setAttribute("download", "");
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}
