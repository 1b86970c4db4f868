"""Who may call the contracts module's routes."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.security.access import Role, Staff, TenantLookup, TenantToken
from modules.contracts import domain, service

# Drafting, sending, countersigning, amending and cancelling contracts.
CONTRACTS = Staff(Role.MANAGER, Role.AGENT)
# Who may open the bureau filings console (the contract page links to it only for them).
FILINGS_VIEW = Staff(Role.MANAGER, Role.AUDITOR)
# The tourist's signing pages, reached through the e-mailed or texted link; the service
# checks the link's secret.
SIGNING = TenantToken()


async def tenant_for_e_number(
    db: AsyncSession, request: Request[Any, Any, Any]
) -> uuid.UUID | None:
    """The agency named by the e-number in `?n=` (global tables only); None for anything
    that is not a well-formed number."""
    parsed = domain.parse_e_number(request.query_params.get("n") or "")
    if parsed is None:
        return None
    return await service.lookup_tenant_by_e_number(db, str(parsed))


# The public check of a contract: the agency is found from the typed e-number.
VERIFY = TenantLookup(tenant_for_e_number)
