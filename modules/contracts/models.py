"""Tables of the contracts module (every one tenant-scoped, row-level security forced by
migration 0009).

A contract is edited as a draft; sending it to the tourist freezes its text as a
version (the exact HTML, with its SHA-256). Signatures are append-only and name the
version they signed. Countersigning gives the contract its e-number from the agency's
per-year counter row and stores the PDF in the version, which is never changed again
(a trigger refuses it). Amendments are new versions with their reason and own PDF.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantScoped, tenant_foreign_key, tenant_key

STATUSES = ("draft", "awaiting_tourist", "awaiting_agency", "signed", "cancelled")
_STATUSES = ",".join(f"'{s}'" for s in STATUSES)
_TYPES = "'domestic_group','outbound_group','day_tour','domestic_independent'"


class Contract(TenantScoped, Base):
    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUSES})", "status"),
        CheckConstraint(f"contract_type IN ({_TYPES})", "contract_type"),
        CheckConstraint("status IN ('draft','awaiting_tourist','awaiting_agency') "
                        "OR e_number IS NOT NULL", "binding_has_e_number"),
        UniqueConstraint("tenant_id", "e_number"),
        UniqueConstraint("tenant_id", "e_year", "e_sequence"),
        Index("ix_contracts_tenant_id_status", "tenant_id", "status"),
        Index("ix_contracts_tenant_id_start_date", "tenant_id", "start_date"),
        Index("ix_contracts_tenant_id_sign_token_hash", "tenant_id", "sign_token_hash"),
        tenant_key(),
    )  # fmt: skip

    contract_type: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(20), server_default="draft")
    version: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    e_number: Mapped[str | None] = mapped_column(String(32))
    e_year: Mapped[int | None] = mapped_column(Integer)
    e_sequence: Mapped[int | None] = mapped_column(Integer)
    route_name: Mapped[str] = mapped_column(String(200), server_default="")
    departure: Mapped[str] = mapped_column(String(100), server_default="")
    destinations: Mapped[list[str]] = mapped_column(
        ARRAY(Text), server_default=text("'{}'::text[]")
    )
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    nights: Mapped[int | None] = mapped_column(Integer)
    min_group_size: Mapped[int | None] = mapped_column(Integer)
    transport_standard: Mapped[str] = mapped_column(Text, server_default="")
    lodging_standard: Mapped[str] = mapped_column(Text, server_default="")
    meal_standard: Mapped[str] = mapped_column(Text, server_default="")
    free_time: Mapped[str] = mapped_column(Text, server_default="")
    price_total_fen: Mapped[int | None] = mapped_column(BigInteger)
    payment_deadline: Mapped[date | None] = mapped_column(Date)
    payment_method: Mapped[str] = mapped_column(String(200), server_default="")
    insurance: Mapped[str] = mapped_column(String(16), server_default="")
    insurer: Mapped[str] = mapped_column(String(100), server_default="")
    policy_no: Mapped[str] = mapped_column(String(64), server_default="")
    dispute_resolution: Mapped[str] = mapped_column(String(16), server_default="")
    dispute_body: Mapped[str] = mapped_column(String(200), server_default="")
    sold_by_agent: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    selling_agency: Mapped[str] = mapped_column(Text, server_default="")
    delegated: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    ground_operator: Mapped[str] = mapped_column(Text, server_default="")
    guide_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), server_default=text("'{}'::uuid[]")
    )
    guide_fee_fen: Mapped[int | None] = mapped_column(BigInteger)
    agency_licence_no: Mapped[str] = mapped_column(String(64), server_default="")
    agency_address: Mapped[str] = mapped_column(String(200), server_default="")
    agency_phone: Mapped[str] = mapped_column(String(40), server_default="")
    lead_phone: Mapped[str] = mapped_column(String(20), server_default="")
    lead_email: Mapped[str] = mapped_column(String(254), server_default="")
    other_terms: Mapped[str] = mapped_column(Text, server_default="")
    # The signing link (`<tenant>.<secret>`, only its hash kept) and the one-time code.
    sign_token_hash: Mapped[str | None] = mapped_column(String(64))
    sign_token_expires_at: Mapped[datetime | None]
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[datetime | None]
    code_sent_at: Mapped[datetime | None]
    code_attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # The code printed on the PDF for the public check (hashed with the e-number).
    verify_code_hash: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[datetime | None]
    filing_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    cancel_party: Mapped[str | None] = mapped_column(String(24))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancel_notice_date: Mapped[date | None] = mapped_column(Date)
    refund_fen: Mapped[int | None] = mapped_column(BigInteger)
    penalty_fen: Mapped[int | None] = mapped_column(BigInteger)
    cancel_filing_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ContractTourist(TenantScoped, Base):
    __tablename__ = "contract_tourists"
    __table_args__ = (
        CheckConstraint(
            "id_type IN ('resident_id','passport','hk_macau_permit','taiwan_permit','other')",
            "id_type",
        ),
        Index("ix_contract_tourists_tenant_id_contract_id", "tenant_id", "contract_id"),
        tenant_foreign_key("contract_tourists", "contract_id", "contracts", ondelete="CASCADE"),
    )

    contract_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50))
    id_type: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(20), server_default="")
    is_lead: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class ContractDay(TenantScoped, Base):
    __tablename__ = "contract_days"
    __table_args__ = (
        UniqueConstraint("tenant_id", "contract_id", "day_no"),
        tenant_foreign_key("contract_days", "contract_id", "contracts", ondelete="CASCADE"),
    )

    contract_id: Mapped[uuid.UUID]
    day_no: Mapped[int] = mapped_column(Integer)
    route: Mapped[str] = mapped_column(Text, server_default="")
    sights: Mapped[str] = mapped_column(Text, server_default="")
    transport: Mapped[str] = mapped_column(Text, server_default="")
    lodging: Mapped[str] = mapped_column(Text, server_default="")
    meals: Mapped[str] = mapped_column(Text, server_default="")
    free_time: Mapped[str] = mapped_column(Text, server_default="")


class ContractVersion(TenantScoped, Base):
    """One frozen text of a contract. Once its PDF is stored the row never changes."""

    __tablename__ = "contract_versions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "contract_id", "version"),
        tenant_key(),
        tenant_foreign_key("contract_versions", "contract_id", "contracts"),
    )

    contract_id: Mapped[uuid.UUID]
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, server_default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB)
    document_html: Mapped[str] = mapped_column(Text)
    document_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    effective_at: Mapped[datetime | None]
    filing_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class ContractSignature(TenantScoped, Base):
    """Who signed which exact text, when and from where. Append-only."""

    __tablename__ = "contract_signatures"
    __table_args__ = (
        CheckConstraint("party IN ('tourist','agency')", "party"),
        UniqueConstraint("tenant_id", "version_id", "party"),
        tenant_foreign_key("contract_signatures", "contract_id", "contracts"),
        tenant_foreign_key("contract_signatures", "version_id", "contract_versions"),
    )

    contract_id: Mapped[uuid.UUID]
    version_id: Mapped[uuid.UUID]
    party: Mapped[str] = mapped_column(String(8))
    signer_name: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(server_default=func.now())
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(Text)
    document_sha256: Mapped[str] = mapped_column(String(64))


class ContractCounter(TenantScoped, Base):
    """The last e-number sequence of an agency in a year. Its row is locked by the
    signing transaction, so concurrent signings number 1, 2, 3 … with no gap."""

    __tablename__ = "contract_counters"
    __table_args__ = (
        UniqueConstraint("tenant_id", "year"),
        CheckConstraint("last_sequence >= 0", "last_sequence"),
    )

    year: Mapped[int] = mapped_column(Integer)
    last_sequence: Mapped[int] = mapped_column(Integer, server_default=text("0"))
