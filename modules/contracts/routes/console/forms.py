"""Small helpers the contracts console pages share: the posted form as lists, the draft
form's values (from a saved draft or from what was typed), labels."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request

from app.errors import AppError
from app.i18n import gettext as translate  # runtime msgids (errors), not literals
from modules.contracts import domain
from modules.contracts.schemas import DAY_FIELDS, TEXT_FIELDS, DraftInput

Values = dict[str, Any]
FILING_LABELS = {
    "none": "Not filed",
    "held": "Held: bureau registration missing",
    "waiting": "Waiting for the contract's filing",
    "pending": "Being filed",
    "paused": "Paused",
    "accepted": "Accepted by the bureau",
    "rejected": "Rejected by the bureau",
    "conflicted": "Conflict at the bureau",
    "superseded": "Superseded",
}


def field_errors(exc: AppError) -> dict[str, str]:
    """An error's field messages translated, keyed by field; its message under `_`."""
    found = {
        str(e["field"]): translate(str(e.get("message", "")))
        for e in exc.errors or []
        if e.get("field")
    }
    found["_"] = translate(exc.message)
    return found


async def form_lists(request: Request[Any, Any, Any]) -> dict[str, list[str]]:
    form = await request.form()
    return {key: [str(v) for v in form.getall(key)] for key in form}


def _yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    return f"{fen // 100}.{fen % 100:02d}"


def new_key() -> str:
    return secrets.token_hex(4)


def values_of(data: DraftInput) -> tuple[Values, list[Values], list[Values]]:
    """A draft's form values (scalars, tourist rows, day rows) for the template."""
    v: Values = {name: getattr(data, name) for name in TEXT_FIELDS}
    v.update(
        contract_type=data.contract_type,
        destinations="、".join(data.destinations),
        start_date=data.start_date.isoformat() if data.start_date else "",
        end_date=data.end_date.isoformat() if data.end_date else "",
        nights="" if data.nights is None else str(data.nights),
        min_group_size="" if data.min_group_size is None else str(data.min_group_size),
        price_total=_yuan(data.price_total_fen),
        guide_fee=_yuan(data.guide_fee_fen),
        payment_deadline=data.payment_deadline.isoformat() if data.payment_deadline else "",
        sold_by_agent=data.sold_by_agent,
        delegated=data.delegated,
        guide_ids=[str(g) for g in data.guide_ids],
    )
    tourists = [
        {"key": new_key(), "name": p.name, "id_type": p.id_type, "id_number": p.id_number,
         "phone": p.phone, "is_lead": p.is_lead}
        for p in data.tourists
    ]  # fmt: skip
    days = [{f: getattr(d, f) for f in DAY_FIELDS} for d in data.days]
    return v, tourists, days


def values_typed(form: dict[str, list[str]]) -> tuple[Values, list[Values], list[Values]]:
    """What was typed, as typed (when it could not be read), for the form shown again."""

    def one(name: str) -> str:
        return (form.get(name) or [""])[0]

    v: Values = {name: one(name) for name in (*TEXT_FIELDS, "contract_type", "destinations",
                 "start_date", "end_date", "nights", "min_group_size", "price_total",
                 "guide_fee", "payment_deadline")}  # fmt: skip
    v.update(
        sold_by_agent=one("sold_by_agent") in ("1", "on", "true"),
        delegated=one("delegated") in ("1", "on", "true"),
        guide_ids=form.get("guide_ids", []),
    )
    keys = form.get("t_key", [])
    lead = one("lead_key")
    tourists = []
    for i, name in enumerate(form.get("t_name", [])):
        key = keys[i] if i < len(keys) else new_key()
        row = {}
        for f in ("id_type", "id_number", "phone"):
            column = form.get(f"t_{f}", [])
            row[f] = column[i] if i < len(column) else ""
        tourists.append({"key": key, "name": name, "is_lead": key == lead, **row})
    columns = {f: form.get(f"d_{f}", []) for f in DAY_FIELDS}
    count = max((len(c) for c in columns.values()), default=0)
    days = [{f: (columns[f][i] if i < len(columns[f]) else "") for f in DAY_FIELDS}
            for i in range(count)]  # fmt: skip
    return v, tourists, days


def labels() -> dict[str, Any]:
    """English msgids of every code the pages show (templates translate them)."""
    return {
        "status": domain.ContractStatus.labels(),
        "filing": FILING_LABELS,
        "type": domain.CONTRACT_TYPE_LABELS,
        "id_type": domain.ID_TYPE_LABELS,
        "insurance": domain.INSURANCE_LABELS,
        "dispute": domain.DISPUTE_LABELS,
        "canceller": domain.CANCELLER_LABELS,
    }
