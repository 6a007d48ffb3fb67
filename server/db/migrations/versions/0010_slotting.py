"""slotting: slot assignments and re-slotting plans

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 06:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db.base import UtcDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slot_assignments",
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sku_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_slot_assignments_location_id_locations")),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_slot_assignments_sku_id_skus")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_slot_assignments_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot_assignments")),
        sa.UniqueConstraint("location_id", name=op.f("uq_slot_assignments_location_id")),
        sa.UniqueConstraint("warehouse_id", "sku_id", name=op.f("uq_slot_assignments_warehouse_id_sku_id")),
    )
    op.create_index(op.f("ix_slot_assignments_warehouse_id"), "slot_assignments", ["warehouse_id"], unique=False)
    op.create_table(
        "slotting_plans",
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "released", "done", name="slotting_plan_status", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_slotting_plans_created_by_users")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_slotting_plans_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slotting_plans")),
    )
    op.create_index(op.f("ix_slotting_plans_warehouse_id"), "slotting_plans", ["warehouse_id"], unique=False)
    op.create_table(
        "slotting_plan_moves",
        sa.Column("plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("from_location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("to_location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("swap_sku_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("m_per_day_saved", sa.Float(), nullable=False),
        sa.Column("labour_min", sa.Float(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned", "released", "done", "skipped", name="slotting_move_status", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("task_ids", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["from_location_id"], ["locations.id"], name=op.f("fk_slotting_plan_moves_from_location_id_locations")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["slotting_plans.id"], name=op.f("fk_slotting_plan_moves_plan_id_slotting_plans")),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_slotting_plan_moves_sku_id_skus")),
        sa.ForeignKeyConstraint(["swap_sku_id"], ["skus.id"], name=op.f("fk_slotting_plan_moves_swap_sku_id_skus")),
        sa.ForeignKeyConstraint(
            ["to_location_id"], ["locations.id"], name=op.f("fk_slotting_plan_moves_to_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slotting_plan_moves")),
        sa.UniqueConstraint("plan_id", "rank", name=op.f("uq_slotting_plan_moves_plan_id_rank")),
    )
    op.create_index(op.f("ix_slotting_plan_moves_plan_id"), "slotting_plan_moves", ["plan_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_slotting_plan_moves_plan_id"), table_name="slotting_plan_moves")
    op.drop_table("slotting_plan_moves")
    op.drop_index(op.f("ix_slotting_plans_warehouse_id"), table_name="slotting_plans")
    op.drop_table("slotting_plans")
    op.drop_index(op.f("ix_slot_assignments_warehouse_id"), table_name="slot_assignments")
    op.drop_table("slot_assignments")
