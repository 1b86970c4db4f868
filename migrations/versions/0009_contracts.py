"""contracts tables: contracts with tourists and itinerary days, frozen versions with
their PDFs, signatures (append-only) and the per-agency, per-year e-number counters
(forced RLS)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.db.rls import disable_rls, enable_rls

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = (
    "contract_counters",
    "contracts",
    "contract_days",
    "contract_tourists",
    "contract_versions",
    "contract_signatures",
)
# A signed PDF is served unchanged ever after: once a version has its PDF, the row is
# frozen (a version sent but taken back before anyone signed it may be deleted; one the
# tourist signed is held by its signature's foreign key). Signatures are append-only.
FROZEN_VERSION = """
CREATE FUNCTION contract_version_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.pdf IS NOT NULL THEN
    RAISE EXCEPTION 'contract version % is signed and cannot change (append-only)', OLD.id
      USING ERRCODE = 'P0001';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$
"""


def _contract_counters() -> None:
    op.create_table(
        "contract_counters",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("last_sequence >= 0", name=op.f("ck_contract_counters_last_sequence")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_contract_counters_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_counters")),
        sa.UniqueConstraint("tenant_id", "year", name=op.f("uq_contract_counters_tenant_id_year")),
    )


def _contracts() -> None:
    op.create_table(
        "contracts",
        sa.Column("contract_type", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("e_number", sa.String(length=32), nullable=True),
        sa.Column("e_year", sa.Integer(), nullable=True),
        sa.Column("e_sequence", sa.Integer(), nullable=True),
        sa.Column("route_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("departure", sa.String(length=100), server_default="", nullable=False),
        sa.Column(
            "destinations",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("nights", sa.Integer(), nullable=True),
        sa.Column("min_group_size", sa.Integer(), nullable=True),
        sa.Column("transport_standard", sa.Text(), server_default="", nullable=False),
        sa.Column("lodging_standard", sa.Text(), server_default="", nullable=False),
        sa.Column("meal_standard", sa.Text(), server_default="", nullable=False),
        sa.Column("free_time", sa.Text(), server_default="", nullable=False),
        sa.Column("price_total_fen", sa.BigInteger(), nullable=True),
        sa.Column("payment_deadline", sa.Date(), nullable=True),
        sa.Column("payment_method", sa.String(length=200), server_default="", nullable=False),
        sa.Column("insurance", sa.String(length=16), server_default="", nullable=False),
        sa.Column("insurer", sa.String(length=100), server_default="", nullable=False),
        sa.Column("policy_no", sa.String(length=64), server_default="", nullable=False),
        sa.Column("dispute_resolution", sa.String(length=16), server_default="", nullable=False),
        sa.Column("dispute_body", sa.String(length=200), server_default="", nullable=False),
        sa.Column("sold_by_agent", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("selling_agency", sa.Text(), server_default="", nullable=False),
        sa.Column("delegated", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("ground_operator", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "guide_ids",
            postgresql.ARRAY(sa.Uuid()),
            server_default=sa.text("'{}'::uuid[]"),
            nullable=False,
        ),
        sa.Column("guide_fee_fen", sa.BigInteger(), nullable=True),
        sa.Column("agency_licence_no", sa.String(length=64), server_default="", nullable=False),
        sa.Column("agency_address", sa.String(length=200), server_default="", nullable=False),
        sa.Column("agency_phone", sa.String(length=40), server_default="", nullable=False),
        sa.Column("lead_phone", sa.String(length=20), server_default="", nullable=False),
        sa.Column("lead_email", sa.String(length=254), server_default="", nullable=False),
        sa.Column("other_terms", sa.Text(), server_default="", nullable=False),
        sa.Column("sign_token_hash", sa.String(length=64), nullable=True),
        sa.Column("sign_token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("code_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("code_attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("verify_code_hash", sa.String(length=64), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("filing_id", sa.Uuid(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.Uuid(), nullable=True),
        sa.Column("cancel_party", sa.String(length=24), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("cancel_notice_date", sa.Date(), nullable=True),
        sa.Column("refund_fen", sa.BigInteger(), nullable=True),
        sa.Column("penalty_fen", sa.BigInteger(), nullable=True),
        sa.Column("cancel_filing_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "contract_type IN "
            "('domestic_group','outbound_group','day_tour','domestic_independent')",
            name=op.f("ck_contracts_contract_type"),
        ),
        sa.CheckConstraint(
            "status IN ('draft','awaiting_tourist','awaiting_agency') OR e_number IS NOT NULL",
            name=op.f("ck_contracts_binding_has_e_number"),
        ),
        sa.CheckConstraint(
            "status IN ('draft','awaiting_tourist','awaiting_agency','signed','cancelled')",
            name=op.f("ck_contracts_status"),
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by"], ["users.id"], name=op.f("fk_contracts_cancelled_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_contracts_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_contracts_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("tenant_id", "e_number", name=op.f("uq_contracts_tenant_id_e_number")),
        sa.UniqueConstraint(
            "tenant_id",
            "e_year",
            "e_sequence",
            name=op.f("uq_contracts_tenant_id_e_year_e_sequence"),
        ),
    )
    op.create_index(
        "ix_contracts_tenant_id_sign_token_hash",
        "contracts",
        ["tenant_id", "sign_token_hash"],
        unique=False,
    )
    op.create_index(
        "ix_contracts_tenant_id_start_date", "contracts", ["tenant_id", "start_date"], unique=False
    )
    op.create_index(
        "ix_contracts_tenant_id_status", "contracts", ["tenant_id", "status"], unique=False
    )


def _contract_days() -> None:
    op.create_table(
        "contract_days",
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("day_no", sa.Integer(), nullable=False),
        sa.Column("route", sa.Text(), server_default="", nullable=False),
        sa.Column("sights", sa.Text(), server_default="", nullable=False),
        sa.Column("transport", sa.Text(), server_default="", nullable=False),
        sa.Column("lodging", sa.Text(), server_default="", nullable=False),
        sa.Column("meals", sa.Text(), server_default="", nullable=False),
        sa.Column("free_time", sa.Text(), server_default="", nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_days_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_contract_days_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_days")),
        sa.UniqueConstraint(
            "tenant_id",
            "contract_id",
            "day_no",
            name=op.f("uq_contract_days_tenant_id_contract_id_day_no"),
        ),
    )


def _contract_tourists() -> None:
    op.create_table(
        "contract_tourists",
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("id_type", sa.String(length=20), nullable=False),
        sa.Column("id_number", sa.String(length=40), nullable=False),
        sa.Column("phone", sa.String(length=20), server_default="", nullable=False),
        sa.Column("is_lead", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "id_type IN ('resident_id','passport','hk_macau_permit','taiwan_permit','other')",
            name=op.f("ck_contract_tourists_id_type"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_tourists_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_contract_tourists_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_tourists")),
    )
    op.create_index(
        "ix_contract_tourists_tenant_id_contract_id",
        "contract_tourists",
        ["tenant_id", "contract_id"],
        unique=False,
    )


def _contract_versions() -> None:
    op.create_table(
        "contract_versions",
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("document_html", sa.Text(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("filing_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_versions_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_contract_versions_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_contract_versions_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_versions")),
        sa.UniqueConstraint(
            "tenant_id",
            "contract_id",
            "version",
            name=op.f("uq_contract_versions_tenant_id_contract_id_version"),
        ),
    )


def _contract_signatures() -> None:
    op.create_table(
        "contract_signatures",
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("party", sa.String(length=8), nullable=False),
        sa.Column("signer_name", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "signed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "party IN ('tourist','agency')", name=op.f("ck_contract_signatures_party")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_signatures_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_contract_signatures_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_contract_signatures_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["contract_versions.id"],
            name=op.f("fk_contract_signatures_version_id_contract_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_signatures")),
        sa.UniqueConstraint(
            "tenant_id",
            "version_id",
            "party",
            name=op.f("uq_contract_signatures_tenant_id_version_id_party"),
        ),
    )


def upgrade() -> None:
    _contract_counters()
    _contracts()
    _contract_days()
    _contract_tourists()
    _contract_versions()
    _contract_signatures()
    for table in TENANT_TABLES:
        enable_rls(op, table)
    op.execute(FROZEN_VERSION)
    op.execute(
        "CREATE TRIGGER contract_versions_frozen BEFORE UPDATE OR DELETE ON contract_versions "
        "FOR EACH ROW EXECUTE FUNCTION contract_version_frozen()"
    )
    op.execute(
        "CREATE TRIGGER contract_signatures_append_only BEFORE UPDATE OR DELETE "
        "ON contract_signatures FOR EACH ROW EXECUTE FUNCTION zhilv_refuse_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS contract_signatures_append_only ON contract_signatures")
    op.execute("DROP TRIGGER IF EXISTS contract_versions_frozen ON contract_versions")
    op.execute("DROP FUNCTION IF EXISTS contract_version_frozen()")
    for table in TENANT_TABLES:
        disable_rls(op, table)
    for table in reversed(TENANT_TABLES):
        op.drop_table(table)
