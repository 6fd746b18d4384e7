// The client portal at /p/<code> — or at the practice's own address
// https://<subdomain>.<base domain>/, where the gateway tells us the practice — : the
// practice's branding (logo, colours, title) on every page, sign in, the forced "choose a
// private password" step, "My details", "Appointments", sign out and idle sign-out.

import { api, onUnauthenticated, seg } from "../api.js";
import { createRouter } from "../router.js";
import { h, replace } from "../ui/dom.js";
import { startIdleWatch } from "../ui/idle.js";
import { callout, flash, showFlash } from "../ui/notice.js";
import { applyAccent, applyTheme } from "../ui/theme.js";
import { choosePasswordView, signInView } from "./access.js";
import { forgotView, inviteView, resetView } from "./links.js";
import { chartNavLinks, chartRoutes } from "./chart/pages.js";
import { allows, homeView, peopleView } from "./people.js";
import { appointmentsNavLink, appointmentsView } from "./appointments.js";
import { requestView } from "./booking.js";
import { conversationView, messagesNavLink, messagesView, newMessageView } from "./messages.js";
import { securityView } from "../ui/twofactor.js";

// Pages anyone may open, signed in or not (they come from emailed links).
const PUBLIC = [/^\/invite\/[^/]+$/, /^\/reset\/[^/]+$/, /^\/forgot-password$/];
const isPublic = (path) => PUBLIC.some((re) => re.test(path));
const CLIENT_KEY = "haven-portal-client";

// Under /p/<code> the address names the practice; on its own address the pages sit at /.
const onPath = location.pathname === "/p" || location.pathname.startsWith("/p/");
const segment = onPath ? location.pathname.split("/")[2] || "" : "";
let code = decodeURIComponent(segment);
const base = onPath ? `/p/${segment}` : "";
const home = base || "/";

const state = { practice: null, principal: null, idle: null, next: null, messaging: false, unread: 0 };

const outlet = document.getElementById("view");
const siteName = () => (state.practice ? state.practice.name : "Client portal");

function showLogo(practice) {
  const brand = document.getElementById("brand");
  const old = document.getElementById("brand-logo");
  if (old) old.remove();
  if (!practice.logo_url) return;
  // The title names the practice as it presents itself; the name follows in text anyway.
  const logo = h("img", { id: "brand-logo", class: "masthead__logo", src: practice.logo_url,
    alt: practice.title || practice.name, decoding: "async" });
  logo.addEventListener("error", () => logo.remove());
  brand.prepend(logo);
  brand.classList.add("masthead__brand--logo");
}

function showBranding(practice) {
  applyTheme(practice.theme_color);
  applyAccent(practice.accent_color, practice.accent_text_color);
  document.getElementById("brand-name").textContent = practice.name;
  document.getElementById("brand").setAttribute("href", home);
  showLogo(practice);
  const title = document.getElementById("practice-title");
  const instructions = document.getElementById("practice-instructions");
  title.textContent = practice.title || "";
  instructions.textContent = practice.instructions || "";
  title.hidden = !practice.title;
  instructions.hidden = !practice.instructions;
  document.getElementById("practice").hidden = !practice.title && !practice.instructions;
  document.getElementById("footer-text").textContent =
    `Your information is private and sent securely to ${practice.name}.`;
}

function isOurs(principal) {
  return principal && principal.kind !== "staff" &&
    (!principal.practice || !principal.practice.code || principal.practice.code === code);
}

const mustChange = () => Boolean(state.principal && state.principal.must_change_password);

