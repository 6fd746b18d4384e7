"""Alembic environment of billing: its own history, its own database."""
from services.common.migrations import run_env
from services.billing.models import Base

run_env(Base.metadata)
