// Portal pages for getting in: sign in, and the forced "choose a private password" step.

import { h } from "../ui/dom.js";
import { passwordForm } from "../ui/password.js";
import { signInForm } from "../ui/signin.js";

const DEFAULT_HELP = "Please call the practice and they will help you reset it.";

export function signInView({ ctx }) {
  const { practice } = ctx;
  const help = h("div", {},
    h("p", {}, h("a", { href: ctx.href("/forgot-password") }, "Forgot password?")),
    h("p", { class: "meta prewrap" }, practice.password_help || DEFAULT_HELP));
  return h("section", { class: "page page--narrow", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Sign in"),
    h("p", { class: "lead" }, `Sign in to your ${practice.name} client portal.`),
    h("div", { class: "card" },
      signInForm({ audience: "portal", practiceCode: practice.code, onSignedIn: ctx.signedIn, below: help })));
}

export function choosePasswordView({ ctx }) {
  return h("section", { class: "page page--narrow", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Choose a private password"),
    h("p", { class: "lead" },
      "For your privacy, replace the temporary password the practice gave you with one only you know. " +
      "You'll use it each time you sign in."),
    h("div", { class: "card" }, passwordForm({ forced: true, onChanged: ctx.passwordChanged })));
}
