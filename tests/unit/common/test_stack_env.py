"""`make run` honours <SERVICE>_DATABASE_URL (ARCHITECTURE.md, "Data")."""
from scripts.stack import Stack

PG = "postgresql+psycopg2://haven@db.example/identity"


def test_database_url_from_the_environment_wins_over_the_sqlite_default(monkeypatch, tmp_path):
    monkeypatch.setenv("IDENTITY_DATABASE_URL", PG)
    monkeypatch.delenv("CHARTS_DATABASE_URL", raising=False)
    env = Stack(var_dir=tmp_path, services=("identity", "charts")).env()
    assert env["IDENTITY_DATABASE_URL"] == PG
    assert env["CHARTS_DATABASE_URL"] == f"sqlite:///{tmp_path.resolve() / 'charts.db'}"


def test_an_explicit_url_wins_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("IDENTITY_DATABASE_URL", PG)
    stack = Stack(var_dir=tmp_path, services=("identity",),
                  database_urls={"identity": "sqlite:///elsewhere.db"})
    assert stack.env()["IDENTITY_DATABASE_URL"] == "sqlite:///elsewhere.db"


def test_an_empty_variable_means_the_default(monkeypatch, tmp_path):
    monkeypatch.setenv("IDENTITY_DATABASE_URL", "")
    env = Stack(var_dir=tmp_path, services=("identity",)).env()
    assert env["IDENTITY_DATABASE_URL"].startswith("sqlite:///")
