"""inventory control and returns: count plans and cycle counts, pick-face min/max, holds, LPN nesting, RMAs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 06:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db.base import UtcDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "count_plans",
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("location", "zone", "sku", "abc", name="count_plan_kind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_run_at", UtcDateTime(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"], name=op.f("fk_count_plans_owner_id_owners")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_count_plans_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_count_plans")),
    )
    op.create_index(op.f("ix_count_plans_owner_id"), "count_plans", ["owner_id"], unique=False)
    op.create_index(op.f("ix_count_plans_warehouse_id"), "count_plans", ["warehouse_id"], unique=False)
    op.create_table(
        "inventory_settings",
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("count_variance_units", sa.Integer(), nullable=False),
        sa.Column("count_variance_value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("count_freeze", sa.Boolean(), nullable=False),
        sa.Column("count_days_a", sa.Integer(), nullable=False),
        sa.Column("count_days_b", sa.Integer(), nullable=False),
        sa.Column("count_days_c", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_inventory_settings_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("warehouse_id", name=op.f("pk_inventory_settings")),
    )
    op.create_table(
        "lpn_parents",
        sa.Column("lpn", sa.String(length=40), nullable=False),
        sa.Column("parent_lpn", sa.String(length=40), nullable=False),
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_lpn_parents_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("lpn", name=op.f("pk_lpn_parents")),
    )
    op.create_index(op.f("ix_lpn_parents_parent_lpn"), "lpn_parents", ["parent_lpn"], unique=False)
    op.create_table(
        "sku_costs",
        sa.Column("sku_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_sku_costs_sku_id_skus"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("sku_id", name=op.f("pk_sku_costs")),
    )
    op.create_table(
        "pick_face_rules",
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sku_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("min_qty", sa.Integer(), nullable=False),
        sa.Column("max_qty", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint("min_qty >= 0 AND max_qty > min_qty", name=op.f("ck_pick_face_rules_min_below_max")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_pick_face_rules_location_id_locations")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"], name=op.f("fk_pick_face_rules_owner_id_owners")),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_pick_face_rules_sku_id_skus")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_pick_face_rules_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pick_face_rules")),
        sa.UniqueConstraint("sku_id", "location_id", name=op.f("uq_pick_face_rules_sku_id_location_id")),
    )
    op.create_index(op.f("ix_pick_face_rules_location_id"), "pick_face_rules", ["location_id"], unique=False)
    op.create_index(op.f("ix_pick_face_rules_owner_id"), "pick_face_rules", ["owner_id"], unique=False)
    op.create_index(op.f("ix_pick_face_rules_warehouse_id"), "pick_face_rules", ["warehouse_id"], unique=False)
    op.create_table(
        "stock_holds",
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "scope",
            sa.Enum("location", "lot", "sku", "lpn", name="hold_scope", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("sku_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("lot", sa.String(length=64), nullable=False),
        sa.Column("lpn", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("recall", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("released_at", UtcDateTime(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_stock_holds_created_by_id_users")),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_stock_holds_location_id_locations")),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"], name=op.f("fk_stock_holds_owner_id_owners")),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_stock_holds_sku_id_skus")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_stock_holds_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_holds")),
    )
    op.create_index(op.f("ix_stock_holds_owner_id"), "stock_holds", ["owner_id"], unique=False)
    op.create_index(op.f("ix_stock_holds_warehouse_id"), "stock_holds", ["warehouse_id"], unique=False)
    op.create_table(
        "cycle_counts",
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sku_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "recount",
                "approval",
                "counted",
                "approved",
                "rejected",
                "cancelled",
                name="count_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("recount_task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("counted_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("recounted_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("expected", sa.JSON(), nullable=False),
        sa.Column("counted", sa.JSON(), nullable=False),
        sa.Column("recounted", sa.JSON(), nullable=False),
        sa.Column("variance_units", sa.Integer(), nullable=False),
        sa.Column("variance_value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("exception_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["counted_by_id"], ["users.id"], name=op.f("fk_cycle_counts_counted_by_id_users")),
        sa.ForeignKeyConstraint(
            ["exception_id"], ["floor_exceptions.id"], name=op.f("fk_cycle_counts_exception_id_floor_exceptions")
        ),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_cycle_counts_location_id_locations")),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"], name=op.f("fk_cycle_counts_owner_id_owners")),
        sa.ForeignKeyConstraint(["plan_id"], ["count_plans.id"], name=op.f("fk_cycle_counts_plan_id_count_plans")),
        sa.ForeignKeyConstraint(["recount_task_id"], ["tasks.id"], name=op.f("fk_cycle_counts_recount_task_id_tasks")),
        sa.ForeignKeyConstraint(["recounted_by_id"], ["users.id"], name=op.f("fk_cycle_counts_recounted_by_id_users")),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_cycle_counts_sku_id_skus")),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_cycle_counts_task_id_tasks")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_cycle_counts_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_counts")),
    )
    op.create_index("ix_cycle_counts_open", "cycle_counts", ["location_id", "status"], unique=False)
    op.create_index(op.f("ix_cycle_counts_owner_id"), "cycle_counts", ["owner_id"], unique=False)
    op.create_index(op.f("ix_cycle_counts_sku_id"), "cycle_counts", ["sku_id"], unique=False)
    op.create_table(
        "return_authorisations",
        sa.Column("owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "authorised", "receiving", "received", "cancelled", name="rma_status", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_orders.id"], name=op.f("fk_return_authorisations_order_id_sales_orders")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"], name=op.f("fk_return_authorisations_owner_id_owners")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_return_authorisations_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_authorisations")),
        sa.UniqueConstraint("owner_id", "number", name=op.f("uq_return_authorisations_owner_id_number")),
    )
    op.create_index(op.f("ix_return_authorisations_order_id"), "return_authorisations", ["order_id"], unique=False)
    op.create_index(op.f("ix_return_authorisations_owner_id"), "return_authorisations", ["owner_id"], unique=False)
    op.create_table(
        "return_lines",
        sa.Column("rma_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sku_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("received_qty", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.CheckConstraint("qty > 0", name=op.f("ck_return_lines_qty_positive")),
        sa.CheckConstraint("received_qty >= 0 AND received_qty <= qty", name=op.f("ck_return_lines_received_within")),
        sa.ForeignKeyConstraint(
            ["order_line_id"], ["order_lines.id"], name=op.f("fk_return_lines_order_line_id_order_lines")
        ),
        sa.ForeignKeyConstraint(
            ["rma_id"],
            ["return_authorisations.id"],
            name=op.f("fk_return_lines_rma_id_return_authorisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_return_lines_sku_id_skus")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_lines")),
    )
    op.create_index(op.f("ix_return_lines_order_line_id"), "return_lines", ["order_line_id"], unique=False)
    op.create_index(op.f("ix_return_lines_rma_id"), "return_lines", ["rma_id"], unique=False)
    op.create_table(
        "return_receipts",
        sa.Column("rma_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("lot", sa.String(length=64), nullable=False),
        sa.Column("grade", sa.Enum("A", "B", "C", name="return_grade", native_enum=False, length=16), nullable=False),
        sa.Column(
            "disposition",
            sa.Enum("restock", "quarantine", "scrap", "rtv", name="return_disposition", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("stock_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint("qty > 0", name=op.f("ck_return_receipts_qty_positive")),
        sa.ForeignKeyConstraint(
            ["line_id"], ["return_lines.id"], name=op.f("fk_return_receipts_line_id_return_lines"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_return_receipts_location_id_locations")
        ),
        sa.ForeignKeyConstraint(["received_by_id"], ["users.id"], name=op.f("fk_return_receipts_received_by_id_users")),
        sa.ForeignKeyConstraint(
            ["rma_id"],
            ["return_authorisations.id"],
            name=op.f("fk_return_receipts_rma_id_return_authorisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stock_id"], ["stock.id"], name=op.f("fk_return_receipts_stock_id_stock"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_return_receipts_task_id_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_receipts")),
    )
    op.create_index(op.f("ix_return_receipts_line_id"), "return_receipts", ["line_id"], unique=False)
    op.create_index(op.f("ix_return_receipts_rma_id"), "return_receipts", ["rma_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_return_receipts_rma_id"), table_name="return_receipts")
    op.drop_index(op.f("ix_return_receipts_line_id"), table_name="return_receipts")
    op.drop_table("return_receipts")
    op.drop_index(op.f("ix_return_lines_rma_id"), table_name="return_lines")
    op.drop_index(op.f("ix_return_lines_order_line_id"), table_name="return_lines")
    op.drop_table("return_lines")
    op.drop_index(op.f("ix_return_authorisations_owner_id"), table_name="return_authorisations")
    op.drop_index(op.f("ix_return_authorisations_order_id"), table_name="return_authorisations")
    op.drop_table("return_authorisations")
    op.drop_index(op.f("ix_cycle_counts_sku_id"), table_name="cycle_counts")
    op.drop_index(op.f("ix_cycle_counts_owner_id"), table_name="cycle_counts")
    op.drop_index("ix_cycle_counts_open", table_name="cycle_counts")
    op.drop_table("cycle_counts")
    op.drop_index(op.f("ix_stock_holds_warehouse_id"), table_name="stock_holds")
    op.drop_index(op.f("ix_stock_holds_owner_id"), table_name="stock_holds")
    op.drop_table("stock_holds")
    op.drop_index(op.f("ix_pick_face_rules_warehouse_id"), table_name="pick_face_rules")
    op.drop_index(op.f("ix_pick_face_rules_owner_id"), table_name="pick_face_rules")
    op.drop_index(op.f("ix_pick_face_rules_location_id"), table_name="pick_face_rules")
    op.drop_table("pick_face_rules")
    op.drop_table("sku_costs")
    op.drop_index(op.f("ix_lpn_parents_parent_lpn"), table_name="lpn_parents")
    op.drop_table("lpn_parents")
    op.drop_table("inventory_settings")
    op.drop_index(op.f("ix_count_plans_warehouse_id"), table_name="count_plans")
    op.drop_index(op.f("ix_count_plans_owner_id"), table_name="count_plans")
    op.drop_table("count_plans")
