"""shipping: pack stations, carton types, carriers and services, shipments, cartons, packed items, label prints,
manifests, tracking events, per-warehouse shipping settings

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 06:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db.base import UtcDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "carriers",
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind", sa.Enum("table_rate", "ewaybill", name="carrier_kind", native_enum=False, length=16), nullable=False
        ),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("next_tracking_serial", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["warehouse_id"], ["warehouses.id"], name=op.f("fk_carriers_warehouse_id_warehouses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carriers")),
        sa.UniqueConstraint("warehouse_id", "code", name=op.f("uq_carriers_warehouse_id_code")),
    )
    with op.batch_alter_table("carriers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carriers_warehouse_id"), ["warehouse_id"], unique=False)

    op.create_table(
        "carton_types",
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("length_mm", sa.Integer(), nullable=False),
        sa.Column("width_mm", sa.Integer(), nullable=False),
        sa.Column("height_mm", sa.Integer(), nullable=False),
        sa.Column("tare_kg", sa.Numeric(precision=8, scale=3), nullable=False),
        sa.Column("max_kg", sa.Numeric(precision=8, scale=3), nullable=False),
        sa.Column("cost", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_carton_types_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carton_types")),
        sa.UniqueConstraint("warehouse_id", "code", name=op.f("uq_carton_types_warehouse_id_code")),
    )
    with op.batch_alter_table("carton_types", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carton_types_warehouse_id"), ["warehouse_id"], unique=False)

    op.create_table(
        "shipping_settings",
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("gs1_company_prefix", sa.String(length=12), nullable=False),
        sa.Column("sscc_extension", sa.Integer(), nullable=False),
        sa.Column("next_sscc_serial", sa.Integer(), nullable=False),
        sa.Column("ship_from", sa.JSON(), nullable=False),
        sa.Column("weight_tolerance_kg", sa.Numeric(precision=8, scale=3), nullable=False),
        sa.Column("weight_tolerance_pct", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_shipping_settings_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("warehouse_id", name=op.f("pk_shipping_settings")),
    )
    op.create_table(
        "carrier_services",
        sa.Column("carrier_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("cutoff", sa.String(length=5), nullable=False),
        sa.Column("rate_factor", sa.Numeric(precision=6, scale=3), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["carrier_id"], ["carriers.id"], name=op.f("fk_carrier_services_carrier_id_carriers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_services")),
        sa.UniqueConstraint("carrier_id", "code", name=op.f("uq_carrier_services_carrier_id_code")),
    )
    with op.batch_alter_table("carrier_services", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carrier_services_carrier_id"), ["carrier_id"], unique=False)

    op.create_table(
        "manifests",
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("carrier_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("cartons", sa.Integer(), nullable=False),
        sa.Column("total_kg", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("closed_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["carrier_id"], ["carriers.id"], name=op.f("fk_manifests_carrier_id_carriers")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"], name=op.f("fk_manifests_closed_by_id_users")),
        sa.ForeignKeyConstraint(["warehouse_id"], ["warehouses.id"], name=op.f("fk_manifests_warehouse_id_warehouses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manifests")),
        sa.UniqueConstraint("code", name=op.f("uq_manifests_code")),
    )
    with op.batch_alter_table("manifests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manifests_carrier_id"), ["carrier_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_manifests_warehouse_id"), ["warehouse_id"], unique=False)

    op.create_table(
        "pack_stations",
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("printer_uri", sa.String(length=200), nullable=False),
        sa.Column("scale_uri", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_pack_stations_location_id_locations")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_pack_stations_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_stations")),
        sa.UniqueConstraint("warehouse_id", "code", name=op.f("uq_pack_stations_warehouse_id_code")),
    )
    with op.batch_alter_table("pack_stations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pack_stations_warehouse_id"), ["warehouse_id"], unique=False)

    op.create_table(
        "shipments",
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("station_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "packing",
                "label_created",
                "handed_over",
                "in_transit",
                "delivered",
                "exception",
                name="shipment_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("carrier_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("suggestion", sa.JSON(), nullable=False),
        sa.Column("short", sa.JSON(), nullable=False),
        sa.Column("packed_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("shipped_at", UtcDateTime(), nullable=True),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["carrier_id"], ["carriers.id"], name=op.f("fk_shipments_carrier_id_carriers")),
        sa.ForeignKeyConstraint(["order_id"], ["sales_orders.id"], name=op.f("fk_shipments_order_id_sales_orders")),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"], name=op.f("fk_shipments_owner_id_owners")),
        sa.ForeignKeyConstraint(["packed_by_id"], ["users.id"], name=op.f("fk_shipments_packed_by_id_users")),
        sa.ForeignKeyConstraint(
            ["station_id"], ["pack_stations.id"], name=op.f("fk_shipments_station_id_pack_stations")
        ),
        sa.ForeignKeyConstraint(["warehouse_id"], ["warehouses.id"], name=op.f("fk_shipments_warehouse_id_warehouses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("order_id", name=op.f("uq_shipments_order_id")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipments_carrier_id"), ["carrier_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipments_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_shipments_queue", ["warehouse_id", "status"], unique=False)

    op.create_table(
        "cartons",
        sa.Column("shipment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("carton_type_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("suggested", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "closed", "loaded", "shipped", name="carton_status", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("sscc", sa.String(length=18), nullable=True),
        sa.Column("carrier_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("tracking_number", sa.String(length=40), nullable=True),
        sa.Column("sort_code", sa.String(length=40), nullable=False),
        sa.Column("expected_kg", sa.Numeric(precision=8, scale=3), nullable=True),
        sa.Column("weight_kg", sa.Numeric(precision=8, scale=3), nullable=True),
        sa.Column("weight_exception_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("door", sa.String(length=40), nullable=False),
        sa.Column("loaded_at", UtcDateTime(), nullable=True),
        sa.Column("manifest_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("waybill_zpl", sa.String(), nullable=False),
        sa.Column("sscc_zpl", sa.String(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["carrier_id"], ["carriers.id"], name=op.f("fk_cartons_carrier_id_carriers")),
        sa.ForeignKeyConstraint(
            ["carton_type_id"], ["carton_types.id"], name=op.f("fk_cartons_carton_type_id_carton_types")
        ),
        sa.ForeignKeyConstraint(["manifest_id"], ["manifests.id"], name=op.f("fk_cartons_manifest_id_manifests")),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_cartons_shipment_id_shipments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["weight_exception_id"],
            ["floor_exceptions.id"],
            name=op.f("fk_cartons_weight_exception_id_floor_exceptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cartons")),
        sa.UniqueConstraint("code", name=op.f("uq_cartons_code")),
        sa.UniqueConstraint("shipment_id", "seq", name=op.f("uq_cartons_shipment_id_seq")),
        sa.UniqueConstraint("sscc", name=op.f("uq_cartons_sscc")),
        sa.UniqueConstraint("tracking_number", name=op.f("uq_cartons_tracking_number")),
    )
    with op.batch_alter_table("cartons", schema=None) as batch_op:
        batch_op.create_index("ix_cartons_carrier_status", ["carrier_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_cartons_manifest_id"), ["manifest_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cartons_shipment_id"), ["shipment_id"], unique=False)

    op.create_table(
        "label_prints",
        sa.Column("carton_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("printer", sa.String(length=200), nullable=False),
        sa.Column("reprint", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["carton_id"], ["cartons.id"], name=op.f("fk_label_prints_carton_id_cartons"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_label_prints_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_prints")),
    )
    with op.batch_alter_table("label_prints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_label_prints_carton_id"), ["carton_id"], unique=False)

    op.create_table(
        "packed_items",
        sa.Column("carton_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sku_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("lot", sa.String(length=64), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.CheckConstraint("qty > 0", name=op.f("ck_packed_items_qty_positive")),
        sa.ForeignKeyConstraint(
            ["carton_id"], ["cartons.id"], name=op.f("fk_packed_items_carton_id_cartons"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_packed_items_sku_id_skus")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packed_items")),
    )
    with op.batch_alter_table("packed_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_packed_items_carton_id"), ["carton_id"], unique=False)

    op.create_table(
        "tracking_events",
        sa.Column("carton_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tracking_number", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("station", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["carton_id"], ["cartons.id"], name=op.f("fk_tracking_events_carton_id_cartons"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_events")),
        sa.UniqueConstraint("tracking_number", "at", "state", name=op.f("uq_tracking_events_tracking_number_at_state")),
    )
    with op.batch_alter_table("tracking_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_events_carton_id"), ["carton_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tracking_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_events_carton_id"))

    op.drop_table("tracking_events")
    with op.batch_alter_table("packed_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_packed_items_carton_id"))

    op.drop_table("packed_items")
    with op.batch_alter_table("label_prints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_label_prints_carton_id"))

    op.drop_table("label_prints")
    with op.batch_alter_table("cartons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cartons_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_cartons_manifest_id"))
        batch_op.drop_index("ix_cartons_carrier_status")

    op.drop_table("cartons")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_queue")
        batch_op.drop_index(batch_op.f("ix_shipments_owner_id"))
        batch_op.drop_index(batch_op.f("ix_shipments_carrier_id"))

    op.drop_table("shipments")
    with op.batch_alter_table("pack_stations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pack_stations_warehouse_id"))

    op.drop_table("pack_stations")
    with op.batch_alter_table("manifests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manifests_warehouse_id"))
        batch_op.drop_index(batch_op.f("ix_manifests_carrier_id"))

    op.drop_table("manifests")
    with op.batch_alter_table("carrier_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carrier_services_carrier_id"))

    op.drop_table("carrier_services")
    op.drop_table("shipping_settings")
    with op.batch_alter_table("carton_types", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carton_types_warehouse_id"))

    op.drop_table("carton_types")
    with op.batch_alter_table("carriers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carriers_warehouse_id"))

    op.drop_table("carriers")
