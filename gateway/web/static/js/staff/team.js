// Staff administration (administrators, `manage_staff`): the staff list with role and
// status, inviting a staff member (an email with a link to choose a password), changing a
// role, suspending; and "Role permissions", a matrix of roles × permissions.

import { api, seg } from "../api.js";
import { h, replace } from "../ui/dom.js";
import { button, form, selectField, showErrors, textField, values } from "../ui/forms.js";
import { notify } from "../ui/notice.js";

export const ROLE_WORDS = {
  practice_admin: "Practice administrator", clinical_admin: "Clinical administrator",
  clinician: "Clinician", supervisor: "Supervisor", intern: "Intern", scheduler: "Scheduler",
  biller: "Biller", intake: "Intake staff",
};
export const PERMISSION_WORDS = {
  manage_portal_access: "Invite clients and manage portal access",
  view_clients: "See clients",
  edit_clients: "Edit clients' details",
  receives_demographic_changes: "Receives portal demographic changes",
  manage_staff: "Manage staff and roles",
  view_operations: "See operations",
  manage_practice_settings: "Change practice settings",
  view_audit_log: "Read the audit log",
  receives_portal_uploads: "Receives portal uploads",
  upload_client_documents: "Upload and share client documents",
  manage_appointments: "Book and cancel appointments",
  sees_clients: "Sees clients (can be booked)",
};
const STATUS = { invited: "Invited", active: "Active", suspended: "Suspended", inactive: "Ended" };

function tag(status) {
  const shape = { active: "●", invited: "◆" }[status] || "■";
  return h("span", { class: `status-tag status-tag--${status}` }, h("span", { "aria-hidden": "true" }, shape), " ", STATUS[status] || status);
}

function roleOptions() {
  return Object.entries(ROLE_WORDS);
}

function memberRow(member, me, reload) {
  const own = me && member.id === me.id;
  const roleSelect = h("select", { class: "input select", name: "role", id: `role-${member.id}`, "aria-label": `Role of ${member.name}` },
    roleOptions().map(([v, l]) => h("option", { value: v, selected: v === member.role }, l)));
  const actions = [];
  if (!own && member.status !== "inactive") {
    actions.push(button("Change role", { kind: "secondary", attrs: { "aria-label": `Change role of ${member.name}` }, onClick: async () => {
      try {
        await api.patch(`/staff/${seg(member.id)}`, { role: roleSelect.value });
        notify(`${member.name} is now ${ROLE_WORDS[roleSelect.value]}. Their open sessions ended.`);
        await reload();
      } catch (error) { notify(error.message, "error"); }
    } }));
  }
  const setStatus = (status, done) => async () => {
    try {
      await api.patch(`/staff/${seg(member.id)}`, { status });
      notify(done);
      await reload();
    } catch (error) { notify(error.message, "error"); }
  };
  if (!own && member.status === "active") actions.push(button(`Suspend ${member.name}`, { kind: "danger", onClick: setStatus("suspended", `${member.name} is suspended: every open session ended.`) }));
  if (!own && member.status === "suspended") actions.push(button(`Reactivate ${member.name}`, { kind: "secondary", onClick: setStatus("active", `${member.name} can sign in again.`) }));
  if (!own && member.status === "invited") actions.push(button(`Cancel invitation of ${member.name}`, { kind: "quiet", onClick: setStatus("inactive", `The invitation of ${member.name} no longer works.`) }));
  return h("tr", {},
    h("th", { scope: "row" }, member.name, own ? h("span", { class: "meta" }, " (you)") : null),
    h("td", {}, member.email),
    h("td", {}, own || member.status === "inactive" ? ROLE_WORDS[member.role] || member.role : roleSelect),
    h("td", {}, tag(member.status)),
    h("td", {}, actions.length ? h("div", { class: "toolbar" }, actions) : "—"));
}