function renderNav(path) {
  const nav = document.getElementById("account-nav");
  if (!state.principal) {
    nav.replaceChildren();
    return;
  }
  const items = [];
  if (!mustChange()) {
    // Only what the chosen person's access allows (a contact's grant may allow little).
    const chosen = currentClient();
    const [chartLink, documentsLink, uploadsLink] = chartNavLinks(base, path);
    const information = !chosen || allows(chosen, "manage_information");
    const documentation = !chosen || allows(chosen, "manage_documentation");
    items.push(h("li", {}, h("a", { href: home, class: "masthead__link", "aria-current": path === "/" ? "page" : null }, information ? "My details" : "Home")));
    if (information) items.push(chartLink);
    if (chosen && allows(chosen, "view_appointments")) items.push(appointmentsNavLink(base, path));
    if (documentation) items.push(documentsLink, uploadsLink);
    if (state.messaging) items.push(messagesNavLink(base, path, state.unread));
    if (profiles().length > 1 || state.principal.kind === "contact") {
      items.push(h("li", {}, h("a", { href: `${base}/people`, class: "masthead__link", "aria-current": path === "/people" ? "page" : null }, "People")));
    }
    items.push(h("li", {}, h("a", { href: `${base}/security`, class: "masthead__link", "aria-current": path === "/security" ? "page" : null }, "Security")));
    const person = currentClient();
    if (person && profiles().length > 1) {
      items.unshift(h("li", { class: "masthead__who" }, h("span", { class: "visually-hidden" }, "Acting for "), `For: ${person.name || "—"}`));
    }
  }
  items.push(h("li", {}, h("button", { type: "button", class: "masthead__button", on: { click: () => signOut() } }, "Sign out")));
  replace(nav,
    state.principal.name ? h("p", { class: "masthead__who" }, h("span", { class: "visually-hidden" }, "Signed in as "), state.principal.name) : null,
    h("ul", { class: "masthead__list" }, items));
}

// Messages in the nav, with the unread count, once messaging says it is on for this
// practice; asked again after every page (a read or a reply changes it).
async function refreshUnread(path) {
  if (!state.principal || mustChange()) return;
  try {
    const { unread, enabled } = await api.get("/messaging/unread");
    if (enabled === state.messaging && unread === state.unread) return;
    state.messaging = Boolean(enabled);
    state.unread = unread || 0;
    renderNav(path);
  } catch { /* messaging not answering: the nav stays as it was */ }
}

function startIdle() {
  if (state.idle) state.idle.stop();
  // A practice may set its own limit (idle_timeout_minutes); the warning comes 2 minutes before.
  const minutes = Number(state.practice.idle_timeout_minutes);
  const signOutAfter = (Number.isFinite(minutes) && minutes >= 3 ? minutes : 15) * 60;
  state.idle = startIdleWatch({
    warnAfter: signOutAfter - 120,
    signOutAfter,
    onTimeout: () => signOut(`You were signed out after ${signOutAfter / 60} minutes without activity, to protect your privacy.`, "info"),
    onStay: () => api.get("/session").catch(() => {}),
  });
}

function forget() {
  state.principal = null;
  try { sessionStorage.removeItem(CLIENT_KEY); } catch { /* private mode */ }
  if (state.idle) { state.idle.stop(); state.idle = null; }
}

async function signOut(message = "You have signed out. Thank you.", kind = "success") {
  forget(); // first, so a 401 here isn't taken for "your session has ended"
  try { await api.del("/session"); } catch { /* signed out either way */ }
  flash(message, kind);
  router.navigate("/sign-in");
}

async function signedIn(result) {
  state.principal = result.principal || (await api.get("/session"));
  if (result.must_change_password) state.principal.must_change_password = true;
  startIdle();
  const next = state.next;
  state.next = null;
  router.navigate(mustChange() ? "/choose-password" : next || "/");
}

/** The clients this sign-in acts for (several when clients are linked to the account). */
function profiles() {
  return (state.principal && state.principal.clients) || [];
}

function currentClient() {
  const list = profiles();
  let chosen = null;
  try { chosen = sessionStorage.getItem(CLIENT_KEY); } catch { /* private mode */ }
  return list.find((c) => c.client_id === chosen) || list[0] || null;
}

function chooseClient(clientId) {
  try { sessionStorage.setItem(CLIENT_KEY, clientId); } catch { /* private mode */ }
}

