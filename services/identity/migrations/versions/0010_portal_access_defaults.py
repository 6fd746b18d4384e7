"""role defaults (issue 18): who manages portal access widened to the scheduler,
clinician, intern and supervisor roles. Practices that exist keep exactly what their staff
could do: a removal row for each newly granted role, unless the practice had already
decided for that role. Practices made from now on get the new defaults. (`sees_clients`
is new: it holds for clinicians, supervisors and interns everywhere.)

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

WIDENED = ("scheduler", "clinician", "intern", "supervisor")


def upgrade():
    conn = op.get_bind()
    practices = [row[0] for row in conn.execute(sa.text("SELECT id FROM practices"))]
    decided = {(row[0], row[1]) for row in conn.execute(sa.text(
        "SELECT practice_id, role FROM role_permissions "
        "WHERE permission = 'manage_portal_access'"))}
    rows = [{"p": pid, "r": role} for pid in practices for role in WIDENED
            if (pid, role) not in decided]
    if rows:
        conn.execute(sa.text("INSERT INTO role_permissions (practice_id, role, permission, "
                             "granted) VALUES (:p, :r, 'manage_portal_access', false)"), rows)


def downgrade():
    # the old defaults did not grant it: the removal rows change nothing there
    op.execute("DELETE FROM role_permissions WHERE permission = 'manage_portal_access' "
               "AND granted = false AND role IN ('scheduler', 'clinician', 'intern', "
               "'supervisor')")
