"""Alembic environment of charts: its own history, its own database."""
from services.charts.models import Base
from services.common.migrations import run_env

run_env(Base.metadata)
