"""Who may read and who may edit a client's chart. Plain functions on the actor context."""


def require_reader(actor, client_id):
    """Staff with view_clients, or an actor holding that client (any permission)."""
    if actor.is_staff:
        actor.require_staff("view_clients")
    else:
        actor.require_client(client_id)


def require_editor(actor, client_id):
    """Staff with edit_clients, or an actor holding the client with `*` or
    `manage_information`."""
    if actor.is_staff:
        actor.require_staff("edit_clients")
    else:
        actor.require_client(client_id, "manage_information")
