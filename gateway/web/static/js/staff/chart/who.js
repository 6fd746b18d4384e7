// Who made a chart change, by name: charts records only the actor's kind and id, so the
// console looks the person up with routes it already has — the practice's contacts (with
// their grants, to say "guardian") and, for a client portal account, the account's own
// client (a parent who is a client too may act for a child through a linked account).

import { api, seg } from "../../api.js";

/**
 * A namer for one page: `await namer.load(revisionsOrBatches)` fetches what it needs once,
 * then `namer.name({actor_kind, actor_id, client_id}, clientName)` answers a sentence
 * fragment such as "Jane Newman (legal guardian)", "You (Dana Whitfield, staff)" or
 * "Dana Whitfield (staff)" (from `GET /clinicians`, when the viewer may read it).
 */
export function actorNamer(principal) {
  const contacts = new Map();   // contact id -> {name, grants}
  const accounts = new Map();   // account id -> {name, client_id} of its own client
  const staff = new Map();      // staff id -> name (the practice's active members)
  let contactsLoaded = false;
  let staffLoaded = false;

  async function load(items) {
    const list = items || [];
    if (!contactsLoaded && list.some((r) => r.actor_kind === "contact")) {
      contactsLoaded = true;
      try {
        const found = await api.get("/contacts");
        for (const c of (found && found.items) || []) contacts.set(c.contact_id, c);
      } catch { /* named by kind only */ }
    }
    if (!staffLoaded && list.some((r) => r.actor_kind === "staff" && !(principal && r.actor_id === principal.id))) {
      staffLoaded = true;
      try {   // active members, names only; a former member (or without the permission) stays "Staff"
        for (const s of (await api.get("/clinicians")) || []) staff.set(s.id, s.name);
      } catch { /* named by kind only */ }
    }
    const ids = [...new Set(list.filter((r) => r.actor_kind === "client" && r.actor_id && !accounts.has(r.actor_id)).map((r) => r.actor_id))];
    await Promise.all(ids.map(async (id) => {
      try {
        const account = await api.get(`/portal-accounts/${seg(id)}`);
        const own = (account.clients || []).find((c) => c.own) || {};
        accounts.set(id, { name: own.name, client_id: own.client_id });
      } catch {
        accounts.set(id, null);
      }
    }));
  }

  function name(item, clientName) {
    const kind = item.actor_kind;
    if (kind === "staff") {
      if (principal && item.actor_id === principal.id) return principal.name ? `You (${principal.name}, staff)` : "You";
      return staff.has(item.actor_id) ? `${staff.get(item.actor_id)} (staff)` : "Staff";
    }
    if (kind === "system") return "Haven";
    if (kind === "contact") {
      const contact = contacts.get(item.actor_id);
      if (!contact) return "A contact (portal)";
      const grant = (contact.grants || []).find((g) => g.client_id === item.client_id);
      return `${contact.name} (${grant && grant.guardian ? "legal guardian" : "contact"}, portal)`;
    }
    if (kind === "client") {
      const account = accounts.get(item.actor_id);
      if (!account || account.client_id === item.client_id) return `${clientName || (account && account.name) || "The client"} (client, portal)`;
      return `${account.name || "Another client"} (acting for the client, portal)`;
    }
    return kind || "—";
  }

  return { load, name };
}
