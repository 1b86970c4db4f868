"""Declarative base, time-ordered ids and the tenant-scoped mixin every tenant table uses."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    MetaData,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.sql.elements import conv
from uuid6 import uuid7 as _uuid7

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (v7) as a plain `uuid.UUID`."""
    return uuid.UUID(int=_uuid7().int)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True)}


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class TenantScoped(IdMixin, CreatedMixin):
    """A row owned by one tenant. Row-level security is FORCED on its table (see
    `app.db.rls`); the migration that creates the table must call `enable_rls`."""

    @declared_attr
    @classmethod
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey("tenants.id", ondelete="RESTRICT"), nullable=False)


def tenant_key() -> UniqueConstraint:
    """`UNIQUE (tenant_id, id)` (named `uq_<table>_tenant_id_id`): what `tenant_foreign_key`
    points at. Every tenant table that another tenant table references declares it."""
    return UniqueConstraint("tenant_id", "id")


def tenant_foreign_key(
    table: str, column: str, target: str, *, ondelete: str | None = None
) -> ForeignKeyConstraint:
    """`(tenant_id, column)` references `target (tenant_id, id)`, so PostgreSQL itself refuses
    a row pointing at another tenant's row. Named `fk_<table>_<column>_<target>` like a plain
    foreign key. `ondelete="SET NULL"` empties only `column`, never `tenant_id`.
    The migration side is `app.db.migration_helpers.tenant_foreign_key`."""
    if ondelete is not None and ondelete.upper() in ("SET NULL", "SET DEFAULT"):
        ondelete = f"{ondelete.upper()} ({column})"
    return ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target}.tenant_id", f"{target}.id"],
        name=conv(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )
