"""Tables of bureau filing: each tenant's registration with the bureau, its filings and
every attempt to deliver one. All tenant-owned, under forced row-level security."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantScoped, tenant_foreign_key, tenant_key

_KINDS = "'contract','amendment','cancellation','group','statistics','guide_assignment'"
_STATES = "'held','waiting','pending','paused','accepted','rejected','conflicted','superseded'"


class BureauRegistration(TenantScoped, Base):
    """The enterprise's identity at the bureau: its code, its district, and the filing
    secret (encrypted; see app.security.crypto). `status='paused'` after the bureau
    refused our credentials: nothing is sent until the owner resumes."""

    __tablename__ = "bureau_registrations"
    __table_args__ = (
        UniqueConstraint("tenant_id"),
        CheckConstraint("status IN ('active','paused')", "status"),
        CheckConstraint("district_code ~ '^50[0-9]{4}$'", "district_code"),
    )

    enterprise_code: Mapped[str] = mapped_column(String(18))
    district_code: Mapped[str] = mapped_column(String(6))
    secret_sealed: Mapped[str] = mapped_column(Text)
    secret_set_at: Mapped[datetime] = mapped_column(server_default=func.now())
    status: Mapped[str] = mapped_column(String(16), server_default="active")
    paused_at: Mapped[datetime | None]
    paused_status: Mapped[int | None] = mapped_column(Integer)
    paused_reason: Mapped[str | None] = mapped_column(Text)
    last_test_at: Mapped[datetime | None]
    last_test_status: Mapped[int | None] = mapped_column(Integer)
    last_test_result: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Filing(TenantScoped, Base):
    """One logical filing. Its Idempotency-Key and body bytes are fixed once (the body
    when it is sealed, before any attempt) and sent unchanged on every retry."""

    __tablename__ = "filings"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        CheckConstraint(f"kind IN ({_KINDS})", "kind"),
        CheckConstraint(f"state IN ({_STATES})", "state"),
        CheckConstraint("state = 'held' OR body IS NOT NULL", "sealed_unless_held"),
        Index(None, "tenant_id", "created_at"),
        Index(None, "tenant_id", "state", "due_at"),
        Index(None, "tenant_id", "kind", "ref"),
        Index(None, "tenant_id", "depends_on_id"),
        tenant_key(),
        tenant_foreign_key("filings", "depends_on_id", "filings"),
        tenant_foreign_key("filings", "replaces_id", "filings"),
    )

    kind: Mapped[str] = mapped_column(String(24))
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(64))
    ref: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(400))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(16))
    depends_on_id: Mapped[uuid.UUID | None]
    replaces_id: Mapped[uuid.UUID | None]
    # Set when another filing waits for this one, so accepting it releases them (and
    # accepting one nobody waits for costs no extra statement).
    has_dependents: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_attempt_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    conflict_code: Mapped[str | None] = mapped_column(String(64))
    receipt_no: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    alerted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class FilingAttempt(TenantScoped, Base):
    """One delivery attempt: when, what the bureau answered (or that it did not), how
    long it took. Kept for the tenant to see and for disputes with the bureau."""

    __tablename__ = "filing_attempts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "filing_id", "number"),
        CheckConstraint(
            "outcome IN ('accepted','replayed','rejected','refused','conflicted','busy',"
            "'failed','no_answer')",
            "outcome",
        ),
        tenant_foreign_key("filing_attempts", "filing_id", "filings", ondelete="CASCADE"),
    )

    filing_id: Mapped[uuid.UUID]
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    latency_ms: Mapped[int] = mapped_column(Integer)
    status: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    response_body: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    retry_after: Mapped[int | None] = mapped_column(Integer)
