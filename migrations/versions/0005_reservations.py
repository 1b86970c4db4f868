"""reservations: voyages, unit types, units, the inventory calendar, rate plans,
reservations and their nights, idempotency keys (all tenant-owned, forced RLS)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.db.rls import disable_rls, enable_rls

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = (
    "idempotency_keys",
    "rate_plans",
    "voyages",
    "unit_types",
    "inventory_days",
    "units",
    "reservations",
    "reservation_nights",
)


def upgrade() -> None:
    op.create_table('idempotency_keys',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=400), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.SmallInteger(), nullable=True),
    sa.Column('response', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_idempotency_keys_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('tenant_id', 'key', name=op.f('uq_idempotency_keys_tenant_id_key'))
    )
    op.create_index(op.f('ix_idempotency_keys_tenant_id_created_at'), 'idempotency_keys', ['tenant_id', 'created_at'], unique=False)
    op.create_table('rate_plans',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), server_default='rack', nullable=False),
    sa.Column('discount_bp', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('net_price_fen', sa.BigInteger(), nullable=True),
    sa.Column('free_cancel_hours', sa.Integer(), server_default=sa.text('24'), nullable=False),
    sa.Column('cancel_fee_kind', sa.String(length=12), server_default='first_night', nullable=False),
    sa.Column('cancel_fee_bp', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('deposit_kind', sa.String(length=12), server_default='none', nullable=False),
    sa.Column('deposit_bp', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("cancel_fee_kind IN ('none','first_night','percent','full')", name=op.f('ck_rate_plans_cancel_fee_kind')),
    sa.CheckConstraint("deposit_kind IN ('none','first_night','percent','full')", name=op.f('ck_rate_plans_deposit_kind')),
    sa.CheckConstraint("kind IN ('rack','member','corporate','distributor_net')", name=op.f('ck_rate_plans_kind')),
    sa.CheckConstraint('cancel_fee_bp BETWEEN 0 AND 10000', name=op.f('ck_rate_plans_cancel_fee_bp')),
    sa.CheckConstraint('deposit_bp BETWEEN 0 AND 10000', name=op.f('ck_rate_plans_deposit_bp')),
    sa.CheckConstraint('discount_bp BETWEEN 0 AND 10000', name=op.f('ck_rate_plans_discount_bp')),
    sa.CheckConstraint('free_cancel_hours BETWEEN 0 AND 8760', name=op.f('ck_rate_plans_free_cancel_hours')),
    sa.CheckConstraint('net_price_fen IS NULL OR net_price_fen >= 0', name=op.f('ck_rate_plans_net_price_fen')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_rate_plans_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_plans')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_rate_plans_tenant_id_code'))
    )
    op.create_table('voyages',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('ship', sa.String(length=100), nullable=False),
    sa.Column('route', sa.String(length=200), nullable=False),
    sa.Column('direction', sa.String(length=12), server_default='downstream', nullable=False),
    sa.Column('depart_on', sa.Date(), nullable=False),
    sa.Column('arrive_on', sa.Date(), nullable=False),
    sa.Column('embark_port', sa.String(length=100), server_default='', nullable=False),
    sa.Column('disembark_port', sa.String(length=100), server_default='', nullable=False),
    sa.Column('status', sa.String(length=12), server_default='scheduled', nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("direction IN ('downstream','upstream')", name=op.f('ck_voyages_direction')),
    sa.CheckConstraint("status IN ('scheduled','cancelled')", name=op.f('ck_voyages_status')),
    sa.CheckConstraint('arrive_on > depart_on', name=op.f('ck_voyages_dates')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_voyages_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voyages')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_voyages_tenant_id_code'))
    )
    op.create_index(op.f('ix_voyages_tenant_id_depart_on'), 'voyages', ['tenant_id', 'depart_on'], unique=False)
    op.create_table('unit_types',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=12), server_default='room', nullable=False),
    sa.Column('capacity', sa.SmallInteger(), server_default=sa.text('2'), nullable=False),
    sa.Column('voyage_id', sa.Uuid(), nullable=True),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('base_price_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('sort_order', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('room','cabin','admission','table')", name=op.f('ck_unit_types_kind')),
    sa.CheckConstraint('base_price_fen >= 0', name=op.f('ck_unit_types_base_price_fen')),
    sa.CheckConstraint('capacity BETWEEN 1 AND 50', name=op.f('ck_unit_types_capacity')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_unit_types_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['voyage_id'], ['voyages.id'], name=op.f('fk_unit_types_voyage_id_voyages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_types')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_unit_types_tenant_id_code'))
    )
    op.create_index(op.f('ix_unit_types_tenant_id_voyage_id'), 'unit_types', ['tenant_id', 'voyage_id'], unique=False)
    op.create_table('inventory_days',
    sa.Column('unit_type_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('sold', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('price_fen', sa.BigInteger(), nullable=False),
    sa.Column('closed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('closed_to_arrival', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('min_stay', sa.SmallInteger(), server_default=sa.text('1'), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('min_stay BETWEEN 1 AND 30', name=op.f('ck_inventory_days_min_stay')),
    sa.CheckConstraint('price_fen >= 0', name=op.f('ck_inventory_days_price_fen')),
    sa.CheckConstraint('sold >= 0 AND sold <= total', name=op.f('ck_inventory_days_never_overbooked')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inventory_days_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_type_id'], ['unit_types.id'], name=op.f('fk_inventory_days_unit_type_id_unit_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_days')),
    sa.UniqueConstraint('tenant_id', 'unit_type_id', 'day', name=op.f('uq_inventory_days_tenant_id_unit_type_id_day'))
    )
    op.create_table('units',
    sa.Column('unit_type_id', sa.Uuid(), nullable=False),
    sa.Column('voyage_id', sa.Uuid(), nullable=True),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('floor', sa.SmallInteger(), server_default=sa.text('1'), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='clean', nullable=False),
    sa.Column('features', sa.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('clean','dirty','inspected','out_of_order')", name=op.f('ck_units_status')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_units_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_type_id'], ['unit_types.id'], name=op.f('fk_units_unit_type_id_unit_types')),
    sa.ForeignKeyConstraint(['voyage_id'], ['voyages.id'], name=op.f('fk_units_voyage_id_voyages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('tenant_id', 'voyage_id', 'number', name=op.f('uq_units_tenant_id_voyage_id_number'), postgresql_nulls_not_distinct=True)
    )
    op.create_index(op.f('ix_units_tenant_id_unit_type_id'), 'units', ['tenant_id', 'unit_type_id'], unique=False)
    op.create_table('reservations',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('unit_type_id', sa.Uuid(), nullable=False),
    sa.Column('rate_plan_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', sa.SmallInteger(), server_default=sa.text('1'), nullable=False),
    sa.Column('arrival', sa.Date(), nullable=False),
    sa.Column('departure', sa.Date(), nullable=False),
    sa.Column('adults', sa.SmallInteger(), nullable=False),
    sa.Column('children', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('guest_name', sa.String(length=100), nullable=False),
    sa.Column('guest_phone', sa.String(length=32), nullable=False),
    sa.Column('guest_email', sa.String(length=254), nullable=True),
    sa.Column('id_type', sa.String(length=20), server_default='resident_id', nullable=False),
    sa.Column('id_number', sa.String(length=40), server_default='', nullable=False),
    sa.Column('preferences', sa.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
    sa.Column('notes', sa.Text(), server_default='', nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('deposit_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('paid_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('cancellation_fee_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('payment_state', sa.String(length=20), server_default='unpaid', nullable=False),
    sa.Column('source', sa.String(length=16), server_default='direct', nullable=False),
    sa.Column('hold_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unit_id', sa.Uuid(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("payment_state IN ('unpaid','deposit_paid','paid','partially_refunded','refunded')", name=op.f('ck_reservations_payment_state')),
    sa.CheckConstraint("source IN ('direct','booking_page','front_desk','api')", name=op.f('ck_reservations_source')),
    sa.CheckConstraint("status <> 'held' OR hold_expires_at IS NOT NULL", name=op.f('ck_reservations_hold_expires')),
    sa.CheckConstraint("status IN ('held','confirmed','cancelled','expired','no_show','checked_in','checked_out')", name=op.f('ck_reservations_status')),
    sa.CheckConstraint('departure > arrival', name=op.f('ck_reservations_dates')),
    sa.CheckConstraint('quantity >= 1 AND adults >= 1 AND children >= 0', name=op.f('ck_reservations_party')),
    sa.CheckConstraint('total_fen >= 0 AND deposit_fen >= 0 AND cancellation_fee_fen >= 0', name=op.f('ck_reservations_money')),
    sa.ForeignKeyConstraint(['rate_plan_id'], ['rate_plans.id'], name=op.f('fk_reservations_rate_plan_id_rate_plans')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_reservations_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_reservations_unit_id_units')),
    sa.ForeignKeyConstraint(['unit_type_id'], ['unit_types.id'], name=op.f('fk_reservations_unit_type_id_unit_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservations')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_reservations_tenant_id_code'))
    )
    op.create_index(op.f('ix_reservations_tenant_id_arrival'), 'reservations', ['tenant_id', 'arrival'], unique=False)
    op.create_index(op.f('ix_reservations_tenant_id_departure'), 'reservations', ['tenant_id', 'departure'], unique=False)
    op.create_index(op.f('ix_reservations_tenant_id_guest_phone'), 'reservations', ['tenant_id', 'guest_phone'], unique=False)
    op.create_index(op.f('ix_reservations_tenant_id_status_hold_expires_at'), 'reservations', ['tenant_id', 'status', 'hold_expires_at'], unique=False)
    op.create_table('reservation_nights',
    sa.Column('reservation_id', sa.Uuid(), nullable=False),
    sa.Column('unit_type_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('price_fen', sa.BigInteger(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('price_fen >= 0', name=op.f('ck_reservation_nights_price_fen')),
    sa.ForeignKeyConstraint(['reservation_id'], ['reservations.id'], name=op.f('fk_reservation_nights_reservation_id_reservations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_reservation_nights_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_type_id'], ['unit_types.id'], name=op.f('fk_reservation_nights_unit_type_id_unit_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservation_nights')),
    sa.UniqueConstraint('tenant_id', 'reservation_id', 'day', name=op.f('uq_reservation_nights_tenant_id_reservation_id_day'))
    )
    op.create_index(op.f('ix_reservation_nights_tenant_id_unit_type_id_day'), 'reservation_nights', ['tenant_id', 'unit_type_id', 'day'], unique=False)
    for table in TENANT_TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        disable_rls(op, table)
    op.drop_index(op.f('ix_reservation_nights_tenant_id_unit_type_id_day'), table_name='reservation_nights')
    op.drop_table('reservation_nights')
    op.drop_index(op.f('ix_reservations_tenant_id_status_hold_expires_at'), table_name='reservations')
    op.drop_index(op.f('ix_reservations_tenant_id_guest_phone'), table_name='reservations')
    op.drop_index(op.f('ix_reservations_tenant_id_departure'), table_name='reservations')
    op.drop_index(op.f('ix_reservations_tenant_id_arrival'), table_name='reservations')
    op.drop_table('reservations')
    op.drop_index(op.f('ix_units_tenant_id_unit_type_id'), table_name='units')
    op.drop_table('units')
    op.drop_table('inventory_days')
    op.drop_index(op.f('ix_unit_types_tenant_id_voyage_id'), table_name='unit_types')
    op.drop_table('unit_types')
    op.drop_index(op.f('ix_voyages_tenant_id_depart_on'), table_name='voyages')
    op.drop_table('voyages')
    op.drop_table('rate_plans')
    op.drop_index(op.f('ix_idempotency_keys_tenant_id_created_at'), table_name='idempotency_keys')
    op.drop_table('idempotency_keys')
