"""HTTP handlers, one module per area; each offers a RouteTable named `table`."""
from gateway.routes import access, admin, alerts, clients, health, me, practices, session, web
from gateway.routes import appointments, branding, chart, documents
from gateway.routes import contacts, ops, security, team

TABLES = [health.table, practices.table, session.table, me.table, clients.table,
          access.table, admin.table, branding.table, alerts.table, chart.table, documents.table,
          appointments.table,
          contacts.table, team.table, security.table, ops.table, web.table]
