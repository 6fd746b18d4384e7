"""Migration 0010 (issue 18): the defaults of who manages portal access widened to the
scheduler, clinician, intern and supervisor roles. A practice that existed before keeps
exactly what its staff could do (a removal row per newly granted role, unless it had
already decided for that role); a practice made after it gets the new defaults."""
import uuid

from alembic import command
from sqlalchemy import create_engine, text

from services.common.migrations import alembic_config, upgrade

WIDENED = {"scheduler", "clinician", "intern", "supervisor"}


def test_existing_practices_keep_who_manages_portal_access(database_url):
    command.upgrade(alembic_config("identity", database_url), "0009")
    engine = create_engine(database_url)
    old, decided = str(uuid.uuid4()), str(uuid.uuid4())
    with engine.begin() as conn:
        for pid, code in ((old, "old-" + old[:8]), (decided, "dec-" + decided[:8])):
            conn.execute(text("INSERT INTO practices (id, code, name, time_zone, "
                              "portal_enabled, created_at) VALUES (:id, :code, 'P', "
                              "'America/New_York', true, CURRENT_TIMESTAMP)"),
                         {"id": pid, "code": code})
        conn.execute(text("INSERT INTO role_permissions (practice_id, role, permission, "
                          "granted) VALUES (:p, 'clinician', 'manage_portal_access', true)"),
                     {"p": decided})
    upgrade("identity", database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT practice_id, role, granted FROM role_permissions "
                                 "WHERE permission = 'manage_portal_access'")).all()
    engine.dispose()
    assert {(r, g) for p, r, g in rows if p == old} == {(role, False) for role in WIDENED}
    assert {(r, bool(g)) for p, r, g in rows if p == decided} == \
        {("clinician", True)} | {(role, False) for role in WIDENED - {"clinician"}}
