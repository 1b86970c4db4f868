"""Tables of the guide archive (migration 0008).

Tenant tables (row-level security forced): `guides`, their `guide_certificates`,
`guide_ratings`, `guide_complaints` and `guide_assignments` (a guide leading a group on
given dates; `group_id` has no foreign key because the groups table comes in a later
migration, and the groups module calls this module's service rather than joining).

One GLOBAL table: `guide_registry` says which enterprise archives a licence number. It has
no `tenant_id` on purpose: the public licence look-up must find the enterprise before any
tenant is bound (like `tenants` itself). It holds only the licence number and the
publisher's id, nothing about the guide; everything shown publicly is then read from
`guides` under row-level security of that enterprise.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.db.base import Base, TenantScoped, tenant_foreign_key, tenant_key


class Guide(TenantScoped, Base):
    __tablename__ = "guides"
    __table_args__ = (
        UniqueConstraint("tenant_id", "licence_no"),
        CheckConstraint("level IN ('junior','intermediate','senior','master')", name="level"),
        CheckConstraint("status IN ('active','left')", name="status"),
        CheckConstraint(
            "(photo IS NULL) = (photo_type IS NULL AND photo_token IS NULL)", name="photo"
        ),
        Index(
            "ix_guides_tenant_id_status_licence_valid_until",
            "tenant_id",
            "status",
            "licence_valid_until",
        ),
        tenant_key(),
    )

    licence_no: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    level: Mapped[str] = mapped_column(String(16))
    languages: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    licence_valid_until: Mapped[date] = mapped_column(Date)
    qualification_no: Mapped[str | None] = mapped_column(String(40))
    affiliation: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), server_default="active")
    notes: Mapped[str | None] = mapped_column(Text)
    photo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    photo_type: Mapped[str | None] = mapped_column(String(16))
    # Random per upload: part of the public photo URL (only the rate-limited look-up page
    # hands it out, so the photo route is no licence oracle) and a cache-buster.
    photo_token: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class GuideCertificate(TenantScoped, Base):
    __tablename__ = "guide_certificates"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('qualification','language','first_aid','education','other')", name="kind"
        ),
        CheckConstraint("size > 0", name="size"),
        Index("ix_guide_certificates_tenant_id_guide_id", "tenant_id", "guide_id"),
        tenant_foreign_key("guide_certificates", "guide_id", "guides"),
    )

    guide_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str | None] = mapped_column(String(60))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class GuideRating(TenantScoped, Base):
    __tablename__ = "guide_ratings"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="score"),
        CheckConstraint("source IN ('survey','online','phone','other')", name="source"),
        Index("ix_guide_ratings_tenant_id_guide_id", "tenant_id", "guide_id"),
        tenant_foreign_key("guide_ratings", "guide_id", "guides"),
    )

    guide_id: Mapped[uuid.UUID]
    score: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    group_no: Mapped[str | None] = mapped_column(String(40))
    rated_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class GuideComplaint(TenantScoped, Base):
    __tablename__ = "guide_complaints"
    __table_args__ = (
        CheckConstraint("status IN ('open','resolved')", name="status"),
        CheckConstraint("(status = 'resolved') = (resolution IS NOT NULL)", name="resolution"),
        Index("ix_guide_complaints_tenant_id_guide_id", "tenant_id", "guide_id"),
        tenant_foreign_key("guide_complaints", "guide_id", "guides"),
    )

    guide_id: Mapped[uuid.UUID]
    received_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    group_no: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), server_default="open")
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class GuideAssignment(TenantScoped, Base):
    __tablename__ = "guide_assignments"
    __table_args__ = (
        CheckConstraint("status IN ('active','released')", name="status"),
        CheckConstraint("from_date <= to_date", name="dates"),
        # A guide is on a group once; a second call for the same group updates the dates.
        Index(
            "uq_guide_assignments_tenant_id_guide_id_group_id_active",
            "tenant_id",
            "guide_id",
            "group_id",
            unique=True,
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_guide_assignments_tenant_id_guide_id_status", "tenant_id", "guide_id", "status"),
        Index("ix_guide_assignments_tenant_id_group_id", "tenant_id", "group_id"),
        tenant_foreign_key("guide_assignments", "guide_id", "guides"),
    )

    guide_id: Mapped[uuid.UUID]
    group_id: Mapped[uuid.UUID]
    group_no: Mapped[str] = mapped_column(String(40))
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), server_default="active")
    released_at: Mapped[datetime | None]


class GuideRegistry(Base):
    """Which enterprise archives a licence number (GLOBAL, no tenant_id: read by the
    public look-up before a tenant is bound). Written only by this module's service, for
    the bound tenant, in the same transaction as the guide."""

    __tablename__ = "guide_registry"

    licence_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    publisher_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
