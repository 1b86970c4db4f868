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

from app.db.migration_helpers import (
    append_only,
    create_tenant_table,
    drop_append_only,
    drop_tenant_table,
    foreign_key,
    tenant_index,
    tenant_unique,
    timestamp_now,
)

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
    create_tenant_table(
        "contract_counters",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("last_sequence >= 0", name=op.f("ck_contract_counters_last_sequence")),
        tenant_unique("contract_counters", "year"),
    )


def _contracts() -> None:
    create_tenant_table(
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
        timestamp_now("updated_at"),
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
        foreign_key("contracts", "cancelled_by", "users"),
        foreign_key("contracts", "created_by", "users"),
        tenant_unique("contracts", "e_number"),
        tenant_unique("contracts", "e_year", "e_sequence"),
    )
    tenant_index("contracts", "sign_token_hash")
    tenant_index("contracts", "start_date")
    tenant_index("contracts", "status")


def _contract_days() -> None:
    create_tenant_table(
        "contract_days",
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("day_no", sa.Integer(), nullable=False),
        sa.Column("route", sa.Text(), server_default="", nullable=False),
        sa.Column("sights", sa.Text(), server_default="", nullable=False),
        sa.Column("transport", sa.Text(), server_default="", nullable=False),
        sa.Column("lodging", sa.Text(), server_default="", nullable=False),
        sa.Column("meals", sa.Text(), server_default="", nullable=False),
        sa.Column("free_time", sa.Text(), server_default="", nullable=False),
        foreign_key("contract_days", "contract_id", "contracts", ondelete="CASCADE"),
        tenant_unique("contract_days", "contract_id", "day_no"),
    )


def _contract_tourists() -> None:
    create_tenant_table(
        "contract_tourists",
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("id_type", sa.String(length=20), nullable=False),
        sa.Column("id_number", sa.String(length=40), nullable=False),
        sa.Column("phone", sa.String(length=20), server_default="", nullable=False),
        sa.Column("is_lead", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.CheckConstraint(
            "id_type IN ('resident_id','passport','hk_macau_permit','taiwan_permit','other')",
            name=op.f("ck_contract_tourists_id_type"),
        ),
        foreign_key("contract_tourists", "contract_id", "contracts", ondelete="CASCADE"),
    )
    tenant_index("contract_tourists", "contract_id")


def _contract_versions() -> None:
    create_tenant_table(
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
        foreign_key("contract_versions", "contract_id", "contracts"),
        foreign_key("contract_versions", "created_by", "users"),
        tenant_unique("contract_versions", "contract_id", "version"),
    )


def _contract_signatures() -> None:
    create_tenant_table(
        "contract_signatures",
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("party", sa.String(length=8), nullable=False),
        sa.Column("signer_name", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        timestamp_now("signed_at"),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "party IN ('tourist','agency')", name=op.f("ck_contract_signatures_party")
        ),
        foreign_key("contract_signatures", "contract_id", "contracts"),
        foreign_key("contract_signatures", "user_id", "users"),
        foreign_key("contract_signatures", "version_id", "contract_versions"),
        tenant_unique("contract_signatures", "version_id", "party"),
    )


def upgrade() -> None:
    _contract_counters()
    _contracts()
    _contract_days()
    _contract_tourists()
    _contract_versions()
    _contract_signatures()
    op.execute(FROZEN_VERSION)
    op.execute(
        "CREATE TRIGGER contract_versions_frozen BEFORE UPDATE OR DELETE ON contract_versions "
        "FOR EACH ROW EXECUTE FUNCTION contract_version_frozen()"
    )
    append_only("contract_signatures")


def downgrade() -> None:
    drop_append_only("contract_signatures")
    op.execute("DROP TRIGGER IF EXISTS contract_versions_frozen ON contract_versions")
    op.execute("DROP FUNCTION IF EXISTS contract_version_frozen()")
    for table in reversed(TENANT_TABLES):
        drop_tenant_table(table)
