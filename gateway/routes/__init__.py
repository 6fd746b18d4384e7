"""HTTP handlers, one module per area; each offers a RouteTable named `table`."""
from gateway.routes import access, admin, alerts, clients, health, me, practices, session, web

TABLES = [health.table, practices.table, session.table, me.table, clients.table,
          access.table, admin.table, alerts.table, web.table]
