"""guides: the guide archive (guides, certificates, ratings, complaints, group
assignments; forced RLS) and the global guide_registry for the public licence look-up

`guide_registry` is deliberately GLOBAL (no tenant_id, no row-level security), like
`tenants`: the public look-up `/verify/guide` must learn which enterprise archives a licence
number before any tenant can be bound. It holds only (licence_no, publisher_id,
updated_at) -- nothing about the guide -- and the guides service writes it only for the
bound tenant, in the same transaction as the guide. What the public page shows is then
read from `guides` under that enterprise's row-level security.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.migration_helpers import (
    create_tenant_table,
    drop_tenant_table,
    foreign_key,
    tenant_index,
    tenant_unique,
    timestamp_now,
)

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = (
    "guides",
    "guide_assignments",
    "guide_certificates",
    "guide_complaints",
    "guide_ratings",
)


def _guide_registry() -> None:
    op.create_table(
        "guide_registry",
        sa.Column("licence_no", sa.String(length=32), nullable=False),
        sa.Column("publisher_id", sa.Uuid(), nullable=False),
        timestamp_now("updated_at"),
        foreign_key("guide_registry", "publisher_id", "tenants", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("licence_no", name=op.f("pk_guide_registry")),
    )


def _guides() -> None:
    create_tenant_table(
        "guides",
        sa.Column("licence_no", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column(
            "languages", sa.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False
        ),
        sa.Column("licence_valid_until", sa.Date(), nullable=False),
        sa.Column("qualification_no", sa.String(length=40), nullable=True),
        sa.Column("affiliation", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("photo", sa.LargeBinary(), nullable=True),
        sa.Column("photo_type", sa.String(length=16), nullable=True),
        sa.Column("photo_token", sa.String(length=32), nullable=True),
        timestamp_now("updated_at"),
        sa.CheckConstraint(
            "level IN ('junior','intermediate','senior','master')", name=op.f("ck_guides_level")
        ),
        sa.CheckConstraint("status IN ('active','left')", name=op.f("ck_guides_status")),
        sa.CheckConstraint(
            "(photo IS NULL) = (photo_type IS NULL AND photo_token IS NULL)",
            name=op.f("ck_guides_photo"),
        ),
        tenant_unique("guides", "licence_no"),
    )
    tenant_index("guides", "status", "licence_valid_until")


def _guide_assignments() -> None:
    t = "guide_assignments"
    create_tenant_table(
        t,
        sa.Column("guide_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("group_no", sa.String(length=40), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('active','released')", name=op.f("ck_guide_assignments_status")
        ),
        sa.CheckConstraint("from_date <= to_date", name=op.f("ck_guide_assignments_dates")),
        foreign_key(t, "guide_id", "guides"),
    )
    tenant_index(t, "group_id")
    tenant_index(t, "guide_id", "status")
    tenant_index(t, "guide_id", "group_id", unique=True, where="status = 'active'", suffix="active")


def _guide_certificates() -> None:
    t = "guide_certificates"
    create_tenant_table(
        t,
        sa.Column("guide_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('qualification','language','first_aid','education','other')",
            name=op.f("ck_guide_certificates_kind"),
        ),
        sa.CheckConstraint("size > 0", name=op.f("ck_guide_certificates_size")),
        foreign_key(t, "guide_id", "guides"),
        foreign_key(t, "uploaded_by", "users"),
    )
    tenant_index(t, "guide_id")


def _guide_complaints() -> None:
    t = "guide_complaints"
    create_tenant_table(
        t,
        sa.Column("guide_id", sa.Uuid(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("group_no", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "(status = 'resolved') = (resolution IS NOT NULL)",
            name=op.f("ck_guide_complaints_resolution"),
        ),
        sa.CheckConstraint(
            "status IN ('open','resolved')", name=op.f("ck_guide_complaints_status")
        ),
        foreign_key(t, "guide_id", "guides"),
        foreign_key(t, "recorded_by", "users"),
        foreign_key(t, "resolved_by", "users"),
    )
    tenant_index(t, "guide_id")


def _guide_ratings() -> None:
    t = "guide_ratings"
    create_tenant_table(
        t,
        sa.Column("guide_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("group_no", sa.String(length=40), nullable=True),
        sa.Column("rated_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "source IN ('survey','online','phone','other')", name=op.f("ck_guide_ratings_source")
        ),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_guide_ratings_score")),
        foreign_key(t, "guide_id", "guides"),
        foreign_key(t, "recorded_by", "users"),
    )
    tenant_index(t, "guide_id")


def upgrade() -> None:
    _guide_registry()
    _guides()
    _guide_assignments()
    _guide_certificates()
    _guide_complaints()
    _guide_ratings()


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        drop_tenant_table(table)
    op.drop_table("guide_registry")
