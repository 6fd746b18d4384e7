"""Alembic environment of scheduling: its own history, its own database."""
from services.common.migrations import run_env
from services.scheduling.models import Base

run_env(Base.metadata)
