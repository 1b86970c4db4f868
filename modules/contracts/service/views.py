"""What the console shows (the list, a contract's page, its PDF), what the public check
shows, and what the groups module reads."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from modules.contracts import domain
from modules.contracts.models import (
    Contract,
    ContractDay,
    ContractSignature,
    ContractTourist,
    ContractVersion,
)
from modules.contracts.repository import ContractRepository, tenant_by_org_code
from modules.contracts.schemas import (
    ContractList,
    ContractRow,
    ContractSummary,
    FilingState,
    PublicContractView,
)
from modules.contracts.service import bureau
from modules.contracts.service.binding import verify_code_hash
from modules.contracts.service.common import checklist, load, terms
from modules.contracts.service.guides import GuideChoice, guides_by_ids
from modules.filings import service as filings

__all__ = [
    "ContractPage",
    "awaiting_countersign",
    "contract_page",
    "contract_pdf",
    "contract_status",
    "contracts_for_group",
    "list_contracts",
    "lookup_tenant_by_e_number",
    "public_check",
    "public_pdf",
    "signed_contracts",
]

PAGE_SIZE = 30
FILTER_WINDOW = 500
FILING_STATES = ("none", "held", "waiting", "pending", "paused", "accepted", "rejected",
                 "conflicted")  # fmt: skip


@dataclass(frozen=True, slots=True)
class ContractPage:
    contract: Contract
    tourists: Sequence[ContractTourist]
    days: Sequence[ContractDay]
    versions: Sequence[ContractVersion]
    signatures: Sequence[ContractSignature]
    checklist: list[domain.CheckItem]
    filing: FilingState | None
    amendment_filings: dict[int, FilingState]
    cancellation_filing: FilingState | None
    guides: list[GuideChoice]
    agency_name: str
    enterprise_code: str | None

    @property
    def complete(self) -> bool:
        return not domain.missing(self.checklist)

    @property
    def lead(self) -> ContractTourist | None:
        return next((t for t in self.tourists if t.is_lead), None)


async def contract_page(
    db: AsyncSession, tenant_id: TenantId, contract_id: uuid.UUID
) -> ContractPage:
    repo = ContractRepository(db, tenant_id)
    c = await load(repo, contract_id)
    tourists, days = await repo.tourists(c.id), await repo.days(c.id)
    name, code = await repo.agency()
    versions = await repo.versions(c.id)
    amendments = {}
    for v in versions:
        state = await bureau.filing_state(db, tenant_id, v.filing_id)
        if state is not None:
            amendments[v.version] = state
    try:
        guides = await guides_by_ids(db, tenant_id, c.guide_ids or [])
    except (Invalid, NotFound):
        guides = [GuideChoice(i, "", "") for i in c.guide_ids or []]
    return ContractPage(
        contract=c,
        tourists=tourists,
        days=days,
        versions=versions,
        signatures=await repo.signatures(c.id),
        checklist=checklist(c, terms(c, tourists, days, name)),
        filing=await bureau.filing_state(db, tenant_id, c.filing_id),
        amendment_filings=amendments,
        cancellation_filing=await bureau.filing_state(db, tenant_id, c.cancel_filing_id),
        guides=guides,
        agency_name=name,
        enterprise_code=code,
    )


async def list_contracts(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    status: str | None = None,
    filing_state: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    search: str = "",
    page: int = 1,
) -> ContractList:
    """The agency's contracts, newest first, filtered by status, start date and filing
    state (unknown filter values mean "any"). The filing state is the filings module's
    word, read for all the rows in one call."""
    status = domain.ContractStatus.parse(status)
    filing_state = filing_state if filing_state in FILING_STATES else None
    page = max(page, 1)
    repo = ContractRepository(db, tenant_id)
    # The filing state is the filings module's (its tables are not ours to join): with
    # that filter the newest FILTER_WINDOW contracts are read and paged here; without
    # it, SQL pages.
    start = (page - 1) * PAGE_SIZE
    found = await repo.page(
        status=status, date_from=date_from, date_to=date_to, search=search.strip() or None,
        limit=FILTER_WINDOW if filing_state else PAGE_SIZE + 1,
        offset=0 if filing_state else start,
    )  # fmt: skip
    filed = await _filings(db, tenant_id, found)
    if filing_state:
        found = [c for c in found if _state(filed[c.id]) == filing_state]
        found = found[start : start + PAGE_SIZE + 1]
    tourists = await repo.tourists_of([c.id for c in found])
    rows = [_row(c, tourists.get(c.id, []), filed[c.id]) for c in found]
    return ContractList(
        rows=tuple(rows[:PAGE_SIZE]),
        status=status,
        filing_state=filing_state,
        date_from=date_from,
        date_to=date_to,
        search=search,
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        counts=await repo.counts_by_status(),
    )


async def _filings(
    db: AsyncSession, tenant_id: TenantId, found: Sequence[Contract]
) -> dict[uuid.UUID, FilingState | None]:
    """Each contract's own filing (None before it is filed), in one call."""
    states = await filings.filing_states(db, tenant_id, [c.filing_id for c in found])

    def one(filing_id: uuid.UUID | None) -> FilingState | None:
        f = states.get(filing_id) if filing_id else None
        return FilingState(f.filing_id, f.kind, f.state, f.receipt_no, f.last_error) if f else None

    return {c.id: one(c.filing_id) for c in found}


