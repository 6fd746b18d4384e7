"""Column types shared by every service's models."""
import json
import uuid
from datetime import timezone

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike.

    SQLite drops the zone even with DateTime(timezone=True) (STYLE.md, trap 12), so the
    value is stored naive in UTC and the zone is put back on the way out.
    """
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Haven stores aware UTC times only")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def new_id():
    return str(uuid.uuid4())


def uuid_pk():
    """A string uuid primary key column, portable across SQLite and PostgreSQL."""
    from sqlalchemy.orm import mapped_column
    return mapped_column(String(36), primary_key=True, default=new_id)


JSONData = JSON
__all__ = ["UTCDateTime", "JSONData", "new_id", "uuid_pk", "json"]