function inviteForm(reload) {
  return form({
    label: "Invite a staff member",
    children: [
      h("h2", {}, "Invite a staff member"),
      textField({ name: "name", id: "invite-name", label: "Name" }),
      textField({ name: "email", id: "invite-email", label: "Email", type: "email", attrs: { autocapitalize: "none" },
        hint: "They get an email with a link to choose a password, and add an authenticator app at their first sign-in." }),
      selectField({ name: "role", id: "invite-role", label: "Role", value: "clinician", options: roleOptions() }),
    ],
    actions: [button("Send invitation", { type: "submit" })],
    onSubmit: async (formEl) => {
      const data = values(formEl);
      const missing = {};
      if (!data.name) missing.name = "Enter their name.";
      if (!data.email) missing.email = "Enter their email address.";
      if (Object.keys(missing).length) { showErrors(formEl, { message: "Please fix the problems below.", fields: missing }); return; }
      try {
        await api.post("/staff", data);
        notify(`An invitation was emailed to ${data.email}.`);
        await reload();
      } catch (error) { showErrors(formEl, error); }
    },
  });
}

export async function teamView({ router, ctx }) {
  const list = h("div", {});
  const page = h("section", { class: "page", "aria-labelledby": "page-title" },
    h("h1", { id: "page-title" }, "Staff"),
    h("p", { class: "lead" }, "Who works in Haven for your practice, and their roles. ",
      h("a", { href: router.href("/roles") }, "Role permissions"), " decide what each role may do."),
    h("div", { class: "card" }, list));
  async function reload() {
    const staff = await api.get("/staff");
    replace(list,
      h("div", { class: "table-wrap", role: "region", "aria-label": "Staff (scrolls sideways)", tabindex: "0" },
        h("table", { class: "table", id: "staff-table" }, h("caption", { class: "visually-hidden" }, "Staff"),
          h("thead", {}, h("tr", {}, ["Name", "Email", "Role", "Status", "Actions"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, staff.map((m) => memberRow(m, ctx.principal, reload))))),
      inviteForm(reload));
  }
  await reload();
  return page;
}

export async function rolesView({ router }) {
  let matrix = await api.get("/roles");
  const body = h("div", {});
  const page = h("section", { class: "page", "aria-labelledby": "page-title" },
    h("p", {}, h("a", { href: router.href("/team") }, "← Staff")),
    h("h1", { id: "page-title" }, "Role permissions"),
    h("p", { class: "lead" }, "What each role may do in your practice. A changed box differs from Haven's default (marked *). Removing a permission signs out everyone holding that role."),
    h("div", { class: "card" }, body));

  function render() {
    const el = form({
      label: "Role permissions",
      children: [h("div", { class: "table-wrap", role: "region", "aria-label": "Roles and permissions (scrolls sideways)", tabindex: "0" },
        h("table", { class: "table matrix" },
          h("caption", { class: "visually-hidden" }, "Roles and permissions"),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Permission"),
            matrix.roles.map((r) => h("th", { scope: "col" }, ROLE_WORDS[r.role] || r.role)))),
          h("tbody", {}, matrix.permissions.map((p) => h("tr", {},
            h("th", { scope: "row" }, PERMISSION_WORDS[p] || p),
            matrix.roles.map((r) => {
              const checked = r.permissions.includes(p);
              const changed = checked !== r.defaults.includes(p);
              return h("td", { class: "matrix__cell" },
                h("input", { type: "checkbox", class: "checkbox__input", name: `${r.role}:${p}`, checked,
                  "aria-label": `${ROLE_WORDS[r.role] || r.role}: ${PERMISSION_WORDS[p] || p}` }),
                changed ? h("span", { "aria-hidden": "true" }, "*") : null);
            }))))))],
      actions: [button("Save role permissions", { type: "submit" })],
      onSubmit: async (formEl) => {
        const changedRoles = [];
        for (const r of matrix.roles) {
          const wanted = matrix.permissions.filter((p) => formEl.elements[`${r.role}:${p}`].checked);
          if (wanted.join() !== matrix.permissions.filter((p) => r.permissions.includes(p)).join()) changedRoles.push([r.role, wanted]);
        }
        if (!changedRoles.length) { notify("There are no changes to save.", "info"); return; }
        try {
          for (const [role, permissions] of changedRoles) matrix = await api.put(`/roles/${seg(role)}`, { permissions });
          notify(`Saved: ${changedRoles.map(([role]) => ROLE_WORDS[role]).join(", ")}.`);
          render();
        } catch (error) { showErrors(formEl, error); }
      },
    });
    replace(body, el);
  }
  render();
  return page;
}
