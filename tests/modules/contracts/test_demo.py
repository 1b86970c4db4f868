"""The demo agency's contracts: two signed (numbers, PDFs, filings), one waiting for the
tourist, one draft; seeding twice adds nothing."""

from __future__ import annotations

from modules.contracts import domain, service
from modules.contracts.demo import seed_demo
from tests.factories.guides import make_guide


async def test_the_demo_agency_has_signed_waiting_and_draft_contracts(db, owner, tid):
    guide = (await make_guide(db, tenant=owner.tenant, name="周婷")).summary
    await seed_demo(db, tid, ("agency",))
    listing = await service.list_contracts(db, tid)
    statuses = sorted(r.status for r in listing.rows)
    assert statuses == ["awaiting_tourist", "draft", "signed", "signed"]
    signed = [r for r in listing.rows if r.status == "signed"]
    assert sorted(domain.parse_e_number(r.e_number).sequence for r in signed) == [1, 2]  # type: ignore[union-attr, arg-type]
    assert all(r.filing is not None for r in signed)
    _name, pdf = await service.contract_pdf(db, tid, signed[0].id)
    assert pdf.startswith(b"%PDF")
    assert len(await service.signed_contracts(db, tid)) == 2
    wulong = next(r for r in signed if "武隆" in r.route_name)
    assert [g.id for g in (await service.contract_page(db, tid, wulong.id)).guides] == [guide.id]
    await seed_demo(db, tid, ("agency",))
    assert len((await service.list_contracts(db, tid)).rows) == 4


async def test_only_agencies_get_demo_contracts(db, owner, tid):
    await seed_demo(db, tid, ("hotel",))
    assert (await service.list_contracts(db, tid)).rows == ()
