"""Contracts reach the bureau: against the project's bureau stand-in (real HTTP, real
signatures and validation) a signed contract, its amendments and its cancellation are
accepted in order, and the contract page shows the receipt numbers."""

from __future__ import annotations

from datetime import timedelta

from app.db.engine import TenantId
from modules.contracts import service
from modules.contracts.schemas import CancelInput
from modules.filings import service as filings
from modules.filings.service.client import BureauClient
from tests.factories.contracts import complete_input, make_agency, sign_contract
from tests.factories.filings import SECRET, make_registration


async def _drain(db, tid, url, settings, rounds=4):  # type: ignore[no-untyped-def]
    outcomes: list[str] = []
    client = BureauClient(url, timeout=5)
    try:
        for _ in range(rounds):
            outcomes += (await filings.send_due(db, tid, client, settings, limit=50)).outcomes
    finally:
        await client.aclose()
    return outcomes


async def test_contract_amendments_and_cancellation_are_accepted_in_order(db, settings, bureau_sim):
    owner = await make_agency(db)
    tid = TenantId(owner.tenant.id)
    code = owner.tenant.enterprise_code
    await make_registration(db, tenant=owner.tenant, enterprise_code=code, district_code="500105")
    bureau_sim.register(code, SECRET)
    contract_id, e_number = await sign_contract(db, tenant=owner.tenant)
    page = await service.contract_page(db, tid, contract_id)
    start = page.contract.start_date
    for price in (418000, 428000):
        await service.amend(
            db, tid, contract_id, complete_input(start=start, price_total_fen=price),
            reason="游客书面同意升级酒店", actor=service.SYSTEM,
        )  # fmt: skip
    await service.cancel(
        db, tid, contract_id, CancelInput("tourist", "游客因病取消", start - timedelta(days=10)),
        actor=service.SYSTEM,
    )  # fmt: skip
    outcomes = await _drain(db, tid, bureau_sim.url, settings)
    assert outcomes == ["accepted"] * 4
    db.expire_all()
    page = await service.contract_page(db, tid, contract_id)
    assert page.filing is not None and page.filing.receipt_no
    assert all(f.state == "accepted" for f in page.amendment_filings.values())
    assert len(page.amendment_filings) == 2
    assert page.cancellation_filing is not None and page.cancellation_filing.receipt_no
    received = bureau_sim.filings(enterprise_code=code)
    assert [f["path"].rsplit("/", 1)[-1] for f in received] == [
        "contracts",
        "amendments",
        "amendments",
        "cancellation",
    ]
    assert received[0]["body"]["e_number"] == e_number
    assert [f["body"]["changes"] for f in received[1:3]] == [
        {"price_total_fen": 418000},
        {"price_total_fen": 428000},
    ]
    assert received[3]["body"]["refund_fen"] == 428000
