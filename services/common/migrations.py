"""Alembic, one history per service, run by `python -m services.common.migrations`.

`make run` applies them before starting anything; in production this is a job of its
own, not something every replica does at start.
"""
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from services.common import config as settings

SERVICES = ("identity", "charts", "notify")


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
    engine = create_engine(url, poolclass=NullPool)
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


if __name__ == "__main__":
    sys.exit(main())
