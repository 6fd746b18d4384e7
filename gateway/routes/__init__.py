"""HTTP handlers, one module per area; each offers a RouteTable named `table`."""
from gateway.routes import alerts, clients, health, me, practices, session, web

TABLES = [health.table, practices.table, session.table, me.table, clients.table,
          alerts.table, web.table]
