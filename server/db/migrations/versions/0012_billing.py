"""billing: rate cards, storage snapshots, billable events, invoices and credit notes

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db.base import UtcDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    big = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "billing_rate_cards",
        sa.Column("owner_id", big, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("minimum_monthly", sa.Numeric(14, 2), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("id", big, autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"], name=op.f("fk_billing_rate_cards_owner_id_owners")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_rate_cards")),
    )
    op.create_index(op.f("ix_billing_rate_cards_owner_id"), "billing_rate_cards", ["owner_id"])
    op.create_table(
        "billing_rates",
        sa.Column("rate_card_id", big, nullable=False),
        sa.Column("charge_code", sa.String(length=40), nullable=False),
        sa.Column("rate", sa.Numeric(14, 4), nullable=False),
        sa.Column("id", big, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["rate_card_id"],
            ["billing_rate_cards.id"],
            name=op.f("fk_billing_rates_rate_card_id_billing_rate_cards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_rates")),
        sa.UniqueConstraint("rate_card_id", "charge_code", name=op.f("uq_billing_rates_rate_card_id_charge_code")),
    )
    op.create_index(op.f("ix_billing_rates_rate_card_id"), "billing_rates", ["rate_card_id"])
    op.create_table(
        "billing_storage_snapshots",
        sa.Column("owner_id", big, nullable=False),
        sa.Column("warehouse_id", big, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("pallets", sa.Integer(), nullable=False),
        sa.Column("locations", sa.Integer(), nullable=False),
        sa.Column("volume_m3", sa.Numeric(14, 6), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("id", big, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"], name=op.f("fk_billing_storage_snapshots_owner_id_owners")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_billing_storage_snapshots_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_storage_snapshots")),
        sa.UniqueConstraint(
            "owner_id", "warehouse_id", "day", name=op.f("uq_billing_storage_snapshots_owner_id_warehouse_id_day")
        ),
    )
    op.create_index(op.f("ix_billing_storage_snapshots_owner_id"), "billing_storage_snapshots", ["owner_id"])
    op.create_index(op.f("ix_billing_storage_snapshots_day"), "billing_storage_snapshots", ["day"])
    op.create_table(
        "billing_events",
        sa.Column("owner_id", big, nullable=False),
        sa.Column("warehouse_id", big, nullable=True),
        sa.Column("charge_code", sa.String(length=40), nullable=False),
        sa.Column("qty", sa.Numeric(16, 6), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source_type", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("source_ref", sa.String(length=80), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("id", big, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"], name=op.f("fk_billing_events_owner_id_owners")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_billing_events_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_events")),
        sa.UniqueConstraint(
            "owner_id",
            "charge_code",
            "source_type",
            "source_id",
            name=op.f("uq_billing_events_owner_id_charge_code_source_type_source_id"),
        ),
    )
    op.create_index("ix_billing_events_owner_day", "billing_events", ["owner_id", "day"])
    op.create_table(
        "billing_invoices",
        sa.Column("number", sa.String(length=48), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("invoice", "credit_note", name="invoice_kind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("draft", "issued", name="invoice_status", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("owner_id", big, nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("period_key", sa.String(length=40), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", sa.Numeric(14, 2), nullable=False),
        sa.Column("credit_of_id", big, nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("id", big, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"], name=op.f("fk_billing_invoices_owner_id_owners")),
        sa.ForeignKeyConstraint(
            ["credit_of_id"], ["billing_invoices.id"], name=op.f("fk_billing_invoices_credit_of_id_billing_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_billing_invoices_number")),
        sa.UniqueConstraint("period_key", name=op.f("uq_billing_invoices_period_key")),
    )
    op.create_index(op.f("ix_billing_invoices_owner_id"), "billing_invoices", ["owner_id"])
    op.create_index(op.f("ix_billing_invoices_credit_of_id"), "billing_invoices", ["credit_of_id"])
    op.create_table(
        "billing_invoice_lines",
        sa.Column("invoice_id", big, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("charge_code", sa.String(length=40), nullable=False),
        sa.Column("qty", sa.Numeric(16, 6), nullable=False),
        sa.Column("rate", sa.Numeric(14, 4), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("credits_line_id", big, nullable=True),
        sa.Column("id", big, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["billing_invoices.id"],
            name=op.f("fk_billing_invoice_lines_invoice_id_billing_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["credits_line_id"],
            ["billing_invoice_lines.id"],
            name=op.f("fk_billing_invoice_lines_credits_line_id_billing_invoice_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_invoice_lines")),
        sa.UniqueConstraint("invoice_id", "seq", name=op.f("uq_billing_invoice_lines_invoice_id_seq")),
    )
    op.create_index(op.f("ix_billing_invoice_lines_invoice_id"), "billing_invoice_lines", ["invoice_id"])
    op.create_table(
        "billing_invoice_line_events",
        sa.Column("line_id", big, nullable=False),
        sa.Column("event_id", big, nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["billing_invoice_lines.id"],
            name=op.f("fk_billing_invoice_line_events_line_id_billing_invoice_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["billing_events.id"], name=op.f("fk_billing_invoice_line_events_event_id_billing_events")
        ),
        sa.PrimaryKeyConstraint("line_id", "event_id", name=op.f("pk_billing_invoice_line_events")),
    )
    op.create_index(op.f("ix_billing_invoice_line_events_event_id"), "billing_invoice_line_events", ["event_id"])


def downgrade() -> None:
    op.drop_table("billing_invoice_line_events")
    op.drop_table("billing_invoice_lines")
    op.drop_table("billing_invoices")
    op.drop_table("billing_events")
    op.drop_table("billing_storage_snapshots")
    op.drop_table("billing_rates")
    op.drop_table("billing_rate_cards")
