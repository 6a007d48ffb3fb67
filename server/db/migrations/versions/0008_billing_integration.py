"""billing integration

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 06:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db.base import UtcDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    big = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "webhook_subscriptions",
        sa.Column("owner_id", big, nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("id", big, autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"], name=op.f("fk_webhook_subscriptions_owner_id_owners")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    op.create_index(op.f("ix_webhook_subscriptions_owner_id"), "webhook_subscriptions", ["owner_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("subscription_id", big, nullable=False),
        sa.Column("event_id", big, nullable=False),
        sa.Column("owner_id", big, nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "delivered", "dead", name="webhook_delivery_status", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("id", big, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["outbox_events.id"], name=op.f("fk_webhook_deliveries_event_id_outbox_events")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"], name=op.f("fk_webhook_deliveries_owner_id_owners")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_sub_event"),
    )
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_webhook_deliveries_key", "webhook_deliveries", ["subscription_id", "key", "status"])
    op.create_index(op.f("ix_webhook_deliveries_owner_id"), "webhook_deliveries", ["owner_id"])


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_subscriptions")
