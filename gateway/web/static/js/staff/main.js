// The staff console at /staff: sign in, clients (search, create, a client's page with
// portal access and revision history) and alerts with an unread count.

import { api, onUnauthenticated } from "../api.js";
import { createRouter } from "../router.js";
import { h, replace, srOnly } from "../ui/dom.js";
import { startIdleWatch } from "../ui/idle.js";
import { flash, showFlash } from "../ui/notice.js";
import { passwordForm } from "../ui/password.js";
import { signInForm } from "../ui/signin.js";
import { applyTheme } from "../ui/theme.js";
import { alertsView } from "./alerts.js";
import { conversationView, messagesView, newConversationView } from "./messages.js";
import { requestsView } from "./requests.js";
import { schedulingView } from "./scheduling.js";
import { clientView } from "./client.js";
import { clientsView, newClientView } from "./clients.js";
import { chartNavLinks, chartRoutes } from "./chart/pages.js";
import { accessListView, auditView, settingsView } from "./admin.js";
import { resetView } from "../portal/links.js";
import { button, form, showErrors, textField, values } from "../ui/forms.js";
import { callout } from "../ui/notice.js";
import { securityView } from "../ui/twofactor.js";
import { rolesView, teamView } from "./team.js";
import { opsView } from "./ops.js";
import { emailTemplateView, emailsView } from "./emails.js";

// Pages anyone may open (the emailed reset link carries the practice code).
const PUBLIC = [/^\/forgot-password$/, /^\/[^/]+\/reset\/[^/]+$/];
const isPublic = (path) => PUBLIC.some((re) => re.test(path));

const base = "/staff";
const state = { principal: null, idle: null, next: null, unread: 0, poll: null, messages: 0 };
const outlet = document.getElementById("view");

const siteName = () => (state.principal && state.principal.practice ? `${state.principal.practice.name} staff` : "Haven staff");
const mustChange = () => Boolean(state.principal && state.principal.must_change_password);

function section(current, path) {
  return path === current || path.startsWith(current + "/") ? "page" : null;
}

function renderNav(path = "/") {
  const nav = document.getElementById("account-nav");
  document.getElementById("brand-name").textContent = state.principal && state.principal.practice ? state.principal.practice.name : "Haven";
  if (!state.principal) { nav.replaceChildren(); return; }
  const items = [];
  if (!mustChange()) {
    items.push(h("li", {}, h("a", { href: `${base}/clients`, class: "masthead__link", "aria-current": section("/clients", path) }, "Clients")));
    items.push(h("li", {}, h("a", { href: `${base}/portal-access`, class: "masthead__link", "aria-current": section("/portal-access", path) }, "Portal access")));
    items.push(h("li", {}, h("a", { href: `${base}/alerts`, class: "masthead__link", id: "nav-alerts", "aria-current": section("/alerts", path) },
      "Alerts", state.unread ? h("span", { class: "badge" }, String(state.unread), srOnly(" unread")) : null)));
    items.push(h("li", {}, h("a", { href: `${base}/messages`, class: "masthead__link", id: "nav-messages", "aria-current": section("/messages", path) },
      "Messages", state.messages ? h("span", { class: "badge", "data-unread": String(state.messages) }, String(state.messages), srOnly(" unread messages")) : null)));
    if (ctx.can("manage_appointments")) {
      items.push(h("li", {}, h("a", { href: `${base}/requests`, class: "masthead__link", "aria-current": section("/requests", path) }, "Requests")));
    }
    if (ctx.can("manage_practice_settings")) {
      items.push(h("li", {}, h("a", { href: `${base}/scheduling`, class: "masthead__link", "aria-current": section("/scheduling", path) }, "Scheduling")));
    }
    items.push(...chartNavLinks(base, path, ctx).filter(Boolean));
    if (ctx.can("manage_practice_settings")) {
      items.push(h("li", {}, h("a", { href: `${base}/settings`, class: "masthead__link", "aria-current": section("/settings", path) }, "Settings")));
      items.push(h("li", {}, h("a", { href: `${base}/emails`, class: "masthead__link", "aria-current": section("/emails", path) }, "Emails")));
    }
    if (ctx.can("manage_staff")) {
      items.push(h("li", {}, h("a", { href: `${base}/team`, class: "masthead__link", "aria-current": section("/team", path) || section("/roles", path) }, "Staff")));
    }
    items.push(h("li", {}, h("a", { href: `${base}/security`, class: "masthead__link", "aria-current": section("/security", path) }, "Security")));
    if (ctx.can("view_audit_log")) {
      items.push(h("li", {}, h("a", { href: `${base}/audit`, class: "masthead__link", "aria-current": section("/audit", path) }, "Audit log")));
    }
    if (ctx.can("view_operations")) {
      items.push(h("li", {}, h("a", { href: `${base}/operations`, class: "masthead__link", "aria-current": section("/operations", path) }, "Operations")));
    }
  }
  items.push(h("li", {}, h("button", { type: "button", class: "masthead__button", on: { click: () => signOut() } }, "Sign out")));
  replace(nav,
    state.principal.name ? h("p", { class: "masthead__who" }, srOnly("Signed in as "), state.principal.name) : null,
    h("ul", { class: "masthead__list" }, items));
}