const ctx = {
  get practice() { return state.practice; },
  get principal() { return state.principal; },
  href: (path) => router.href(path),
  navigate: (path) => router.navigate(path),
  profiles,
  currentClient,
  chooseClient: (clientId, path) => { chooseClient(clientId); if (path) router.navigate(path); else router.reload(); },
  reloadPrincipal: async () => {
    state.principal = await api.get("/session");
    return state.principal;
  },
  signedIn,
  passwordChanged: async () => {
    try { state.principal = await api.get("/session"); } catch { /* keep what we have */ }
    if (state.principal) state.principal.must_change_password = false;
    flash("Your new password is saved. Use it next time you sign in.");
    router.navigate("/");
  },
};

const router = createRouter({
  base,
  outlet,
  siteName,
  routes: [
    { path: "/", title: (heading) => (heading ? heading.textContent : "My details"), view: (args) => homeView({ ...args, ctx }) },
    { path: "/people", title: "People", view: (args) => peopleView({ ...args, ctx }) },
    { path: "/appointments", title: (heading) => (heading ? heading.textContent : "Appointments"), view: (args) => appointmentsView({ ...args, ctx }) },
    { path: "/appointments/request", title: "Request an appointment", view: (args) => requestView({ ...args, ctx }) },
    { path: "/messages", title: "Messages", view: (args) => messagesView({ ...args, ctx }) },
    { path: "/messages/new", title: "New message", view: (args) => newMessageView({ ...args, ctx }) },
    { path: "/messages/:id", title: (heading) => (heading ? heading.textContent : "Conversation"), view: (args) => conversationView({ ...args, ctx }) },
    { path: "/security", title: "Security", view: () => securityView({ who: "portal" }) },
    ...chartRoutes(ctx),
    { path: "/sign-in", title: "Sign in", view: (args) => signInView({ ...args, ctx }) },
    { path: "/choose-password", title: "Choose a private password", view: (args) => choosePasswordView({ ...args, ctx }) },
    { path: "/invite/:token", title: "Create your account", view: (args) => inviteView({ ...args, ctx }) },
    { path: "/forgot-password", title: "Forgot your password?", view: (args) => forgotView({ ...args, ctx }) },
    { path: "/reset/:token", title: "Choose a new password", view: (args) => resetView({ ...args, ctx }) },
  ],
  notFound: () => h("section", { class: "page" },
    h("h1", {}, "Page not found"),
    h("p", {}, "That page doesn't exist. ", h("a", { href: home }, "Go to My details"), ".")),
  guard: (path) => {
    if (isPublic(path) && !(state.principal && path === "/forgot-password")) return null;
    if (!state.principal) {
      if (path !== "/sign-in") { state.next = path === "/choose-password" ? null : path; return "/sign-in"; }
      return null;
    }
    if (mustChange()) return path === "/choose-password" ? null : "/choose-password";
    if (path === "/sign-in" || path === "/choose-password") return "/";
    return null;
  },
  onRender: (path) => { renderNav(path); showFlash(); refreshUnread(path); },
});

onUnauthenticated(() => {
  if (!state.principal) return;
  forget();
  flash("Your session has ended. Please sign in again.", "warning");
  router.navigate("/sign-in");
});

function fatal(title, message, retry) {
  document.title = `${title} – Client portal`;
  replace(outlet, h("section", { class: "page" }, h("h1", {}, title), callout(message, "warning"),
    retry ? h("p", {}, h("button", { type: "button", class: "button button--secondary", on: { click: () => location.reload() } }, "Try again")) : null));
}

async function boot() {
  try {
    state.practice = await api.get(onPath ? `/practices/${seg(code)}` : "/practice", { refresh: false });
    code = state.practice.code;
  } catch (error) {
    if (error.status === 404) {
      fatal("Portal not found", "We couldn't find a practice at this address. Please check the link your practice sent you.");
    } else {
      fatal("We couldn't load the portal", error.message, true);
    }
    return;
  }
  showBranding(state.practice);
  if (state.practice.portal_enabled === false) {
    fatal("The portal is not available", `${state.practice.name}'s online portal isn't available right now. Please contact the practice.`);
    return;
  }
  try {
    const principal = await api.get("/session");
    if (isOurs(principal)) state.principal = principal;
  } catch { /* not signed in */ }
  if (state.principal) startIdle();
  router.start();
}

boot();
