// The one way the web client talks to Haven's JSON API (/api/v1).
//
// - cookies only (credentials: "same-origin"); tokens never touch JavaScript;
// - unsafe methods send X-CSRF-Token from the readable haven_csrf cookie (double submit);
// - a 401 tries POST /session/refresh once (shared by concurrent requests), then retries;
// - every failure becomes an ApiError carrying the API's `message` for people and its
//   per-field `fields` messages for forms.

const BASE = "/api/v1";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
// Requests whose 401 means "wrong password" or "no session", not "token expired".
const NO_REFRESH = new Set(["POST /session", "POST /session/refresh"]);

const FALLBACK = {
  0: "We couldn't reach the server. Check your internet connection and try again.",
  400: "Something about that request wasn't right. Please check and try again.",
  401: "Please sign in again.",
  403: "You don't have permission to do that.",
  404: "We couldn't find what you were looking for.",
  409: "That conflicts with a change made somewhere else. Please reload and try again.",
  422: "Please check the highlighted fields.",
  429: "Too many attempts. Please wait a little and try again.",
  500: "Something went wrong on our side. Please try again in a moment.",
};

export class ApiError extends Error {
  constructor(status, body = {}, retryAfterHeader = null) {
    const message = typeof body.message === "string" && body.message
      ? body.message
      : FALLBACK[status] || FALLBACK[status >= 500 ? 500 : 400];
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = body.error || (status === 0 ? "network_error" : "http_" + status);
    const raw = body.fields && typeof body.fields === "object" ? body.fields : {};
    const retry = raw.retry_after ?? retryAfterHeader;
    this.retryAfter = retry != null && !Number.isNaN(Number(retry)) ? Number(retry) : null;
    // {name: "sentence"}: marshmallow sends lists; join them for people.
    this.fields = {};
    for (const [name, value] of Object.entries(raw)) {
      if (name === "retry_after") continue;
      this.fields[name] = Array.isArray(value) ? value.join(" ") : String(value);
    }
  }
}

let unauthenticatedHandler = null;
let refreshing = null;

/** Called (once per failed request) when a request is 401 even after a refresh. */
export function onUnauthenticated(handler) {
  unauthenticatedHandler = handler;
}

export function readCookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

function refreshOnce() {
  if (!refreshing) {
    refreshing = send("POST", "/session/refresh", undefined)
      .then((response) => response.ok)
      .catch(() => false)
      .finally(() => { setTimeout(() => { refreshing = null; }, 0); });
  }
  return refreshing;
}

function send(method, path, body, signal, extraHeaders) {
  const headers = { ...(extraHeaders || {}), Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin", cache: "no-store", signal };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (UNSAFE.has(method)) {
    const csrf = readCookie("haven_csrf");
    if (csrf) headers["X-CSRF-Token"] = csrf;
  }
  return fetch(BASE + path, init);
}

async function parse(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * request("GET", "/me/details") → parsed JSON, or throws ApiError.
 * options: {body, query: {k: v}, signal, refresh: false to skip the refresh retry,
 * headers: {name: value} (e.g. Idempotency-Key)}
 */
export async function request(method, path, options = {}) {
  const { body, query, signal, refresh = true, headers } = options;
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== "") params.set(key, value);
    }
    const qs = params.toString();
    if (qs) url += "?" + qs;
  }
  let response;
  try {
    response = await send(method, url, body, signal, headers);
    if (response.status === 401 && refresh && !NO_REFRESH.has(`${method} ${path}`)) {
      if (await refreshOnce()) {
        response = await send(method, url, body, signal, headers);
      }
    }
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new ApiError(0);
  }
  const data = await parse(response);
  if (response.ok) return data;
  const error = new ApiError(response.status, data || {}, response.headers.get("Retry-After"));
  if (response.status === 401 && !NO_REFRESH.has(`${method} ${path}`) && unauthenticatedHandler) {
    unauthenticatedHandler(error);
  }
  throw error;
}

/** Encode one path segment (ids come from URLs people can edit). */
export const seg = (value) => encodeURIComponent(String(value));

export const api = {
  get: (path, options) => request("GET", path, options),
  post: (path, body, options) => request("POST", path, { ...options, body }),
  put: (path, body, options) => request("PUT", path, { ...options, body }),
  patch: (path, body, options) => request("PATCH", path, { ...options, body }),
  del: (path, options) => request("DELETE", path, options),
};
