"""What the bureau is told (PROTOCOL.md, POST /v1/contracts and its amendments and
cancellation), filed through the filings module in the caller's transaction, and where
those filings stand."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import NotFound
from modules.contracts.schemas import FilingState
from modules.filings import service as filings

SUBJECT = "contract"
# Fields of a contract filing that an amendment may change (the bureau's "changes").
AMENDABLE = (
    "contract_type", "agency_licence_no", "tourist_count", "lead_tourist", "tourists",
    "itinerary", "price_total_fen", "currency", "guide_licence_nos", "insurance",
)  # fmt: skip


def _person(p: dict[str, Any], *, phone: bool) -> dict[str, Any]:
    out = {"name": p["name"], "id_type": p["id_type"], "id_number": p["id_number"]}
    if phone and p.get("phone"):
        out["phone"] = p["phone"]
    return out


def contract_fields(s: dict[str, Any]) -> dict[str, Any]:
    """The contract's fields as the bureau knows them, from a version's snapshot."""
    lead = next((p for p in s["tourists"] if p["is_lead"]), s["tourists"][0])
    lead_out = _person(lead, phone=False)
    lead_out["phone"] = s.get("lead_phone") or lead.get("phone") or ""
    body: dict[str, Any] = {
        "contract_type": s["contract_type"],
        "agency_licence_no": s["agency_licence_no"],
        "tourist_count": len(s["tourists"]),
        "lead_tourist": lead_out,
        "tourists": [_person(p, phone=False) for p in s["tourists"]],
        "itinerary": {
            "start_date": s["start_date"],
            "end_date": s["end_date"],
            "departure": s["departure"],
            "destinations": list(s["destinations"]),
            "days": s["trip_days"],
            "nights": s["nights"] or 0,
        },
        "price_total_fen": s["price_total_fen"],
        "currency": "CNY",
        "guide_licence_nos": [g["licence_no"] for g in s.get("guides", []) if g["licence_no"]],
    }
    if s.get("insurance") == "agency":
        body["insurance"] = {"insurer": s["insurer"], "policy_no": s["policy_no"]}
    return body


async def file_contract(
    db: AsyncSession,
    tenant_id: TenantId,
    contract_id: uuid.UUID,
    e_number: str,
    signed_at: datetime,
    snapshot: dict[str, Any],
) -> uuid.UUID:
    """File the contract the moment it binds (the agency's countersignature)."""
    body = {"e_number": e_number, "signed_at": signed_at.isoformat(), **contract_fields(snapshot)}
    return await filings.file(db, tenant_id, "contract", SUBJECT, contract_id, body)


def changes_between(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    before, after = contract_fields(old), contract_fields(new)
    return {k: after[k] for k in AMENDABLE if k in after and after.get(k) != before.get(k)}


async def file_amendment(
    db: AsyncSession,
    tenant_id: TenantId,
    contract_id: uuid.UUID,
    e_number: str,
    *,
    amended_at: datetime,
    reason: str,
    changes: dict[str, Any],
    after: uuid.UUID | None = None,
) -> uuid.UUID:
    """`after`: the contract's previous amendment filing, so changes reach the bureau in
    the order they were made (without it the filing waits only for the contract's)."""
    body = {
        "e_number": e_number,
        "amended_at": amended_at.isoformat(),
        "reason": reason,
        "changes": changes,
    }
    return await filings.file(
        db, tenant_id, "amendment", SUBJECT, contract_id, body, depends_on=after
    )


async def file_cancellation(
    db: AsyncSession,
    tenant_id: TenantId,
    contract_id: uuid.UUID,
    e_number: str,
    *,
    cancelled_at: datetime,
    reason: str,
    refund_fen: int,
    after: uuid.UUID | None = None,
) -> uuid.UUID:
    """`after`: the last amendment filing, which must reach the bureau first (it refuses
    amendments of a cancelled contract)."""
    body = {
        "e_number": e_number,
        "cancelled_at": cancelled_at.isoformat(),
        "reason": reason,
        "refund_fen": refund_fen,
    }
    return await filings.file(
        db, tenant_id, "cancellation", SUBJECT, contract_id, body, depends_on=after
    )


async def filing_state(
    db: AsyncSession, tenant_id: TenantId, filing_id: uuid.UUID | None
) -> FilingState | None:
    """Where one of the contract's filings stands, as the filings module tells it."""
    if filing_id is None:
        return None
    try:
        view = await filings.filing_detail(db, tenant_id, filing_id)
    except NotFound:
        return None
    f = view.filing
    return FilingState(f.id, f.kind, f.state, f.receipt_no, f.last_error)
