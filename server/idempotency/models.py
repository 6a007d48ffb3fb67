"""Stored first replies of idempotent writes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, UtcDateTime, utcnow


class IdempotentReply(IdMixin, Base):
    """The first reply to a write sent with an ``Idempotency-Key``, unique per caller and key.

    Written in the same transaction as the write itself, so either both exist or neither does.
    """

    __tablename__ = "idempotent_replies"
    __table_args__ = (UniqueConstraint("caller", "key"),)

    caller: Mapped[str] = mapped_column(String(64))  # "user:12", "device:3/user:12", "apikey:4"
    key: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column()
    content_type: Mapped[str] = mapped_column(String(100), default="application/json")
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
