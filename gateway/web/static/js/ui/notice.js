// Messages for people: page-level notices (role=status), one-off announcements for
// screen readers, and "flash" notices that survive one navigation ("You have signed out").

import { h } from "./dom.js";

const ICON = { success: "✓", info: "i", warning: "!", error: "!" };
const LABEL = { success: "Done:", info: "Note:", warning: "Warning:", error: "Problem:" };
let pending = null;

/** Say something to screen-reader users without showing it. */
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A fresh text node after a tick makes screen readers read repeated messages too.
  setTimeout(() => { region.textContent = text; }, 50);
}

/**
 * A visible notice at the top of the page, in the #notices live region.
 * kind: success | info | warning | error. The kind is written out for screen readers and
 * shown by an icon and a border too, never by colour alone.
 */
export function notify(message, kind = "success", { focus = false } = {}) {
  const region = document.getElementById("notices");
  if (!region) return null;
  const note = callout(message, kind);
  note.setAttribute("tabindex", "-1");
  region.replaceChildren(note);
  if (focus) note.focus();
  return note;
}

export function clearNotices() {
  const region = document.getElementById("notices");
  if (region) region.replaceChildren();
}

/** A callout box (not live by itself), for use inside a view. */
export function callout(message, kind = "info", ...extra) {
  const dismiss = h("button", {
    type: "button", class: "callout__close", "aria-label": "Dismiss message",
    on: { click: (event) => event.currentTarget.closest(".callout").remove() },
  }, "×");
  return h("div", { class: `callout callout--${kind}` },
    h("span", { class: "callout__icon", "aria-hidden": "true" }, ICON[kind] || "i"),
    h("div", { class: "callout__body" },
      h("span", { class: "visually-hidden" }, LABEL[kind] + " "),
      h("p", {}, message), ...extra),
    kind === "error" ? null : dismiss);
}

/** Keep a notice for the next page the router renders. */
export function flash(message, kind = "success") {
  pending = { message, kind };
}

/** Show the pending flash notice, if any (the apps call this after each render). */
export function showFlash() {
  if (!pending) {
    clearNotices();
    return;
  }
  const { message, kind } = pending;
  pending = null;
  notify(message, kind);
}
