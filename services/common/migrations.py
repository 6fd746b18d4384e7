"""Alembic, one history per service, run by `python -m services.common.migrations`.

`make run` applies them before starting anything; in production this is a job of its
own, not something every replica does at start.
"""
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from services.common import config as settings

SERVICES = ("identity", "charts", "notify", "scheduling", "messaging", "billing")


def alembic_config(service, url=None):
    folder = Path(settings.ROOT) / "services" / service / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(folder))
    cfg.set_main_option("sqlalchemy.url", url or settings.database_url(service))
    cfg.attributes["service"] = service
    return cfg


def upgrade(service, url=None):
    command.upgrade(alembic_config(service, url), "head")


def run_env(target_metadata):
    """Body of every service's migrations/env.py."""
    from alembic import context
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url, poolclass=NullPool, hide_parameters=True)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def main(argv=None):
    names = (argv or sys.argv[1:]) or list(SERVICES)
    for name in names:
        upgrade(name)
        print(f"migrated {name}")
    return 0


def create_kernel_tables():
    """The outbox, inbox and failed_deliveries tables (kernel_models), in a service's
    first migration: one definition for every service."""
    import sqlalchemy as sa
    from alembic import op

    op.create_table(
        "failed_deliveries",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("handler", sa.String(length=200), nullable=False),
        sa.Column("queue", sa.String(length=255), nullable=False),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("first_failed_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("parked_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", "handler"))
    op.create_index("ix_failed_deliveries_next_attempt_at", "failed_deliveries",
                    ["next_attempt_at"])
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("handler", sa.String(length=200), nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "handler"))
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_outbox_created_at", "outbox", ["created_at"])
    op.create_index("ix_outbox_sent_at", "outbox", ["sent_at"])


def drop_kernel_tables():
    from alembic import op
    op.drop_index("ix_outbox_sent_at", table_name="outbox")
    op.drop_index("ix_outbox_created_at", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("inbox")
    op.drop_index("ix_failed_deliveries_next_attempt_at", table_name="failed_deliveries")
    op.drop_table("failed_deliveries")


if __name__ == "__main__":
    sys.exit(main())