def _state(filing: FilingState | None) -> str:
    return filing.state if filing else "none"


def _row(c: Contract, people: Sequence[ContractTourist], filing: FilingState | None) -> ContractRow:
    lead = next((t.name for t in people if t.is_lead), people[0].name if people else "")
    return ContractRow(
        id=c.id, e_number=c.e_number, status=c.status, contract_type=c.contract_type,
        route_name=c.route_name, start_date=c.start_date, end_date=c.end_date,
        tourist_count=len(people), lead_name=lead, price_total_fen=c.price_total_fen,
        filing=filing, created_at=c.created_at,
    )  # fmt: skip


async def contract_status(db: AsyncSession, tenant_id: TenantId, contract_id: uuid.UUID) -> str:
    """Where a contract stands (pages offer only what its state allows)."""
    return (await load(ContractRepository(db, tenant_id), contract_id)).status


async def awaiting_countersign(db: AsyncSession, tenant_id: TenantId) -> int:
    """Contracts the tourist has signed that wait for the agency (not binding yet)."""
    counts = await ContractRepository(db, tenant_id).counts_by_status()
    return counts.get(domain.ContractStatus.AWAITING_AGENCY, 0)


async def contract_pdf(
    db: AsyncSession, tenant_id: TenantId, contract_id: uuid.UUID, version: int | None = None
) -> tuple[str, bytes]:
    """A signed version's stored PDF (the latest unless `version` says which), exactly
    the bytes stored at signing."""
    repo = ContractRepository(db, tenant_id)
    c = await load(repo, contract_id)
    number = version or c.version
    v = await repo.version(c.id, number)
    if v is None or v.pdf is None or c.e_number is None:
        raise NotFound()
    suffix = f"-v{number}" if number > 1 else ""
    return f"{c.e_number}{suffix}.pdf", v.pdf


# --- public look-ups -------------------------------------------------------------------------


async def lookup_tenant_by_e_number(db: AsyncSession, e_number: str) -> uuid.UUID | None:
    """The agency an e-number belongs to, from the number alone (its organisation code),
    reading only the global tenants table. None for a mistyped number (format or check
    character), so nothing is looked up for it."""
    parsed = domain.parse_e_number(e_number)
    if parsed is None:
        return None
    return await tenant_by_org_code(db, parsed.org)


