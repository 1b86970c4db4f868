"""The other modules a group depends on, called only through their services: contracts
(which signed contracts a group covers) and guides (who leads it; the guides module
keeps the assignments and refuses a guide whose other group overlaps)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid
from modules.contracts import service as contracts
from modules.guides import service as guides

# Contract states that may travel: signed (amendments keep it signed); never a draft, a
# contract waiting for a signature, or a cancelled one.
TRAVELLING_STATUSES = frozenset({contracts.domain.ContractStatus.SIGNED})


async def binding_contracts(
    db: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID]
) -> tuple[list[Any], set[uuid.UUID]]:
    """The contracts module's summaries of those contracts that are signed and not
    cancelled, and the ids of the others (a contract cancelled after it joined a group
    must not break the group's page: it is named as a problem instead)."""
    if not ids:
        return [], set()
    try:
        return list(await contracts.contracts_for_group(db, tenant_id, list(ids))), set()
    except Invalid:
        pass
    found: list[Any] = []
    refused: set[uuid.UUID] = set()
    for contract_id in ids:
        try:
            found += await contracts.contracts_for_group(db, tenant_id, [contract_id])
        except Invalid:
            refused.add(contract_id)
    return found, refused


async def signed_contracts(
    db: AsyncSession, tenant_id: TenantId, *, start_from: date | None = None
) -> list[Any]:
    return list(await contracts.signed_contracts(db, tenant_id, start_from=start_from))


async def assign(
    db: AsyncSession,
    tenant_id: TenantId,
    guide_id: uuid.UUID,
    *,
    group_id: uuid.UUID,
    group_no: str,
    from_date: date,
    to_date: date,
) -> Any:
    return await guides.assign_to_group(
        db,
        tenant_id,
        guide_id,
        group_id=group_id,
        group_no=group_no,
        from_date=from_date,
        to_date=to_date,
    )


async def release(
    db: AsyncSession, tenant_id: TenantId, guide_id: uuid.UUID, group_id: uuid.UUID
) -> None:
    await guides.release_assignment(db, tenant_id, guide_id, group_id)


async def assignments(db: AsyncSession, tenant_id: TenantId, group_id: uuid.UUID) -> list[Any]:
    """The group's current assignments (released ones are history)."""
    found = await guides.assignments_for_group(db, tenant_id, group_id)
    return [a for a in found if getattr(a, "status", "active") == "active"]


async def all_guides(db: AsyncSession, tenant_id: TenantId) -> list[Any]:
    return list(await guides.list_guides(db, tenant_id))


async def guides_by_ids(
    db: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID]
) -> list[Any]:
    if not ids:
        return []
    return list(await guides.guides_by_ids(db, tenant_id, list(ids)))
