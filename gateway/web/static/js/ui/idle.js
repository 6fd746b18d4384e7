// Signing out after inactivity, for privacy on shared or unattended devices.
//
// Activity (keys, pointer, touch, scroll) in any tab of this site counts: the last
// activity time is shared through localStorage. A timer polls the clock rather than
// trusting one long setTimeout, which phones suspend while the screen is off. After
// `warnAfter` a modal dialog warns and counts down; at `signOutAfter` `onTimeout` runs.

import { h } from "./dom.js";

const KEY = "haven-last-activity";
const EVENTS = ["keydown", "pointerdown", "touchstart", "wheel", "scroll"];

export function startIdleWatch({ warnAfter = 13 * 60, signOutAfter = 15 * 60, onTimeout, onStay }) {
  let last = Date.now();
  let dialog = null;
  let countdown = null;
  let stopped = false;
  let lastWrite = 0;

  const readShared = () => Number(localStorage.getItem(KEY)) || 0;
  const latest = () => Math.max(last, readShared());

  function touch() {
    if (dialog && dialog.open) return; // while warned, only the dialog's buttons count
    last = Date.now();
    if (last - lastWrite > 5000) {
      lastWrite = last;
      try { localStorage.setItem(KEY, String(last)); } catch { /* private mode */ }
    }
  }

  function remaining() {
    return Math.max(0, Math.round((latest() + signOutAfter * 1000 - Date.now()) / 1000));
  }

  function describeLeft(seconds) {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    if (m && s) return `${m} minute${m === 1 ? "" : "s"} ${s} second${s === 1 ? "" : "s"}`;
    if (m) return `${m} minute${m === 1 ? "" : "s"}`;
    return `${s} second${s === 1 ? "" : "s"}`;
  }

  function buildDialog() {
    countdown = h("p", { class: "dialog__countdown", id: "idle-countdown" });
    const stay = h("button", { type: "button", class: "button button--primary", on: { click: () => stay_() } }, "Stay signed in");
    const leave = h("button", { type: "button", class: "button button--secondary", on: { click: () => timeout() } }, "Sign out now");
    const el = h("dialog", { class: "dialog", "aria-labelledby": "idle-title", "aria-describedby": "idle-text idle-countdown" },
      h("h2", { id: "idle-title", class: "dialog__title" }, "Are you still there?"),
      h("p", { id: "idle-text" }, "You'll be signed out in 2 minutes for your privacy."),
      countdown,
      h("div", { class: "dialog__actions" }, stay, leave));
    // Escape means "I'm here".
    el.addEventListener("cancel", (event) => { event.preventDefault(); stay_(); });
    document.body.append(el);
    return el;
  }

  function warn() {
    if (!dialog) dialog = buildDialog();
    if (!dialog.open) {
      dialog.showModal();
      dialog.querySelector(".button--primary").focus();
    }
    countdown.textContent = `Time left: ${describeLeft(remaining())}.`;
  }

  function stay_() {
    if (dialog && dialog.open) dialog.close();
    touch();
    if (onStay) onStay();
  }

  function timeout() {
    if (stopped) return;
    stop();
    onTimeout();
  }

  function tick() {
    if (stopped) return;
    const idle = (Date.now() - latest()) / 1000;
    if (idle >= signOutAfter) timeout();
    else if (idle >= warnAfter) warn();
    else if (dialog && dialog.open) dialog.close(); // activity in another tab
  }

  for (const name of EVENTS) window.addEventListener(name, touch, { passive: true, capture: true });
  document.addEventListener("visibilitychange", tick);
  const timer = setInterval(tick, 1000);
  touch();

  function stop() {
    stopped = true;
    clearInterval(timer);
    for (const name of EVENTS) window.removeEventListener(name, touch, { capture: true });
    document.removeEventListener("visibilitychange", tick);
    if (dialog) { if (dialog.open) dialog.close(); dialog.remove(); dialog = null; }
  }
  return { stop };
}
