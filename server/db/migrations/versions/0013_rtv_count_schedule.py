"""returns to vendor (RTV documents and their lines), the schedule of location/zone/SKU count plans

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db.base import UtcDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    big = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    with op.batch_alter_table("count_plans") as batch:
        batch.add_column(sa.Column("every_days", sa.Integer(), nullable=True))
    op.create_table(
        "vendor_returns",
        sa.Column("owner_id", big, nullable=False),
        sa.Column("warehouse_id", big, nullable=False),
        sa.Column("supplier_id", big, nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column(
            "status", sa.Enum("open", "shipped", name="rtv_status", native_enum=False, length=16), nullable=False
        ),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("tracking", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("shipped_at", UtcDateTime(), nullable=True),
        sa.Column("shipped_by_id", big, nullable=True),
        sa.Column("id", big, autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"], name=op.f("fk_vendor_returns_owner_id_owners")),
        sa.ForeignKeyConstraint(["shipped_by_id"], ["users.id"], name=op.f("fk_vendor_returns_shipped_by_id_users")),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_vendor_returns_supplier_id_suppliers")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_vendor_returns_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_returns")),
        sa.UniqueConstraint("owner_id", "number", name=op.f("uq_vendor_returns_owner_id_number")),
    )
    op.create_index(op.f("ix_vendor_returns_owner_id"), "vendor_returns", ["owner_id"], unique=False)
    op.create_index(op.f("ix_vendor_returns_supplier_id"), "vendor_returns", ["supplier_id"], unique=False)
    op.create_table(
        "vendor_return_lines",
        sa.Column("rtv_id", big, nullable=False),
        sa.Column("receipt_id", big, nullable=True),
        sa.Column("sku_id", big, nullable=False),
        sa.Column("lot", sa.String(length=64), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("stock_id", big, nullable=True),
        sa.Column("id", big, autoincrement=True, nullable=False),
        sa.CheckConstraint("qty > 0", name=op.f("ck_vendor_return_lines_qty_positive")),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["return_receipts.id"], name=op.f("fk_vendor_return_lines_receipt_id_return_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["rtv_id"],
            ["vendor_returns.id"],
            name=op.f("fk_vendor_return_lines_rtv_id_vendor_returns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_vendor_return_lines_sku_id_skus")),
        sa.ForeignKeyConstraint(
            ["stock_id"], ["stock.id"], name=op.f("fk_vendor_return_lines_stock_id_stock"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_return_lines")),
    )
    op.create_index(op.f("ix_vendor_return_lines_rtv_id"), "vendor_return_lines", ["rtv_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_vendor_return_lines_rtv_id"), table_name="vendor_return_lines")
    op.drop_table("vendor_return_lines")
    op.drop_index(op.f("ix_vendor_returns_supplier_id"), table_name="vendor_returns")
    op.drop_index(op.f("ix_vendor_returns_owner_id"), table_name="vendor_returns")
    op.drop_table("vendor_returns")
    with op.batch_alter_table("count_plans") as batch:
        batch.drop_column("every_days")
