"""All SQL of the contracts module, filtered by the tenant it was built for (row-level
security is the second lock). The one global read — which agency an e-number belongs to —
is `tenant_by_org_code`, on the platform-wide `tenants` table only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import uuid7
from modules.contracts.domain import ContractStatus
from modules.contracts.models import (
    Contract,
    ContractDay,
    ContractSignature,
    ContractTourist,
    ContractVersion,
)
from tenants.repository import TenantScopedRepository

_TENANT_BY_ORG = text(
    "SELECT id FROM tenants WHERE substr(enterprise_code, 9, 9) = :org AND status = 'active'"
)
_TENANT_ROW = text("SELECT name, enterprise_code, timezone, locale FROM tenants WHERE id = :id")
_ENSURE_COUNTER = text(
    "INSERT INTO contract_counters (id, tenant_id, year, last_sequence) "
    "VALUES (:id, :tenant_id, :year, 0) ON CONFLICT (tenant_id, year) DO NOTHING"
)
_NEXT_SEQUENCE = text(
    "UPDATE contract_counters SET last_sequence = last_sequence + 1 "
    "WHERE tenant_id = :tenant_id AND year = :year RETURNING last_sequence"
)


async def tenant_by_org_code(db: AsyncSession, org: str) -> uuid.UUID | None:
    """The active agency whose credit code carries this organisation code (characters
    9–17). Credit codes are unique, so at most one answers."""
    return (await db.execute(_TENANT_BY_ORG, {"org": org})).scalar_one_or_none()


class ContractRepository(TenantScopedRepository):
    async def agency(self) -> tuple[str, str | None]:
        """The agency's name and credit code (from the global tenants table)."""
        row = (await self.db.execute(_TENANT_ROW, {"id": self.tenant_id})).one()
        return row.name, row.enterprise_code

    async def timezone(self) -> str:
        row = (await self.db.execute(_TENANT_ROW, {"id": self.tenant_id})).one()
        return str(row.timezone)

    async def locale(self) -> str:
        """The agency's language: what its messages to tourists are written in (not the
        language of the staff member who happens to press the button)."""
        row = (await self.db.execute(_TENANT_ROW, {"id": self.tenant_id})).one()
        return str(row.locale)

    async def contract(self, contract_id: uuid.UUID, *, lock: bool = False) -> Contract | None:
        """`lock` serialises every change of one contract: two clicks on "countersign"
        wait for each other and the second sees the contract signed."""
        stmt = self.scoped(Contract).where(Contract.id == contract_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def count_wrong_code(self, contract_id: uuid.UUID) -> None:
        """One more wrong signing code typed for this contract."""
        await self.db.execute(
            update(Contract)
            .where(Contract.tenant_id == self.tenant_id, Contract.id == contract_id)
            .values(code_attempts=Contract.code_attempts + 1)
        )

    async def by_token_hash(self, token_hash: str, *, lock: bool = False) -> Contract | None:
        stmt = self.scoped(Contract).where(Contract.sign_token_hash == token_hash)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def by_e_number(self, e_number: str) -> Contract | None:
        stmt = self.scoped(Contract).where(Contract.e_number == e_number)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def latest_agency_details(self) -> Contract | None:
        """The most recent contract, whose agency details prefill a new draft."""
        stmt = self.scoped(Contract).order_by(Contract.created_at.desc()).limit(1)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def page(
        self,
        *,
        status: str | None,
        date_from: date | None,
        date_to: date | None,
        search: str | None,
        limit: int,
        offset: int,
    ) -> Sequence[Contract]:
        stmt = self.scoped(Contract)
        if status:
            stmt = stmt.where(Contract.status == status)
        if date_from:
            stmt = stmt.where(Contract.start_date >= date_from)
        if date_to:
            stmt = stmt.where(Contract.start_date <= date_to)
        if search:
            like = f"%{search}%"
            lead_match = select(ContractTourist.contract_id).where(
                ContractTourist.tenant_id == self.tenant_id, ContractTourist.name.ilike(like)
            )
            stmt = stmt.where(
                Contract.e_number.ilike(like)
                | Contract.route_name.ilike(like)
                | Contract.id.in_(lead_match)
            )
        stmt = stmt.order_by(Contract.created_at.desc(), Contract.id.desc())
        return (await self.db.execute(stmt.limit(limit).offset(offset))).scalars().all()

    async def counts_by_status(self) -> dict[str, int]:
        stmt = (
            select(Contract.status, func.count())
            .where(Contract.tenant_id == self.tenant_id)
            .group_by(Contract.status)
        )
        return {row[0]: int(row[1]) for row in (await self.db.execute(stmt)).all()}

    async def many(self, ids: Sequence[uuid.UUID]) -> Sequence[Contract]:
        if not ids:
            return []
        stmt = self.scoped(Contract).where(Contract.id.in_(list(ids)))
        return (await self.db.execute(stmt)).scalars().all()

    async def signed_from(self, start_from: date | None) -> Sequence[Contract]:
        stmt = self.scoped(Contract).where(Contract.status == ContractStatus.SIGNED)
        if start_from is not None:
            stmt = stmt.where(Contract.start_date >= start_from)
        stmt = stmt.order_by(Contract.start_date, Contract.e_number)
        return (await self.db.execute(stmt)).scalars().all()

    async def tourists(self, contract_id: uuid.UUID) -> Sequence[ContractTourist]:
        stmt = (
            self.scoped(ContractTourist)
            .where(ContractTourist.contract_id == contract_id)
            .order_by(ContractTourist.position)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def tourists_of(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[ContractTourist]]:
        found: dict[uuid.UUID, list[ContractTourist]] = {i: [] for i in ids}
        if not ids:
            return found
        stmt = (
            self.scoped(ContractTourist)
            .where(ContractTourist.contract_id.in_(list(ids)))
            .order_by(ContractTourist.contract_id, ContractTourist.position)
        )
        for row in (await self.db.execute(stmt)).scalars().all():
            found[row.contract_id].append(row)
        return found

    async def days(self, contract_id: uuid.UUID) -> Sequence[ContractDay]:
        stmt = (
            self.scoped(ContractDay)
            .where(ContractDay.contract_id == contract_id)
            .order_by(ContractDay.day_no)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def replace_rows(
        self,
        contract_id: uuid.UUID,
        tourists: Sequence[dict[str, Any]],
        days: Sequence[dict[str, Any]],
    ) -> None:
        """A draft's tourists and days are edited as whole lists (form rows)."""
        for model in (ContractTourist, ContractDay):
            await self.db.execute(
                delete(model).where(
                    model.tenant_id == self.tenant_id, model.contract_id == contract_id
                )
            )
        for i, values in enumerate(tourists):
            self.add(ContractTourist(contract_id=contract_id, position=i, **values))
        for values in days:
            self.add(ContractDay(contract_id=contract_id, **values))
        await self.db.flush()

    async def versions(self, contract_id: uuid.UUID) -> Sequence[ContractVersion]:
        stmt = (
            self.scoped(ContractVersion)
            .where(ContractVersion.contract_id == contract_id)
            .order_by(ContractVersion.version)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def version(self, contract_id: uuid.UUID, number: int) -> ContractVersion | None:
        stmt = self.scoped(ContractVersion).where(
            ContractVersion.contract_id == contract_id, ContractVersion.version == number
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def drop_unsigned_version(self, version_id: uuid.UUID) -> None:
        """A version sent to the tourist but recalled before anyone signed it."""
        await self.db.execute(
            delete(ContractVersion).where(
                ContractVersion.tenant_id == self.tenant_id, ContractVersion.id == version_id
            )
        )

    async def has_pdf(self, contract_id: uuid.UUID) -> bool:
        stmt = select(func.count()).where(
            ContractVersion.tenant_id == self.tenant_id,
            ContractVersion.contract_id == contract_id,
            ContractVersion.pdf.is_not(None),
        )
        return bool(await self.db.scalar(stmt))

    async def latest_pdf(self, contract_id: uuid.UUID) -> bytes | None:
        stmt = (
            select(ContractVersion.pdf)
            .where(
                ContractVersion.tenant_id == self.tenant_id,
                ContractVersion.contract_id == contract_id,
                ContractVersion.pdf.is_not(None),
            )
            .order_by(ContractVersion.version.desc())
            .limit(1)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def signatures(self, contract_id: uuid.UUID) -> Sequence[ContractSignature]:
        stmt = (
            self.scoped(ContractSignature)
            .where(ContractSignature.contract_id == contract_id)
            .order_by(ContractSignature.signed_at, ContractSignature.id)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def signatures_of_version(self, version_id: uuid.UUID) -> Sequence[ContractSignature]:
        stmt = (
            self.scoped(ContractSignature)
            .where(ContractSignature.version_id == version_id)
            .order_by(ContractSignature.signed_at, ContractSignature.id)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def next_sequence(self, year: int) -> int:
        """The agency's next e-number sequence in `year`. The UPDATE locks the counter
        row until the signing transaction ends: a concurrent signing waits, then takes
        the next number; a rolled-back signing gives its number back (no gaps)."""
        params = {"tenant_id": self.tenant_id, "year": year}
        await self.db.execute(_ENSURE_COUNTER, {**params, "id": uuid7()})
        return int((await self.db.execute(_NEXT_SEQUENCE, params)).scalar_one())

    async def save(self, *objects: Any) -> None:
        """Insert new rows (tenant from this repository) and flush changed ones."""
        for obj in objects:
            if obj.tenant_id is None:
                self.add(obj)
        await self.db.flush()
