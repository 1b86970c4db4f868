"""distribution tables: distributors and agreements (readable by the partner tenant and its
upline through a second, SELECT-only policy), authorised products and settlement prices,
orders, the double-entry ledger (accounts with a guarded cached balance, append-only entries
and postings that must balance per entry and may not land in a settled period), statements,
disputes, callbacks and their attempts, payouts, and an agency's packages across
enterprises; reservations get source 'distribution' and the channel's name

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 02:33:47.152357+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from app.db.migration_helpers import append_only, drop_append_only
from app.db.rls import disable_partner_read, disable_rls, enable_partner_read, enable_rls

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TABLES = (
    "distributors",
    "dist_agreements",
    "dist_agreement_products",
    "dist_orders",
    "dist_ledger_accounts",
    "dist_ledger_entries",
    "dist_ledger_postings",
    "dist_statements",
    "dist_disputes",
    "dist_callbacks",
    "dist_callback_attempts",
    "dist_payouts",
    "dist_packages",
    "dist_package_parts",
)
# Where the two tenants meet: the distributor (and its upline) may read these rows.
PARTNER_TABLES = ("distributors", "dist_agreements")
APPEND_ONLY = ("dist_ledger_entries", "dist_ledger_postings", "dist_callback_attempts")
OLD_SOURCES = "('direct','booking_page','front_desk','api')"
NEW_SOURCES = "('direct','booking_page','front_desk','api','distribution')"

# Every INSERT into the postings leaves each entry it touches balanced (sum 0, at least two
# lines), agreeing with its entry (date, agreement), and outside any settled period: an
# entry's postings are written together, in one statement (`dist_post` in the repository).
POSTINGS_CHECK = """
CREATE FUNCTION zhilv_dist_postings_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad uuid;
BEGIN
    SELECT n.entry_id INTO bad
    FROM (SELECT DISTINCT tenant_id, entry_id FROM new_rows) n
    JOIN dist_ledger_postings p ON p.tenant_id = n.tenant_id AND p.entry_id = n.entry_id
    GROUP BY n.entry_id
    HAVING sum(p.amount_fen) <> 0 OR count(*) < 2
    LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'ledger entry % does not balance', bad
            USING ERRCODE = 'check_violation', CONSTRAINT = 'dist_entry_balanced';
    END IF;
    SELECT r.entry_id INTO bad
    FROM new_rows r
    JOIN dist_ledger_entries e ON e.tenant_id = r.tenant_id AND e.id = r.entry_id
    WHERE e.accounting_date <> r.accounting_date
       OR e.agreement_id IS DISTINCT FROM r.agreement_id
    LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'postings of ledger entry % disagree with it', bad
            USING ERRCODE = 'check_violation', CONSTRAINT = 'dist_posting_matches_entry';
    END IF;
    SELECT r.entry_id INTO bad
    FROM new_rows r
    JOIN dist_statements s
      ON s.tenant_id = r.tenant_id AND s.agreement_id = r.agreement_id
     AND s.status <> 'open'
     AND r.accounting_date >= s.period_start AND r.accounting_date < s.period_end
    LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'ledger entry % falls in a settled period', bad
            USING ERRCODE = 'check_violation', CONSTRAINT = 'dist_period_open';
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    _create()
    for table in TABLES:
        enable_rls(op, table)
    for table in PARTNER_TABLES:
        enable_partner_read(op, table)
    for table in APPEND_ONLY:
        append_only(table)
    op.execute(POSTINGS_CHECK)
    op.execute(
        "CREATE TRIGGER dist_ledger_postings_check AFTER INSERT ON dist_ledger_postings "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION zhilv_dist_postings_check()"
    )
    op.drop_constraint(op.f("ck_reservations_source"), "reservations", type_="check")
    op.create_check_constraint(op.f("ck_reservations_source"), "reservations", f"source IN {NEW_SOURCES}")


def downgrade() -> None:
    op.execute("UPDATE reservations SET source = 'api' WHERE source = 'distribution'")
    op.drop_constraint(op.f("ck_reservations_source"), "reservations", type_="check")
    op.create_check_constraint(op.f("ck_reservations_source"), "reservations", f"source IN {OLD_SOURCES}")
    op.execute("DROP TRIGGER IF EXISTS dist_ledger_postings_check ON dist_ledger_postings")
    op.execute("DROP FUNCTION IF EXISTS zhilv_dist_postings_check()")
    for table in APPEND_ONLY:
        drop_append_only(table)
    for table in PARTNER_TABLES:
        disable_partner_read(op, table)
    for table in TABLES:
        disable_rls(op, table)
    _drop()


