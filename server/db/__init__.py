"""Database: engine and sessions, the declarative base, Alembic migrations."""

from server.db.base import Base, TimestampMixin
from server.db.engine import create_engine, create_session_factory

__all__ = ["Base", "TimestampMixin", "create_engine", "create_session_factory"]