async function refreshUnread() {
  if (!state.principal || mustChange()) return;
  try {
    const alerts = await api.get("/alerts", { query: { unread_only: "true" } });
    const unread = (alerts || []).filter((a) => !a.read).length;
    // secure messages' own count (messaging answers 0 while it is off)
    const messages = await api.get("/messaging/unread").then((m) => m.unread || 0, () => state.messages);
    if (unread !== state.unread || messages !== state.messages) {
      state.unread = unread;
      state.messages = messages;
      renderNav(router.current());
    }
  } catch { /* the badge can wait */ }
}

function startSignedIn() {
  if (state.principal.practice) applyTheme(state.principal.practice.theme_color);
  if (state.idle) state.idle.stop();
  // The practice's own limit (idle_timeout_minutes), warned 2 minutes before.
  const practice = state.principal.practice || {};
  const minutes = Number(practice.idle_timeout_minutes);
  const signOutAfter = (Number.isFinite(minutes) && minutes >= 3 ? minutes : 15) * 60;
  state.idle = startIdleWatch({
    warnAfter: signOutAfter - 120,
    signOutAfter,
    onTimeout: () => signOut(`You were signed out after ${signOutAfter / 60} minutes without activity.`, "info"),
    onStay: () => api.get("/session").catch(() => {}),
  });
  clearInterval(state.poll);
  state.poll = setInterval(refreshUnread, 60000);
}

function forget() {
  state.principal = null;
  state.unread = 0;
  clearInterval(state.poll);
  if (state.idle) { state.idle.stop(); state.idle = null; }
}

async function signOut(message = "You have signed out.", kind = "success") {
  forget();
  try { await api.del("/session"); } catch { /* signed out either way */ }
  flash(message, kind);
  router.navigate("/sign-in");
}

const ctx = {
  get principal() { return state.principal; },
  refreshUnread,
  href: (path) => router.href(path),
  navigate: (path) => router.navigate(path),
  can: (permission) => Boolean(state.principal && (state.principal.permissions || []).includes(permission)),
};