def _create() -> None:
    op.create_table('dist_packages',
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='booking', nullable=False),
    sa.Column('tourist_name', sa.String(length=100), nullable=False),
    sa.Column('tourist_phone', sa.String(length=32), server_default='', nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('payment_id', sa.Uuid(), nullable=True),
    sa.Column('failure', sa.String(length=500), server_default='', nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('booking','confirmed','failed','cancelled')", name=op.f('ck_dist_packages_status')),
    sa.CheckConstraint('total_fen >= 0', name=op.f('ck_dist_packages_total')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dist_packages_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dist_packages')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_dist_packages_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'idempotency_key', name=op.f('uq_dist_packages_tenant_id_idempotency_key')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_dist_packages_tenant_id_number'))
    )
    op.create_table('dist_payouts',
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='pending', nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='CNY', nullable=False),
    sa.Column('statement_ids', postgresql.ARRAY(sa.Uuid()), server_default=sa.text("'{}'::uuid[]"), nullable=False),
    sa.Column('provider_account_id', sa.String(length=64), server_default='', nullable=False),
    sa.Column('provider_transfer_id', sa.String(length=64), server_default='', nullable=False),
    sa.Column('provider_payout_id', sa.String(length=64), server_default='', nullable=False),
    sa.Column('bank_name', sa.String(length=100), server_default='', nullable=False),
    sa.Column('bank_account', sa.String(length=40), server_default='', nullable=False),
    sa.Column('account_holder', sa.String(length=100), server_default='', nullable=False),
    sa.Column('error', sa.String(length=500), server_default='', nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('marked_paid_by', sa.String(length=100), server_default='', nullable=False),
    sa.Column('reconciled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("method IN ('stripe','bank')", name=op.f('ck_dist_payouts_method')),
    sa.CheckConstraint("status IN ('pending','in_transit','paid','failed')", name=op.f('ck_dist_payouts_status')),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_dist_payouts_amount')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dist_payouts_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dist_payouts')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_dist_payouts_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_dist_payouts_tenant_id_number'))
    )
    op.create_index(op.f('ix_dist_payouts_tenant_id_status'), 'dist_payouts', ['tenant_id', 'status'], unique=False)
    op.create_table('dist_package_parts',
    sa.Column('package_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.SmallInteger(), nullable=False),
    sa.Column('supplier_tenant_id', sa.Uuid(), nullable=False),
    sa.Column('agreement_id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('description', sa.String(length=200), server_default='', nullable=False),
    sa.Column('request', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('status', sa.String(length=12), server_default='pending', nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('sale_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('settlement_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('error', sa.String(length=500), server_default='', nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('pending','booked','failed','compensated','cancelled')", name=op.f('ck_dist_package_parts_status')),
    sa.ForeignKeyConstraint(['tenant_id', 'package_id'], ['dist_packages.tenant_id', 'dist_packages.id'], name=op.f('fk_dist_package_parts_package_id_dist_packages')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dist_package_parts_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dist_package_parts')),
    sa.UniqueConstraint('tenant_id', 'package_id', 'seq', name=op.f('uq_dist_package_parts_tenant_id_package_id_seq'))
    )
    op.create_table('distributors',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='active', nullable=False),
    sa.Column('partner_tenant_id', sa.Uuid(), nullable=True),
    sa.Column('upline_tenant_id', sa.Uuid(), nullable=True),
    sa.Column('appointed_by_id', sa.Uuid(), nullable=True),
    sa.Column('credit_code', sa.String(length=18), server_default='', nullable=False),
    sa.Column('contact_name', sa.String(length=60), server_default='', nullable=False),
    sa.Column('contact_phone', sa.String(length=32), server_default='', nullable=False),
    sa.Column('contact_email', sa.String(length=254), server_default='', nullable=False),
    sa.Column('api_key_id', sa.Uuid(), nullable=True),
    sa.Column('callback_url', sa.String(length=500), server_default='', nullable=False),
    sa.Column('callback_secret_sealed', sa.Text(), server_default='', nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind <> 'tenant' OR partner_tenant_id IS NOT NULL", name=op.f('ck_distributors_tenant_partner')),
    sa.CheckConstraint("kind IN ('tenant','external')", name=op.f('ck_distributors_kind')),
    sa.CheckConstraint("status IN ('active','ended')", name=op.f('ck_distributors_status')),
    sa.CheckConstraint('partner_tenant_id IS NULL OR partner_tenant_id <> tenant_id', name=op.f('ck_distributors_not_self')),
    sa.ForeignKeyConstraint(['tenant_id', 'api_key_id'], ['api_keys.tenant_id', 'api_keys.id'], name=op.f('fk_distributors_api_key_id_api_keys')),
    sa.ForeignKeyConstraint(['tenant_id', 'appointed_by_id'], ['distributors.tenant_id', 'distributors.id'], name=op.f('fk_distributors_appointed_by_id_distributors')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_distributors_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distributors')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_distributors_tenant_id_code')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_distributors_tenant_id_id'))
    )
    op.create_index(op.f('ix_distributors_partner_tenant_id'), 'distributors', ['partner_tenant_id'], unique=False)
    op.create_index(op.f('ix_distributors_upline_tenant_id'), 'distributors', ['upline_tenant_id'], unique=False)
    op.create_index('uq_distributors_tenant_id_api_key_id', 'distributors', ['tenant_id', 'api_key_id'], unique=True, postgresql_where=sa.text('api_key_id IS NOT NULL'))
    op.create_index('uq_distributors_tenant_id_partner_tenant_id', 'distributors', ['tenant_id', 'partner_tenant_id'], unique=True, postgresql_where=sa.text("partner_tenant_id IS NOT NULL AND status = 'active'"))
    op.create_table('dist_agreements',
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('distributor_id', sa.Uuid(), nullable=False),
    sa.Column('partner_tenant_id', sa.Uuid(), nullable=True),
    sa.Column('upline_tenant_id', sa.Uuid(), nullable=True),
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('level', sa.SmallInteger(), server_default=sa.text('1'), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='active', nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('payment_terms', sa.String(length=8), nullable=False),
    sa.Column('credit_limit_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('cycle', sa.String(length=8), server_default='monthly', nullable=False),
    sa.Column('may_appoint', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('platform_fee_bp', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('notes', sa.String(length=500), server_default='', nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("cycle IN ('weekly','monthly')", name=op.f('ck_dist_agreements_cycle')),
    sa.CheckConstraint("payment_terms = 'credit' OR credit_limit_fen = 0", name=op.f('ck_dist_agreements_credit_only')),
    sa.CheckConstraint("payment_terms IN ('prepaid','credit')", name=op.f('ck_dist_agreements_payment_terms')),
    sa.CheckConstraint("status IN ('active','suspended','ended')", name=op.f('ck_dist_agreements_status')),
    sa.CheckConstraint('(level = 1) = (parent_id IS NULL)', name=op.f('ck_dist_agreements_parent_level')),
    sa.CheckConstraint('credit_limit_fen >= 0', name=op.f('ck_dist_agreements_credit_limit')),
    sa.CheckConstraint('level = 1 OR NOT may_appoint', name=op.f('ck_dist_agreements_two_levels')),
    sa.CheckConstraint('level IN (1, 2)', name=op.f('ck_dist_agreements_level')),
    sa.CheckConstraint('platform_fee_bp BETWEEN 0 AND 10000', name=op.f('ck_dist_agreements_platform_fee')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_dist_agreements_validity')),
    sa.ForeignKeyConstraint(['tenant_id', 'distributor_id'], ['distributors.tenant_id', 'distributors.id'], name=op.f('fk_dist_agreements_distributor_id_distributors')),
    sa.ForeignKeyConstraint(['tenant_id', 'parent_id'], ['dist_agreements.tenant_id', 'dist_agreements.id'], name=op.f('fk_dist_agreements_parent_id_dist_agreements')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dist_agreements_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dist_agreements')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_dist_agreements_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_dist_agreements_tenant_id_number'))
    )
    op.create_index(op.f('ix_dist_agreements_partner_tenant_id'), 'dist_agreements', ['partner_tenant_id'], unique=False)
    op.create_index(op.f('ix_dist_agreements_tenant_id_distributor_id'), 'dist_agreements', ['tenant_id', 'distributor_id'], unique=False)
    op.create_index(op.f('ix_dist_agreements_tenant_id_parent_id'), 'dist_agreements', ['tenant_id', 'parent_id'], unique=False)
    op.create_index(op.f('ix_dist_agreements_upline_tenant_id'), 'dist_agreements', ['upline_tenant_id'], unique=False)
    op.create_table('dist_agreement_products',
    sa.Column('agreement_id', sa.Uuid(), nullable=False),
    sa.Column('unit_type_id', sa.Uuid(), nullable=False),
    sa.Column('rate_plan_id', sa.Uuid(), nullable=True),
    sa.Column('voyage_id', sa.Uuid(), nullable=True),
    sa.Column('price_mode', sa.String(length=10), nullable=False),
    sa.Column('net_price_fen', sa.BigInteger(), nullable=True),
    sa.Column('commission_bp', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(price_mode = 'net' AND net_price_fen > 0 AND commission_bp IS NULL) OR (price_mode = 'commission' AND commission_bp BETWEEN 0 AND 10000 AND net_price_fen IS NULL)", name=op.f('ck_dist_agreement_products_price')),
    sa.CheckConstraint("price_mode IN ('net','commission')", name=op.f('ck_dist_agreement_products_price_mode')),
    sa.ForeignKeyConstraint(['tenant_id', 'agreement_id'], ['dist_agreements.tenant_id', 'dist_agreements.id'], name=op.f('fk_dist_agreement_products_agreement_id_dist_agreements')),
    sa.ForeignKeyConstraint(['tenant_id', 'rate_plan_id'], ['rate_plans.tenant_id', 'rate_plans.id'], name=op.f('fk_dist_agreement_products_rate_plan_id_rate_plans')),
    sa.ForeignKeyConstraint(['tenant_id', 'unit_type_id'], ['unit_types.tenant_id', 'unit_types.id'], name=op.f('fk_dist_agreement_products_unit_type_id_unit_types')),
    sa.ForeignKeyConstraint(['tenant_id', 'voyage_id'], ['voyages.tenant_id', 'voyages.id'], name=op.f('fk_dist_agreement_products_voyage_id_voyages')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dist_agreement_products_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dist_agreement_products')),
    sa.UniqueConstraint('tenant_id', 'agreement_id', 'unit_type_id', 'rate_plan_id', 'voyage_id', name='uq_dist_agreement_products_product', postgresql_nulls_not_distinct=True),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_dist_agreement_products_tenant_id_id'))
    )
    op.create_table('dist_ledger_accounts',
    sa.Column('agreement_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('balance_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('limit_fen', sa.BigInteger(), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('distributor_prepaid','distributor_payable','supplier_receivable','upline_commission','platform_fee','payout_clearing','funds')", name=op.f('ck_dist_ledger_accounts_kind')),
    sa.CheckConstraint('limit_fen IS NULL OR balance_fen <= limit_fen', name=op.f('ck_dist_ledger_accounts_within_limit')),
    sa.ForeignKeyConstraint(['tenant_id', 'agreement_id'], ['dist_agreements.tenant_id', 'dist_agreements.id'], name=op.f('fk_dist_ledger_accounts_agreement_id_dist_agreements')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dist_ledger_accounts_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dist_ledger_accounts')),
    sa.UniqueConstraint('tenant_id', 'agreement_id', 'kind', name=op.f('uq_dist_ledger_accounts_tenant_id_agreement_id_kind'), postgresql_nulls_not_distinct=True),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_dist_ledger_accounts_tenant_id_id'))
    )
    op.create_table('dist_statements',
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('agreement_id', sa.Uuid(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='open', nullable=False),
    sa.Column('opening_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('sales_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('cancellations_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('fees_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('adjustments_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('payments_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('closing_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('order_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('supplier_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('supplier_confirmed_by', sa.String(length=100), server_default='', nullable=False),
    sa.Column('distributor_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('distributor_confirmed_by', sa.String(length=100), server_default='', nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('open','issued','confirmed','closed')", name=op.f('ck_dist_statements_status')),
    sa.CheckConstraint('period_end > period_start', name=op.f('ck_dist_statements_period')),
    sa.ForeignKeyConstraint(['tenant_id', 'agreement_id'], ['dist_agreements.tenant_id', 'dist_agreements.id'], name=op.f('fk_dist_statements_agreement_id_dist_agreements')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dist_statements_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dist_statements')),
    sa.UniqueConstraint('tenant_id', 'agreement_id', 'period_start', name=op.f('uq_dist_statements_tenant_id_agreement_id_period_start')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_dist_statements_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_dist_statements_tenant_id_number'))
    )
    op.create_index(op.f('ix_dist_statements_tenant_id_status_period_end'), 'dist_statements', ['tenant_id', 'status', 'period_end'], unique=False)
    op.create_table('dist_orders',
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('agreement_id', sa.Uuid(), nullable=False),
    sa.Column('distributor_id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('reservation_id', sa.Uuid(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=100), nullable=False),
    sa.Column('request_digest', sa.String(length=64), server_default='', nullable=False),
    sa.Column('external_ref', sa.String(length=64), server_default='', nullable=False),
    sa.Column('package_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=10), server_default='confirmed', nullable=False),
    sa.Column('quantity', sa.SmallInteger(), server_default=sa.text('1'), nullable=False),
    sa.Column('arrival', sa.Date(), nullable=False),
    sa.Column('departure', sa.Date(), nullable=False),
    sa.Column('sale_fen', sa.BigInteger(), nullable=False),
    sa.Column('settlement_fen', sa.BigInteger(), nullable=False),
    sa.Column('cancellation_fee_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('guest_name', sa.String(length=100), server_default='', nullable=False),
    sa.Column('redeemed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('confirmed','cancelled','redeemed')", name=op.f('ck_dist_orders_status')),
    sa.CheckConstraint('quantity >= 1 AND sale_fen >= 0 AND settlement_fen >= 0 AND settlement_fen <= sale_fen AND cancellation_fee_fen >= 0', name=op.f('ck_dist_orders_money')),
    sa.ForeignKeyConstraint(['tenant_id', 'agreement_id'], ['dist_agreements.tenant_id', 'dist_agreements.id'], name=op.f('fk_dist_orders_agreement_id_dist_agreements')),
    sa.ForeignKeyConstraint(['tenant_id', 'distributor_id'], ['distributors.tenant_id', 'distributors.id'], name=op.f('fk_dist_orders_distributor_id_distributors')),
    sa.ForeignKeyConstraint(['tenant_id', 'product_id'], ['dist_agreement_products.tenant_id', 'dist_agreement_products.id'], name=op.f('fk_dist_orders_product_id_dist_agreement_products')),
    sa.ForeignKeyConstraint(['tenant_id', 'reservation_id'], ['reservations.tenant_id', 'reservations.id'], name=op.f('fk_dist_orders_reservation_id_reservations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dist_orders_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dist_orders')),
    sa.UniqueConstraint('tenant_id', 'distributor_id', 'idempotency_key', name=op.f('uq_dist_orders_tenant_id_distributor_id_idempotency_key')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_dist_orders_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_dist_orders_tenant_id_number'))
    )
    op.create_index(op.f('ix_dist_orders_tenant_id_agreement_id_created_at'), 'dist_orders', ['tenant_id', 'agreement_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_dist_orders_tenant_id_reservation_id'), 'dist_orders', ['tenant_id', 'reservation_id'], unique=False)
    op.create_table('dist_callbacks',
    sa.Column('distributor_id', sa.Uuid(), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('event_type', sa.String(length=40), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='pending', nullable=False),
    sa.Column('attempts', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status_code', sa.SmallInteger(), nullable=True),
    sa.Column('last_error', sa.String(length=500), server_default='', nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('pending','delivered','failed')", name=op.f('ck_dist_callbacks_status')),
    sa.ForeignKeyConstraint(['tenant_id', 'distributor_id'], ['distributors.tenant_id', 'distributors.id'], name=op.f('fk_dist_callbacks_distributor_id_distributors')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['dist_orders.tenant_id', 'dist_orders.id'], name=op.f('fk_dist_callbacks_order_id_dist_orders')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dist_callbacks_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dist_callbacks')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_dist_callbacks_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'message_id', name=op.f('uq_dist_callbacks_tenant_id_message_id'))
    )
    op.create_index(op.f('ix_dist_callbacks_tenant_id_distributor_id_created_at'), 'dist_callbacks', ['tenant_id', 'distributor_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_dist_callbacks_tenant_id_status_next_attempt_at'), 'dist_callbacks', ['tenant_id', 'status', 'next_attempt_at'], unique=False)
    op.create_table('dist_ledger_entries',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('agreement_id', sa.Uuid(), nullable=True),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('reverses_id', sa.Uuid(), nullable=True),
    sa.Column('accounting_date', sa.Date(), nullable=False),
    sa.Column('memo', sa.String(length=200), server_default='', nullable=False),
    sa.Column('reference', sa.String(length=100), server_default='', nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('sale','cancellation','cancellation_fee','refund','topup','payment','payout','payout_paid','adjustment','reversal')", name=op.f('ck_dist_ledger_entries_kind')),
    sa.ForeignKeyConstraint(['tenant_id', 'agreement_id'], ['dist_agreements.tenant_id', 'dist_agreements.id'], name=op.f('fk_dist_ledger_entries_agreement_id_dist_agreements')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['dist_orders.tenant_id', 'dist_orders.id'], name=op.f('fk_dist_ledger_entries_order_id_dist_orders')),
    sa.ForeignKeyConstraint(['tenant_id', 'reverses_id'], ['dist_ledger_entries.tenant_id', 'dist_ledger_entries.id'], name=op.f('fk_dist_ledger_entries_reverses_id_dist_ledger_entries')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dist_ledger_entries_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dist_ledger_entries')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_dist_ledger_entries_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'reverses_id', name=op.f('uq_dist_ledger_entries_tenant_id_reverses_id'))
    )
    op.create_index(op.f('ix_dist_ledger_entries_tenant_id_agreement_id_accounting_date'), 'dist_ledger_entries', ['tenant_id', 'agreement_id', 'accounting_date'], unique=False)
    op.create_index(op.f('ix_dist_ledger_entries_tenant_id_order_id'), 'dist_ledger_entries', ['tenant_id', 'order_id'], unique=False)
    op.create_table('dist_callback_attempts',
    sa.Column('callback_id', sa.Uuid(), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_code', sa.SmallInteger(), nullable=True),
    sa.Column('error', sa.String(length=500), server_default='', nullable=False),
    sa.Column('duration_ms', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('manual', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'callback_id'], ['dist_callbacks.tenant_id', 'dist_callbacks.id'], name=op.f('fk_dist_callback_attempts_callback_id_dist_callbacks')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dist_callback_attempts_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dist_callback_attempts'))
    )
    op.create_index(op.f('ix_dist_callback_attempts_tenant_id_callback_id'), 'dist_callback_attempts', ['tenant_id', 'callback_id'], unique=False)
    op.create_table('dist_disputes',
    sa.Column('statement_id', sa.Uuid(), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('entry_id', sa.Uuid(), nullable=True),
    sa.Column('raised_by', sa.String(length=12), nullable=False),
    sa.Column('raised_by_name', sa.String(length=100), server_default='', nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('claimed_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='open', nullable=False),
    sa.Column('resolution', sa.String(length=500), server_default='', nullable=False),
    sa.Column('resolution_entry_id', sa.Uuid(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("raised_by IN ('supplier','distributor')", name=op.f('ck_dist_disputes_raised_by')),
    sa.CheckConstraint("status IN ('open','resolved','rejected')", name=op.f('ck_dist_disputes_status')),
    sa.ForeignKeyConstraint(['tenant_id', 'entry_id'], ['dist_ledger_entries.tenant_id', 'dist_ledger_entries.id'], name=op.f('fk_dist_disputes_entry_id_dist_ledger_entries')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['dist_orders.tenant_id', 'dist_orders.id'], name=op.f('fk_dist_disputes_order_id_dist_orders')),
    sa.ForeignKeyConstraint(['tenant_id', 'resolution_entry_id'], ['dist_ledger_entries.tenant_id', 'dist_ledger_entries.id'], name=op.f('fk_dist_disputes_resolution_entry_id_dist_ledger_entries')),
    sa.ForeignKeyConstraint(['tenant_id', 'statement_id'], ['dist_statements.tenant_id', 'dist_statements.id'], name=op.f('fk_dist_disputes_statement_id_dist_statements')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dist_disputes_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dist_disputes')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_dist_disputes_tenant_id_id'))
    )
    op.create_index(op.f('ix_dist_disputes_tenant_id_statement_id'), 'dist_disputes', ['tenant_id', 'statement_id'], unique=False)
    op.create_table('dist_ledger_postings',
    sa.Column('entry_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('agreement_id', sa.Uuid(), nullable=True),
    sa.Column('accounting_date', sa.Date(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('amount_fen <> 0', name=op.f('ck_dist_ledger_postings_nonzero')),
    sa.ForeignKeyConstraint(['tenant_id', 'account_id'], ['dist_ledger_accounts.tenant_id', 'dist_ledger_accounts.id'], name=op.f('fk_dist_ledger_postings_account_id_dist_ledger_accounts')),
    sa.ForeignKeyConstraint(['tenant_id', 'entry_id'], ['dist_ledger_entries.tenant_id', 'dist_ledger_entries.id'], name=op.f('fk_dist_ledger_postings_entry_id_dist_ledger_entries')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dist_ledger_postings_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dist_ledger_postings'))
    )
    op.create_index(op.f('ix_dist_ledger_postings_tenant_id_account_id'), 'dist_ledger_postings', ['tenant_id', 'account_id'], unique=False)
    op.create_index(op.f('ix_dist_ledger_postings_tenant_id_agreement_id_accounting_date'), 'dist_ledger_postings', ['tenant_id', 'agreement_id', 'accounting_date'], unique=False)
    op.create_index(op.f('ix_dist_ledger_postings_tenant_id_entry_id'), 'dist_ledger_postings', ['tenant_id', 'entry_id'], unique=False)
    op.add_column('reservations', sa.Column('channel', sa.String(length=100), server_default='', nullable=False))


def _drop() -> None:
    op.drop_column('reservations', 'channel')
    op.drop_index(op.f('ix_dist_ledger_postings_tenant_id_entry_id'), table_name='dist_ledger_postings')
    op.drop_index(op.f('ix_dist_ledger_postings_tenant_id_agreement_id_accounting_date'), table_name='dist_ledger_postings')
    op.drop_index(op.f('ix_dist_ledger_postings_tenant_id_account_id'), table_name='dist_ledger_postings')
    op.drop_table('dist_ledger_postings')
    op.drop_index(op.f('ix_dist_disputes_tenant_id_statement_id'), table_name='dist_disputes')
    op.drop_table('dist_disputes')
    op.drop_index(op.f('ix_dist_callback_attempts_tenant_id_callback_id'), table_name='dist_callback_attempts')
    op.drop_table('dist_callback_attempts')
    op.drop_index(op.f('ix_dist_ledger_entries_tenant_id_order_id'), table_name='dist_ledger_entries')
    op.drop_index(op.f('ix_dist_ledger_entries_tenant_id_agreement_id_accounting_date'), table_name='dist_ledger_entries')
    op.drop_table('dist_ledger_entries')
    op.drop_index(op.f('ix_dist_callbacks_tenant_id_status_next_attempt_at'), table_name='dist_callbacks')
    op.drop_index(op.f('ix_dist_callbacks_tenant_id_distributor_id_created_at'), table_name='dist_callbacks')
    op.drop_table('dist_callbacks')
    op.drop_index(op.f('ix_dist_orders_tenant_id_reservation_id'), table_name='dist_orders')
    op.drop_index(op.f('ix_dist_orders_tenant_id_agreement_id_created_at'), table_name='dist_orders')
    op.drop_table('dist_orders')
    op.drop_index(op.f('ix_dist_statements_tenant_id_status_period_end'), table_name='dist_statements')
    op.drop_table('dist_statements')
    op.drop_table('dist_ledger_accounts')
    op.drop_table('dist_agreement_products')
    op.drop_index(op.f('ix_dist_agreements_upline_tenant_id'), table_name='dist_agreements')
    op.drop_index(op.f('ix_dist_agreements_tenant_id_parent_id'), table_name='dist_agreements')
    op.drop_index(op.f('ix_dist_agreements_tenant_id_distributor_id'), table_name='dist_agreements')
    op.drop_index(op.f('ix_dist_agreements_partner_tenant_id'), table_name='dist_agreements')
    op.drop_table('dist_agreements')
    op.drop_index('uq_distributors_tenant_id_partner_tenant_id', table_name='distributors', postgresql_where=sa.text("partner_tenant_id IS NOT NULL AND status = 'active'"))
    op.drop_index('uq_distributors_tenant_id_api_key_id', table_name='distributors', postgresql_where=sa.text('api_key_id IS NOT NULL'))
    op.drop_index(op.f('ix_distributors_upline_tenant_id'), table_name='distributors')
    op.drop_index(op.f('ix_distributors_partner_tenant_id'), table_name='distributors')
    op.drop_table('distributors')
    op.drop_table('dist_package_parts')
    op.drop_index(op.f('ix_dist_payouts_tenant_id_status'), table_name='dist_payouts')
    op.drop_table('dist_payouts')
    op.drop_table('dist_packages')
