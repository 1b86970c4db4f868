"""Guides named in a contract: through the guide archive, printed and filed with their
licence numbers; another agency's guide or a licence that runs out mid-trip is refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db.engine import bind_tenant
from app.errors import Invalid
from modules.contracts import service
from modules.filings.models import Filing
from tests.factories.contracts import complete_input, make_agency, make_draft, sign_contract
from tests.factories.guides import make_guide, today


async def test_the_guide_is_printed_and_filed_with_the_licence(db, owner, tid):
    guide = (await make_guide(db, tenant=owner.tenant, name="黄磊")).summary
    data = complete_input(guide_ids=(guide.id,), guide_fee_fen=20000)
    contract_id, _n = await sign_contract(
        db, tenant=owner.tenant, contract_id=await make_draft(db, tenant=owner.tenant, data=data)
    )
    page = await service.contract_page(db, tid, contract_id)
    assert "黄磊" in page.versions[0].document_html
    assert guide.licence_no in page.versions[0].document_html
    stmt = select(Filing.body).where(Filing.tenant_id == tid, Filing.kind == "contract")
    body = json.loads((await db.execute(stmt)).scalar_one())
    assert body["guide_licence_nos"] == [guide.licence_no]


async def test_a_guide_of_another_agency_is_refused(db, owner, tid):
    other = await make_agency(db)
    theirs = (await make_guide(db, tenant=other.tenant)).summary
    await bind_tenant(db, tid)
    with pytest.raises(Invalid) as refused:
        await make_draft(
            db, tenant=owner.tenant, data=complete_input(guide_ids=(theirs.id,), guide_fee_fen=0)
        )
    assert refused.value.errors[0]["field"] == "guide_ids"


async def test_a_licence_ending_before_the_trip_is_refused_at_sending(db, owner, tid):
    start = today() + timedelta(days=30)
    guide = (
        await make_guide(
            db, tenant=owner.tenant, licence_valid_until=(start + timedelta(days=1)).isoformat()
        )
    ).summary
    data = complete_input(start=start, guide_ids=(guide.id,), guide_fee_fen=0)
    contract_id = await make_draft(db, tenant=owner.tenant, data=data)
    with pytest.raises(Invalid) as refused:
        await service.send_to_tourist(db, tid, contract_id, actor=service.SYSTEM)
    assert refused.value.errors[0]["field"] == "guide_ids"
