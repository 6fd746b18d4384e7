"""The HTTP API by area: gateway/api/<area>/routes.py holds the handlers (a RouteTable
named `table`), gateway/api/<area>/schemas.py beside it the schemas they validate and
answer with. TABLES is the order the router and the OpenAPI description read them in."""
from gateway.api.access import routes as access
from gateway.api.admin import routes as admin
from gateway.api.alerts import routes as alerts
from gateway.api.appointments import routes as appointments
from gateway.api.branding import routes as branding
from gateway.api.chart import routes as chart
from gateway.api.clients import routes as clients
from gateway.api.contacts import routes as contacts
from gateway.api.documents import routes as documents
from gateway.api.emails import routes as emails
from gateway.api.health import routes as health
from gateway.api.me import routes as me
from gateway.api.messaging import routes as messaging
from gateway.api.ops import routes as ops
from gateway.api.practices import routes as practices
from gateway.api.scheduling import routes as scheduling
from gateway.api.security import routes as security
from gateway.api.session import routes as session
from gateway.api.team import routes as team
from gateway.api.web import routes as web

TABLES = [health.table, practices.table, session.table, me.table, clients.table,
          access.table, admin.table, branding.table, emails.table, alerts.table,
          chart.table, documents.table, appointments.table, scheduling.table,
          messaging.table,
          contacts.table, team.table, security.table, ops.table, web.table]