function signInView() {
  return h("section", { class: "page page--narrow", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Staff sign in"),
    h("p", { class: "lead" }, "Sign in to manage your practice's clients and portal."),
    h("div", { class: "card" }, signInForm({
      audience: "staff",
      onSignedIn: async (result) => {
        state.principal = result.principal || (await api.get("/session"));
        if (result.must_change_password) state.principal.must_change_password = true;
        startSignedIn();
        const next = state.next;
        state.next = null;
        router.navigate(mustChange() ? "/choose-password" : next || "/clients");
      },
      below: h("p", {}, h("a", { href: `${base}/forgot-password` }, "Forgot password?")),
    })));
}

function forgotView() {
  const answer = h("div", { "aria-live": "polite" });
  const el = form({
    label: "Reset your password",
    className: "form--narrow",
    children: [
      textField({ name: "practice_code", label: "Practice code", required: true, hint: "Your practice's portal code: the part after /p/ in its portal address." }),
      textField({ name: "email", label: "Email", type: "email", autocomplete: "username", required: true, attrs: { autocapitalize: "none" } }),
    ],
    actions: [button("Send reset link", { type: "submit" })],
    onSubmit: async (formEl) => {
      const data = values(formEl);
      const missing = {};
      if (!data.practice_code) missing.practice_code = "Enter your practice's code.";
      if (!data.email) missing.email = "Enter your email address.";
      if (Object.keys(missing).length) { showErrors(formEl, { message: "Please fix the problems below.", fields: missing }); return; }
      try {
        const result = await api.post("/password-resets", { ...data, audience: "staff" }, { refresh: false });
        answer.replaceChildren(callout(result.message, "success"));
      } catch (error) { showErrors(formEl, error); }
    },
  });
  return h("section", { class: "page page--narrow", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Forgot your password?"),
    h("p", { class: "lead" }, "We'll email you a link to choose a new one. It works once, for 24 hours. If you don't get it, ask your practice administrator."),
    answer, h("div", { class: "card" }, el),
    h("p", {}, h("a", { href: `${base}/sign-in` }, "Back to sign in")));
}

const linkCtx = { practice: null, href: (path) => router.href(path), navigate: (path) => router.navigate(path) };

function choosePasswordView() {
  return h("section", { class: "page page--narrow", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Choose a new password"),
    h("p", { class: "lead" }, "Replace the temporary password you were given with one only you know."),
    h("div", { class: "card" }, passwordForm({
      forced: true,
      onChanged: async () => {
        try { state.principal = await api.get("/session"); } catch { /* keep */ }
        if (state.principal) state.principal.must_change_password = false;
        flash("Your new password is saved.");
        router.navigate("/clients");
      },
    })));
}

const router = createRouter({
  base,
  outlet,
  siteName,
  routes: [
    { path: "/sign-in", title: "Sign in", view: signInView },
    { path: "/choose-password", title: "Choose a new password", view: choosePasswordView },
    { path: "/clients", title: "Clients", view: (args) => clientsView({ ...args, ctx }) },
    { path: "/clients/new", title: "Add a client", view: (args) => newClientView({ ...args, ctx }) },
    { path: "/clients/:id", title: (heading) => (heading ? heading.textContent : "Client"), view: (args) => clientView({ ...args, ctx }) },
    { path: "/alerts", title: "Alerts", view: (args) => alertsView({ ...args, ctx }) },
    { path: "/messages", title: "Messages", view: (args) => messagesView({ ...args, ctx }) },
    { path: "/messages/new", title: "New conversation", view: (args) => newConversationView({ ...args, ctx }) },
    { path: "/messages/:id", title: (heading) => (heading ? heading.textContent : "Conversation"), view: (args) => conversationView({ ...args, ctx }) },
    { path: "/requests", title: "Appointment requests", view: (args) => requestsView({ ...args, ctx }) },
    { path: "/scheduling", title: "Scheduling setup", view: (args) => schedulingView({ ...args, ctx }) },
    ...chartRoutes(ctx),
    { path: "/portal-access", title: "Portal access", view: (args) => accessListView({ ...args, ctx }) },
    { path: "/settings", title: "Portal settings", view: (args) => settingsView({ ...args, ctx }) },
    { path: "/emails", title: "Emails", view: (args) => emailsView({ ...args, ctx }) },
    { path: "/emails/:kind", title: (heading) => (heading ? heading.textContent : "Email"), view: (args) => emailTemplateView({ ...args, ctx }) },
    { path: "/audit", title: "Audit log", view: (args) => auditView({ ...args, ctx }) },
    { path: "/operations", title: "Operations", view: (args) => opsView({ ...args, ctx }) },
    { path: "/team", title: "Staff", view: (args) => teamView({ ...args, ctx }) },
    { path: "/roles", title: "Role permissions", view: (args) => rolesView({ ...args, ctx }) },
    { path: "/security", title: "Security", view: () => securityView({ who: "staff" }) },
    { path: "/forgot-password", title: "Forgot your password?", view: forgotView },
    { path: "/:code/reset/:token", title: "Choose a new password", view: (args) => resetView({ ...args, ctx: linkCtx }) },
  ],
  notFound: () => h("section", { class: "page" }, h("h1", {}, "Page not found"),
    h("p", {}, "That page doesn't exist. ", h("a", { href: `${base}/clients` }, "Go to Clients"), ".")),
  guard: (path) => {
    if (isPublic(path)) return null;
    if (!state.principal) {
      if (path !== "/sign-in") { state.next = path === "/" || path === "/choose-password" ? null : path + location.search; return "/sign-in"; }
      return null;
    }
    if (mustChange()) return path === "/choose-password" ? null : "/choose-password";
    if (path === "/" || path === "/sign-in" || path === "/choose-password") return "/clients";
    return null;
  },
  onRender: (path) => { renderNav(path); showFlash(); refreshUnread(); },
});

onUnauthenticated(() => {
  if (!state.principal) return;
  forget();
  flash("Your session has ended. Please sign in again.", "warning");
  router.navigate("/sign-in");
});

async function boot() {
  try {
    const principal = await api.get("/session");
    if (principal && principal.kind === "staff") state.principal = principal;
  } catch { /* not signed in */ }
  if (state.principal) startSignedIn();
  router.start();
}

boot();