async def _checked(
    db: AsyncSession, tenant_id: TenantId | None, e_number: str, code: str
) -> Contract | None:
    """The contract when the number and the verification code both match; None either
    way otherwise (one path, constant-time compare: no oracle for which was wrong)."""
    parsed = domain.parse_e_number(e_number)
    number = str(parsed) if parsed else domain.normalise_e_number(e_number)
    c = None
    if tenant_id is not None and parsed is not None:
        c = await ContractRepository(db, tenant_id).by_e_number(number)
    expected = c.verify_code_hash if c is not None and c.verify_code_hash else "0" * 64
    given = verify_code_hash(number, code or "")
    ok = hmac.compare_digest(expected, given)
    return c if ok and c is not None else None


async def public_check(
    db: AsyncSession, tenant_id: TenantId | None, e_number: str, code: str
) -> PublicContractView | None:
    """What the public check page shows to whoever holds the number and the code from
    the contract: status, agency, dates, masked names, filing state. None for an unknown
    number or a wrong code alike."""
    c = await _checked(db, tenant_id, e_number, code)
    if c is None or tenant_id is None or c.e_number is None:
        return None
    repo = ContractRepository(db, tenant_id)
    people = await repo.tourists(c.id)
    lead = next((t for t in people if t.is_lead), people[0] if people else None)
    name, _code = await repo.agency()
    filing = await bureau.filing_state(db, tenant_id, c.filing_id)
    return PublicContractView(
        e_number=c.e_number,
        status=c.status,
        agency_name=name,
        start_date=c.start_date,
        end_date=c.end_date,
        tourist_count=len(people),
        lead_name_masked=domain.mask_name(lead.name) if lead else "",
        tourists_masked=tuple(domain.mask_name(t.name) for t in people),
        filing_state=filing.state if filing else None,
        receipt_no=filing.receipt_no if filing else None,
        has_pdf=await repo.has_pdf(c.id),
        signed_at=c.signed_at,
        route_name=c.route_name,
        version=c.version,
    )


async def public_pdf(
    db: AsyncSession, tenant_id: TenantId | None, e_number: str, code: str
) -> bytes | None:
    """The latest signed PDF, unchanged, for the holder of number and code."""
    c = await _checked(db, tenant_id, e_number, code)
    if c is None or tenant_id is None:
        return None
    return await ContractRepository(db, tenant_id).latest_pdf(c.id)


# --- for the groups module ---------------------------------------------------------------


def _summary(c: Contract, people: Sequence[ContractTourist]) -> ContractSummary:
    lead = next((t.name for t in people if t.is_lead), people[0].name if people else "")
    return ContractSummary(
        id=c.id,
        e_number=c.e_number,
        status=c.status,
        start_date=c.start_date,
        end_date=c.end_date,
        tourist_count=len(people),
        lead_name=lead,
        destinations=tuple(c.destinations or ()),
        route_name=c.route_name,
    )


async def contracts_for_group(
    db: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID]
) -> list[ContractSummary]:
    """The contracts a tour group covers, in the order asked. Refused (Invalid on
    "contract_ids") when one is unknown, not signed, or cancelled: a group files only
    binding contracts with the bureau."""
    wanted = list(dict.fromkeys(ids))
    repo = ContractRepository(db, tenant_id)
    found = {c.id: c for c in await repo.many(wanted)}
    if any(i not in found or found[i].status != domain.ContractStatus.SIGNED for i in wanted):
        raise Invalid.field("contract_ids", "Only signed contracts can be put in a group.")
    people = await repo.tourists_of(wanted)
    return [_summary(found[i], people[i]) for i in wanted]


async def signed_contracts(
    db: AsyncSession, tenant_id: TenantId, *, start_from: date | None = None
) -> list[ContractSummary]:
    """Signed (not cancelled) contracts, by start date, to choose from for a group."""
    repo = ContractRepository(db, tenant_id)
    found = await repo.signed_from(start_from)
    people = await repo.tourists_of([c.id for c in found])
    return [_summary(c, people[c.id]) for c in found]
