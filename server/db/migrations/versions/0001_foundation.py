"""foundation: identity, layout, catalog, stock, ledger

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 03:49:46.623700
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('idempotent_replies',
    sa.Column('caller', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotent_replies')),
    sa.UniqueConstraint('caller', 'key', name=op.f('uq_idempotent_replies_caller_key'))
    )
    with op.batch_alter_table('idempotent_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotent_replies_created_at'), ['created_at'], unique=False)

    op.create_table('owners',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('min_shelf_life_days', sa.Integer(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_owners')),
    sa.UniqueConstraint('code', name=op.f('uq_owners_code'))
    )
    op.create_table('warehouses',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('layout', sa.JSON(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warehouses')),
    sa.UniqueConstraint('code', name=op.f('uq_warehouses_code'))
    )
    op.create_table('api_keys',
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=128), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_used_at', server.db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], name=op.f('fk_api_keys_owner_id_owners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_owner_id'), ['owner_id'], unique=False)

    op.create_table('devices',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_seen_at', server.db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_devices_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('code', name=op.f('uq_devices_code'))
    )
    op.create_table('skus',
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('uom', sa.String(length=16), nullable=False),
    sa.Column('case_pack', sa.Integer(), nullable=False),
    sa.Column('length_mm', sa.Integer(), nullable=False),
    sa.Column('width_mm', sa.Integer(), nullable=False),
    sa.Column('height_mm', sa.Integer(), nullable=False),
    sa.Column('weight_kg', sa.Numeric(precision=10, scale=3), nullable=False),
    sa.Column('lot_controlled', sa.Boolean(), nullable=False),
    sa.Column('expiry_controlled', sa.Boolean(), nullable=False),
    sa.Column('serial_controlled', sa.Boolean(), nullable=False),
    sa.Column('fragile', sa.Boolean(), nullable=False),
    sa.Column('hazmat', sa.Boolean(), nullable=False),
    sa.Column('demand_class', sa.String(length=1), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('case_pack >= 1', name=op.f('ck_skus_case_pack_positive')),
    sa.CheckConstraint('weight_kg >= 0', name=op.f('ck_skus_weight_nonneg')),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], name=op.f('fk_skus_owner_id_owners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skus')),
    sa.UniqueConstraint('owner_id', 'code', name=op.f('uq_skus_owner_id_code'))
    )
    with op.batch_alter_table('skus', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skus_owner_id'), ['owner_id'], unique=False)

    op.create_table('users',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('admin', 'supervisor', 'receiver', 'picker', 'packer', 'client', 'integration', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('warehouse_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], name=op.f('fk_users_owner_id_owners')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_users_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_owner_id'), ['owner_id'], unique=False)

    op.create_table('zones',
    sa.Column('warehouse_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_zones_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zones')),
    sa.UniqueConstraint('warehouse_id', 'code', name=op.f('uq_zones_warehouse_id_code'))
    )
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zones_warehouse_id'), ['warehouse_id'], unique=False)

    op.create_table('auth_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('device_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_auth_tokens_device_id_devices')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_auth_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_auth_tokens_token_hash'))
    )
    with op.batch_alter_table('auth_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('barcodes',
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sku_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Enum('gtin', 'alternate', name='barcode_kind', native_enum=False, length=16), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], name=op.f('fk_barcodes_owner_id_owners')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_barcodes_sku_id_skus'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_barcodes')),
    sa.UniqueConstraint('owner_id', 'value', name=op.f('uq_barcodes_owner_id_value'))
    )
    with op.batch_alter_table('barcodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_barcodes_sku_id'), ['sku_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_barcodes_value'), ['value'], unique=False)

    op.create_table('locations',
    sa.Column('warehouse_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('zone_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('type', sa.Enum('dock', 'receiving', 'quarantine', 'reserve', 'pick_face', 'pack_station', 'staging', 'shipping', name='location_type', native_enum=False, length=16), nullable=False),
    sa.Column('aisle', sa.Integer(), nullable=True),
    sa.Column('bay', sa.Integer(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('position', sa.String(length=8), nullable=False),
    sa.Column('x_m', sa.Float(), nullable=False),
    sa.Column('y_m', sa.Float(), nullable=False),
    sa.Column('capacity_units', sa.Integer(), nullable=False),
    sa.Column('capacity_m3', sa.Numeric(precision=10, scale=4), nullable=False),
    sa.Column('max_kg', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('check_digits', sa.String(length=2), nullable=False),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('blocked', sa.Boolean(), nullable=False),
    sa.Column('block_reason', sa.String(length=200), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity_units >= 0', name=op.f('ck_locations_capacity_units_nonneg')),
    sa.CheckConstraint('level >= 0', name=op.f('ck_locations_level_nonneg')),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], name=op.f('fk_locations_owner_id_owners')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_locations_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_locations_zone_id_zones')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locations')),
    sa.UniqueConstraint('warehouse_id', 'code', name=op.f('uq_locations_warehouse_id_code'))
    )
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_locations_warehouse_id'), ['warehouse_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_locations_zone_id'), ['zone_id'], unique=False)

    op.create_table('movements',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sku_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('lot', sa.String(length=64), nullable=False),
    sa.Column('expiry', sa.Date(), nullable=True),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.Column('from_location_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('from_lpn', sa.String(length=40), nullable=False),
    sa.Column('from_status', sa.Enum('available', 'quarantine', 'hold', 'damaged', name='stock_status', native_enum=False, length=16), nullable=True),
    sa.Column('to_location_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('to_lpn', sa.String(length=40), nullable=False),
    sa.Column('to_status', sa.Enum('available', 'quarantine', 'hold', 'damaged', name='stock_status', native_enum=False, length=16), nullable=True),
    sa.Column('reason', sa.Enum('receipt', 'putaway', 'move', 'pick', 'pack', 'ship', 'adjust_found', 'adjust_lost', 'damage', 'count', 'status', 'replenish', 'return', 'scrap', name='movement_reason', native_enum=False, length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('doc_type', sa.String(length=32), nullable=False),
    sa.Column('doc_ref', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('device_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.CheckConstraint('from_location_id IS NOT NULL OR to_location_id IS NOT NULL', name=op.f('ck_movements_has_a_side')),
    sa.CheckConstraint('qty > 0', name=op.f('ck_movements_qty_positive')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_movements_device_id_devices')),
    sa.ForeignKeyConstraint(['from_location_id'], ['locations.id'], name=op.f('fk_movements_from_location_id_locations')),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], name=op.f('fk_movements_owner_id_owners')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_movements_sku_id_skus')),
    sa.ForeignKeyConstraint(['to_location_id'], ['locations.id'], name=op.f('fk_movements_to_location_id_locations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_movements_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_movements'))
    )
    with op.batch_alter_table('movements', schema=None) as batch_op:
        batch_op.create_index('ix_movements_doc', ['doc_type', 'doc_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_movements_from_location_id'), ['from_location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_movements_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_movements_sku_at', ['sku_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_movements_to_location_id'), ['to_location_id'], unique=False)

    op.create_table('stock',
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sku_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('location_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('lot', sa.String(length=64), nullable=False),
    sa.Column('expiry', sa.Date(), nullable=True),
    sa.Column('lpn', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('available', 'quarantine', 'hold', 'damaged', name='stock_status', native_enum=False, length=16), nullable=False),
    sa.Column('on_hand', sa.Integer(), nullable=False),
    sa.Column('allocated', sa.Integer(), nullable=False),
    sa.Column('received_at', server.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.CheckConstraint('allocated <= on_hand', name=op.f('ck_stock_allocated_le_on_hand')),
    sa.CheckConstraint('allocated >= 0', name=op.f('ck_stock_allocated_nonneg')),
    sa.CheckConstraint('on_hand >= 0', name=op.f('ck_stock_on_hand_nonneg')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_stock_location_id_locations')),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], name=op.f('fk_stock_owner_id_owners')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_stock_sku_id_skus')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock'))
    )
    with op.batch_alter_table('stock', schema=None) as batch_op:
        batch_op.create_index('ix_stock_location', ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_stock_sku_location', ['sku_id', 'location_id'], unique=False)


    # One row per stock identity; expiry may be NULL, so it is folded to a sentinel date (autogenerate cannot
    # compare expression indexes, so this one is written by hand and checked by tests/integration).
    op.create_index("uq_stock_identity", "stock",
                    ["owner_id", "sku_id", "location_id", "lot", "lpn", "status",
                     sa.text("coalesce(expiry, '0001-01-01')")], unique=True)
    _ledger_append_only()


def _ledger_append_only() -> None:
    """The movement ledger is append-only: the database itself refuses UPDATE and DELETE."""
    if op.get_context().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the movement ledger is append-only'; END $$;
        """)
        op.execute("""CREATE TRIGGER movements_no_change BEFORE UPDATE OR DELETE ON movements
                      FOR EACH ROW EXECUTE FUNCTION movements_append_only()""")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER movements_no_{action.lower()} BEFORE {action} ON movements
                           BEGIN SELECT RAISE(ABORT, 'the movement ledger is append-only'); END""")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS movements_no_change ON movements")
        op.execute("DROP FUNCTION IF EXISTS movements_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS movements_no_update")
        op.execute("DROP TRIGGER IF EXISTS movements_no_delete")
    op.drop_index("uq_stock_identity", table_name="stock")
    with op.batch_alter_table('stock', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_sku_location')
        batch_op.drop_index(batch_op.f('ix_stock_owner_id'))
        batch_op.drop_index('ix_stock_location')

    op.drop_table('stock')
    with op.batch_alter_table('movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_movements_to_location_id'))
        batch_op.drop_index('ix_movements_sku_at')
        batch_op.drop_index(batch_op.f('ix_movements_owner_id'))
        batch_op.drop_index(batch_op.f('ix_movements_from_location_id'))
        batch_op.drop_index('ix_movements_doc')

    op.drop_table('movements')
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_locations_zone_id'))
        batch_op.drop_index(batch_op.f('ix_locations_warehouse_id'))

    op.drop_table('locations')
    with op.batch_alter_table('barcodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_barcodes_value'))
        batch_op.drop_index(batch_op.f('ix_barcodes_sku_id'))

    op.drop_table('barcodes')
    with op.batch_alter_table('auth_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_tokens_user_id'))

    op.drop_table('auth_tokens')
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zones_warehouse_id'))

    op.drop_table('zones')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_owner_id'))

    op.drop_table('users')
    with op.batch_alter_table('skus', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skus_owner_id'))

    op.drop_table('skus')
    op.drop_table('devices')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_owner_id'))

    op.drop_table('api_keys')
    op.drop_table('warehouses')
    op.drop_table('owners')
    with op.batch_alter_table('idempotent_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotent_replies_created_at'))

    op.drop_table('idempotent_replies')
