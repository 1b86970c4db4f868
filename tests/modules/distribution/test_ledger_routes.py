"""分销资金: the supplier's finance records a top-up (or a payment received from a distributor
on credit) by bank transfer and sees it in the journal with its postings, takes back one
recorded by mistake, and a refused form writes nothing; an auditor only reads; the agency sees
its own balance with the supplier and its movements, and nothing of another agency's."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db.engine import TenantId, bind_tenant
from modules.distribution.models import Agreement, LedgerEntry
from modules.distribution.service import ledger
from tests.factories.distribution import make_agreement, make_distributor, make_order
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in


async def _entries(db, tenant) -> int:
    await bind_tenant(db, tenant.id)
    stmt = select(func.count()).select_from(LedgerEntry).where(LedgerEntry.tenant_id == tenant.id)
    return int((await db.execute(stmt)).scalar_one())


async def _setup(db, **terms):
    hotel = await make_tenant(db, kinds=("hotel",), name="重庆江景酒店")
    agency = await make_tenant(db, kinds=("agency",), name="朝天门国际旅行社")
    distributor = await make_distributor(db, tenant=hotel.tenant, partner=agency.tenant)
    agreement = await make_agreement(db, tenant=hotel.tenant, distributor=distributor, **terms)
    return hotel, agency, agreement


class TestSupplierFunds:
    async def test_record_a_top_up_see_it_and_take_it_back(self, client, db):
        hotel, _agency, agreement = await _setup(db)
        cashier = await make_staff(db, tenant=hotel.tenant, role="cashier")
        await sign_in(client, cashier)
        url = f"/console/distribution/funds/{agreement.id}"

        listing = await client.get("/console/distribution/funds")
        assert listing.status_code == 200 and "朝天门国际旅行社" in listing.text

        bad = await form_post(client, url + "/receipts", {"amount": "一千", "reference": ""})
        assert bad.status_code == 422
        assert await _entries(db, hotel.tenant) == 0

        done = await form_post(
            client,
            url + "/receipts",
            {"amount": "1,000", "reference": "HX20261208001", "memo": "12月预存"},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
        page = await client.get(done.headers["location"])
        assert page.status_code == 200
        assert "¥1,000.00" in page.text and "HX20261208001" in page.text

        topup = (
            await db.scalars(select(LedgerEntry).where(LedgerEntry.agreement_id == agreement.id))
        ).one()
        back = f"{url}/entries/{topup.id}/reverse"
        no_reason = await form_post(client, back, {"memo": ""})
        assert no_reason.status_code == 422
        taken = await form_post(client, back, {"memo": "金额录错"}, follow_redirects=False)
        assert taken.status_code == 303, taken.text
        balance = await ledger.balance_of(db, TenantId(hotel.tenant.id), agreement)
        assert balance.balance_fen == 0
        again = await form_post(client, back, {"memo": "金额录错"})
        assert again.status_code == 409
        assert await _entries(db, hotel.tenant) == 2

    async def test_a_credit_distributors_payment_frees_its_credit(self, client, db):
        hotel, _agency, agreement = await _setup(
            db, payment_terms="credit", credit_limit_fen=2_000_000
        )
        tid = TenantId(hotel.tenant.id)
        order = await make_order(db, tenant=hotel.tenant, agreement_id=agreement.id)
        await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=500_000)
        await sign_in(client, hotel)
        done = await form_post(
            client,
            f"/console/distribution/funds/{agreement.id}/receipts",
            {"amount": "3000", "reference": "HX-2"},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
        balance = await ledger.balance_of(db, tid, agreement)
        assert (balance.balance_fen, balance.available_fen) == (200_000, 1_800_000)
        page = await client.get(done.headers["location"])
        assert order.number in page.text and "¥18,000.00" in page.text

    async def test_an_auditor_reads_but_records_nothing(self, client, db):
        hotel, _agency, agreement = await _setup(db)
        auditor = await make_staff(db, tenant=hotel.tenant, role="auditor")
        await sign_in(client, auditor)
        url = f"/console/distribution/funds/{agreement.id}"
        page = await client.get(url)
        assert page.status_code == 200 and "/receipts" not in page.text
        refused = await form_post(client, url + "/receipts", {"amount": "1", "reference": "x"})
        assert refused.status_code == 403
        assert await _entries(db, hotel.tenant) == 0
        # Its own agreement on the distributor's page leads to the supplier's.
        mine = await client.get(f"/console/distribution/balances/{agreement.id}")
        assert mine.status_code == 303 and mine.headers["location"] == url


class TestDistributorBalances:
    async def test_the_agency_sees_its_balance_and_movements_only(self, client, db):
        hotel, agency, agreement = await _setup(db)
        tid = TenantId(hotel.tenant.id)
        await ledger.post_topup(db, tid, agreement, amount_fen=100_000, reference="HX-3")
        order = await make_order(db, tenant=hotel.tenant, agreement_id=agreement.id)
        await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=58_800)
        # Another agency's agreement with another supplier.
        other_hotel = await make_tenant(db, kinds=("hotel",), name="解放碑酒店")
        other_agency = await make_tenant(db, kinds=("agency",), name="别家旅行社")
        other = await make_agreement(
            db,
            tenant=other_hotel.tenant,
            distributor=await make_distributor(
                db, tenant=other_hotel.tenant, partner=other_agency.tenant
            ),
        )
        await sign_in(client, agency)

        listing = await client.get("/console/distribution/balances")
        assert listing.status_code == 200
        assert "重庆江景酒店" in listing.text and "¥412.00" in listing.text
        assert "解放碑酒店" not in listing.text
        page = await client.get(f"/console/distribution/balances/{agreement.id}")
        assert page.status_code == 200 and order.number in page.text
        assert "HX-3" in page.text and "-¥588.00" in page.text
        assert "supplier_receivable" not in page.text
        for url in (
            f"/console/distribution/balances/{other.id}",
            f"/console/distribution/funds/{agreement.id}",  # the supplier's page: not ours
        ):
            assert (await client.get(url)).status_code == 404, url
        await bind_tenant(db, hotel.tenant.id)
        assert (await db.get(Agreement, agreement.id)) is not None
