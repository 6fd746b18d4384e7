"""Every service's alembic history builds exactly the schema its models declare,
on SQLite and on PostgreSQL (a model change without its migration fails here)."""
import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from services.common.migrations import SERVICES, upgrade


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_match_the_models(service, database_url):
    upgrade(service, database_url)
    base = importlib.import_module(f"services.{service}.models").Base
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), base.metadata)
    engine.dispose()
    assert diff == []


def test_make_run_migrates_the_database_its_environment_names(monkeypatch, tmp_path,
                                                              database_url_factory):
    from scripts.stack import Stack
    from sqlalchemy import inspect
    url = database_url_factory("postgresql")
    monkeypatch.setenv("NOTIFY_DATABASE_URL", url)
    stack = Stack(var_dir=tmp_path, services=("notify",))
    stack.log_dir.mkdir(parents=True)
    stack.migrate()  # the same subprocess `make run` starts
    engine = create_engine(url)
    try:
        assert {"alembic_version", "alerts", "outbox"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert not (tmp_path / "notify.db").exists()
