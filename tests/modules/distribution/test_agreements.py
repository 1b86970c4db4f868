"""Agreements as the supplier manages them and as a distributor tenant sees them: prices never
above the sale price, ending a first-level agreement ends its sub-agreements, a distributor
sees only the agreements naming it and only their authorised products."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.actor import SYSTEM
from app.db.engine import TenantId, bind_tenant
from app.errors import Conflict, Invalid, NotFound
from modules.distribution.models import Agreement, AgreementProduct, Distributor
from modules.distribution.repository import agreements as repo
from modules.distribution.schemas.agreements import AgreementForm, DistributorForm, Price, PriceForm
from modules.distribution.service import agreements as service
from modules.distribution.service import agreements_partner as partner
from modules.distribution.service import distributors
from tests.factories.distribution import (
    make_account,
    make_agreement,
    make_distributor,
    make_product,
)
from tests.factories.reservations import make_stock
from tests.factories.tenants import make_tenant


@pytest.fixture
async def world(db):
    """A hotel (supplier), two agencies (distributors) and a third agency."""
    hotel = (await make_tenant(db, kinds=("hotel",), name="重庆解放碑酒店")).tenant
    a1 = (await make_tenant(db, kinds=("agency",), name="山城国旅")).tenant
    a2 = (await make_tenant(db, kinds=("agency",), name="巴渝旅行社")).tenant
    a3 = (await make_tenant(db, kinds=("agency",), name="两江假期")).tenant
    await bind_tenant(db, hotel.id)
    stock = await make_stock(db, tenant=hotel)  # rack ¥688
    return hotel, a1, a2, a3, stock


def key_of(stock) -> str:
    return service.choice_key(stock.unit_type.id, stock.plan.id, None)


async def count(db, model) -> int:
    return int((await db.execute(select(func.count()).select_from(model))).scalar_one())


class TestPrices:
    async def test_net_price_above_sale_price_is_refused_and_nothing_written(self, db, world):
        hotel, a1, _, _, stock = world
        tid = TenantId(hotel.id)
        agreement = await make_agreement(
            db, tenant=hotel, distributor=await make_distributor(db, tenant=hotel, partner=a1)
        )
        before = await count(db, AgreementProduct)
        with pytest.raises(Invalid) as refused:
            await service.set_price(db, tid, agreement.id, key_of(stock), Price("net", 68801, None))
        assert refused.value.errors[0]["field"] == "net_price"
        assert "688.00" in refused.value.errors[0]["message"]
        assert await count(db, AgreementProduct) == before

    async def test_net_price_at_or_below_sale_price_is_authorised(self, db, world):
        hotel, _, _, _, stock = world
        tid = TenantId(hotel.id)
        agreement = await make_agreement(db, tenant=hotel)
        view = await service.set_price(
            db, tid, agreement.id, key_of(stock), Price("net", 58800, None)
        )
        assert (view.net_price_fen, view.sale_fen, view.active) == (58800, 68800, True)
        again = await service.set_price(
            db, tid, agreement.id, key_of(stock), Price("net", 60000, None)
        )
        assert again.id == view.id and again.net_price_fen == 60000

    async def test_an_unknown_product_key_is_a_field_error(self, db, world):
        hotel, *_ = world
        agreement = await make_agreement(db, tenant=hotel)
        with pytest.raises(Invalid):
            await service.set_price(
                db, TenantId(hotel.id), agreement.id, f"{uuid.uuid4()}:-:-", Price("net", 100, None)
            )

    async def test_price_form_refuses_odd_numbers(self):
        with pytest.raises(Invalid) as refused:
            PriceForm(product="x", price_mode="net", net_price="５８８").parse()
        assert refused.value.errors[0]["field"] == "net_price"
        with pytest.raises(Invalid):
            PriceForm(product="x", price_mode="commission", commission="101").parse()


class TestForms:
    def test_external_partner_needs_a_valid_credit_code(self):
        with pytest.raises(Invalid) as refused:
            DistributorForm(kind="external", name="携程", credit_code="91500000MA5U000000").parse()
        assert [e["field"] for e in refused.value.errors] == ["credit_code"]

    def test_credit_limit_only_with_credit_terms_and_end_after_start(self):
        with pytest.raises(Invalid) as refused:
            AgreementForm(
                distributor_id=str(uuid.uuid4()),
                valid_from="2026-12-01",
                valid_to="2026-11-01",
                payment_terms="prepaid",
                credit_limit="5000",
            ).parse()
        assert {e["field"] for e in refused.value.errors} == {"valid_to", "credit_limit"}
        _, terms = AgreementForm(
            distributor_id=str(uuid.uuid4()),
            valid_from="2026-12-01",
            payment_terms="credit",
            credit_limit="50,000",
            cycle="weekly",
            platform_fee="1.5",
        ).parse()
        assert (terms.credit_limit_fen, terms.cycle, terms.platform_fee_bp) == (
            5_000_000,
            "weekly",
            150,
        )


class TestSigning:
    async def test_agreement_numbers_count_up_per_year(self, db, world):
        hotel, a1, *_ = world
        tid = TenantId(hotel.id)
        d = await distributors.add_agency(db, tid, a1.id, distributors.Contact("王经理"))
        terms = AgreementForm(distributor_id=str(d.id), valid_from="2026-01-01").parse()[1]
        first = await service.create_agreement(db, tid, d.id, terms, actor=SYSTEM)
        second = await service.create_agreement(db, tid, d.id, terms, actor=SYSTEM)
        assert (first.number, second.number) == ("FX-2026-0001", "FX-2026-0002")
        assert first.partner_tenant_id == a1.id

    async def test_an_agency_is_signed_once_and_never_the_supplier_itself(self, db, world):
        hotel, a1, *_ = world
        tid = TenantId(hotel.id)
        await distributors.add_agency(db, tid, a1.id, distributors.Contact())
        with pytest.raises(Invalid):
            await distributors.add_agency(db, tid, a1.id, distributors.Contact())
        with pytest.raises(Invalid):
            await distributors.add_agency(db, tid, hotel.id, distributors.Contact())

    async def test_a_hotel_is_not_an_agency(self, db, world):
        hotel, *_ = world
        other_hotel = (await make_tenant(db, kinds=("hotel",))).tenant
        await bind_tenant(db, hotel.id)
        with pytest.raises(Invalid):
            await distributors.add_agency(
                db, TenantId(hotel.id), other_hotel.id, distributors.Contact()
            )

    async def test_agency_search_finds_by_name_and_never_the_supplier(self, db, world):
        hotel, a1, *_ = world
        found = await distributors.find_agencies(db, TenantId(hotel.id), "山城国旅")
        assert [f.id for f in found] == [a1.id]
        assert await distributors.find_agencies(db, TenantId(hotel.id), "%") == []


class TestEnding:
    async def test_ending_a_first_level_agreement_ends_its_sub_agreements(self, db, world):
        hotel, a1, a2, _, stock = world
        tid = TenantId(hotel.id)
        top = await make_agreement(
            db,
            tenant=hotel,
            distributor=await make_distributor(db, tenant=hotel, partner=a1),
            may_appoint=True,
        )
        await make_product(db, tenant=hotel, agreement=top, stock=stock)
        sub = await partner.appoint_sub_distributor(
            db, TenantId(a1.id), top.id, a2.id, valid_to=None
        )
        await bind_tenant(db, hotel.id)
        ended = await service.end_agreement(db, tid, top.id, "合同到期不续签", actor=SYSTEM)
        assert set(ended) == {top.id, sub.id}
        rows = (
            await db.execute(
                select(Agreement.status, Agreement.end_reason).where(Agreement.id.in_(ended))
            )
        ).all()
        assert {tuple(r) for r in rows} == {("ended", "合同到期不续签")}
        assert await repo.authorised_products(db, tid, sub.id) == []
        with pytest.raises(Conflict):
            await service.end_agreement(db, tid, top.id, "again", actor=SYSTEM)

    async def test_suspend_stops_sales_under_it_and_its_subs_until_resumed(self, db, world):
        hotel, a1, a2, _, stock = world
        tid = TenantId(hotel.id)
        top = await make_agreement(
            db,
            tenant=hotel,
            distributor=await make_distributor(db, tenant=hotel, partner=a1),
            may_appoint=True,
        )
        product = await make_product(db, tenant=hotel, agreement=top, stock=stock)
        sub = await partner.appoint_sub_distributor(
            db, TenantId(a1.id), top.id, a2.id, valid_to=None
        )
        await partner.set_sub_price(
            db, TenantId(a1.id), sub.id, key_of(stock), Price("net", 62000, None)
        )
        await bind_tenant(db, hotel.id)
        assert len(await repo.authorised_products(db, tid, sub.id)) == 1
        await service.suspend_agreement(db, tid, top.id)
        with pytest.raises(NotFound):
            await repo.authorised_product(db, tid, top.id, product.id)
        assert await repo.authorised_products(db, tid, sub.id) == []
        assert (await service.get_agreement(db, tid, sub.id)).parent_status == "suspended"
        with pytest.raises(Conflict):
            await service.suspend_agreement(db, tid, top.id)
        await service.resume_agreement(db, tid, top.id)
        assert (await repo.authorised_product(db, tid, top, product.id)).id == product.id


class TestPartnerSide:
    async def test_a_distributor_sees_its_agreements_and_not_another_distributors(self, db, world):
        hotel, a1, a2, _, stock = world
        mine = await make_agreement(
            db, tenant=hotel, distributor=await make_distributor(db, tenant=hotel, partner=a1)
        )
        theirs = await make_agreement(
            db, tenant=hotel, distributor=await make_distributor(db, tenant=hotel, partner=a2)
        )
        await make_product(db, tenant=hotel, agreement=mine, stock=stock)
        await bind_tenant(db, a1.id)
        own = TenantId(a1.id)
        assert [a.id for a in await service.my_suppliers(db, own)] == [mine.id]
        assert (await service.my_suppliers(db, own))[0].supplier_name == "重庆解放碑酒店"
        with pytest.raises(NotFound):
            await repo.agreement_for_partner(db, own, theirs.id)
        with pytest.raises(NotFound):
            await partner.partner_products(db, own, theirs.id)
        # Even without the code's filter, row-level security hides the other's row.
        assert (
            await db.execute(select(Agreement).where(Agreement.id == theirs.id))
        ).first() is None
        assert (await db.execute(select(AgreementProduct))).first() is None

    async def test_a_distributor_sees_only_the_authorised_products(self, db, world):
        hotel, a1, _, _, stock = world
        other = await make_stock(db, tenant=hotel, name="江景套房")
        mine = await make_agreement(
            db, tenant=hotel, distributor=await make_distributor(db, tenant=hotel, partner=a1)
        )
        await make_product(db, tenant=hotel, agreement=mine, stock=stock)
        await bind_tenant(db, a1.id)
        seen = await partner.partner_products(db, TenantId(a1.id), mine.id)
        assert [p.unit_type_id for p in seen] == [stock.unit_type.id]
        assert other.unit_type.id not in {p.unit_type_id for p in seen}

    async def test_sub_distributor_price_below_its_uplines_is_refused(self, db, world):
        hotel, a1, a2, _, stock = world
        top = await make_agreement(
            db,
            tenant=hotel,
            distributor=await make_distributor(db, tenant=hotel, partner=a1),
            may_appoint=True,
        )
        await make_product(db, tenant=hotel, agreement=top, stock=stock, net_price_fen=58800)
        own = TenantId(a1.id)
        sub = await partner.appoint_sub_distributor(db, own, top.id, a2.id, valid_to=None)
        with pytest.raises(Invalid) as refused:
            await partner.set_sub_price(db, own, sub.id, key_of(stock), Price("net", 58700, None))
        assert refused.value.errors[0]["field"] == "net_price"
        with pytest.raises(Invalid):
            await partner.set_sub_price(db, own, sub.id, key_of(stock), Price("net", 68900, None))
        ok = await partner.set_sub_price(db, own, sub.id, key_of(stock), Price("net", 63800, None))
        assert ok.net_price_fen == 63800
        # The sub-distributor sees the agreement; the upline sees it too; a third does not.
        assert (await repo.agreement_for_partner(db, TenantId(a2.id), sub.id)).level == 2
        assert (await repo.agreement_for_partner(db, own, sub.id)).id == sub.id

    async def test_appointing_needs_may_appoint_and_is_one_level_deep(self, db, world):
        hotel, a1, a2, a3, _ = world
        top = await make_agreement(
            db, tenant=hotel, distributor=await make_distributor(db, tenant=hotel, partner=a1)
        )
        with pytest.raises(Invalid):
            await partner.appoint_sub_distributor(db, TenantId(a1.id), top.id, a2.id, valid_to=None)
        await bind_tenant(db, hotel.id)
        top.may_appoint = True
        await db.flush()
        sub = await partner.appoint_sub_distributor(
            db, TenantId(a1.id), top.id, a2.id, valid_to=None
        )
        with pytest.raises((Invalid, NotFound)):
            await partner.appoint_sub_distributor(db, TenantId(a2.id), sub.id, a3.id, valid_to=None)
        with pytest.raises(NotFound):  # a stranger cannot appoint under someone's agreement
            await partner.appoint_sub_distributor(db, TenantId(a3.id), top.id, a3.id, valid_to=None)
        with pytest.raises(Invalid):
            await partner.appoint_sub_distributor(
                db, TenantId(a1.id), top.id, a3.id, valid_to=top.valid_to + timedelta(days=1)
            )


class TestApiKeys:
    async def test_the_key_finds_its_partners_agreement_in_force(self, db, world):
        hotel, *_ = world
        tid = TenantId(hotel.id)
        ota = await distributors.add_external(db, tid, "携程旅行网", "", distributors.Contact())
        token = await distributors.issue_api_key(db, tid, ota.id, actor=SYSTEM)
        assert token
        key_id = (await distributors.get_distributor(db, tid, ota.id)).api_key_id
        assert key_id is not None
        with pytest.raises(NotFound):
            await repo.agreement_for_api_key(db, tid, key_id)
        d = await db.get(Distributor, ota.id)
        a = await make_agreement(db, tenant=hotel, distributor=d)
        assert (await repo.agreement_for_api_key(db, tid, key_id)).id == a.id
        await make_agreement(
            db, tenant=hotel, distributor=d, valid_from=clock.today() + timedelta(days=3)
        )
        assert [x.id for x in await repo.agreements_for_api_key(db, tid, key_id)] == [a.id]
        # A new key revokes the old one and takes over.
        await distributors.issue_api_key(db, tid, ota.id, actor=SYSTEM)
        with pytest.raises(NotFound):
            await repo.agreement_for_api_key(db, tid, key_id)

    async def test_callback_secret_is_shown_once_sealed_and_rotatable(self, db, world):
        hotel, *_ = world
        tid = TenantId(hotel.id)
        ota = await distributors.add_external(db, tid, "飞猪", "", distributors.Contact())
        first = await distributors.set_callback_url(db, tid, ota.id, "https://ota.example/cb")
        assert first and first.startswith("whsec_")
        assert (
            await distributors.set_callback_url(db, tid, ota.id, "https://ota.example/cb2") is None
        )
        row = await db.get(Distributor, ota.id)
        assert row is not None and first not in row.callback_secret_sealed
        assert await distributors.callback_secret(db, tid, ota.id) == first
        second = await distributors.rotate_callback_secret(db, tid, ota.id)
        assert second != first and await distributors.callback_secret(db, tid, ota.id) == second


class TestAmending:
    async def test_an_earlier_end_moves_the_sub_agreements_in_too(self, db, world):
        hotel, a1, a2, _, _ = world
        tid = TenantId(hotel.id)
        top = await make_agreement(
            db,
            tenant=hotel,
            distributor=await make_distributor(db, tenant=hotel, partner=a1),
            may_appoint=True,
        )
        sub = await partner.appoint_sub_distributor(
            db, TenantId(a1.id), top.id, a2.id, valid_to=None
        )
        await bind_tenant(db, hotel.id)
        end = clock.today() + timedelta(days=60)
        await service.amend_agreement(
            db, tid, top.id, valid_to=end, credit_limit_fen=None, notes="续签前"
        )
        row = await db.get(Agreement, sub.id)
        assert row is not None
        await db.refresh(row)
        assert row.valid_to == end

    async def test_credit_limit_moves_the_ledger_limit_and_never_below_what_is_owed(
        self, db, world
    ):
        hotel, *_ = world
        tid = TenantId(hotel.id)
        a = await make_agreement(
            db, tenant=hotel, payment_terms="credit", credit_limit_fen=1_000_000
        )
        # ¥3,000 already owed (the cached balance alone is enough for the limit's check)
        payable = await make_account(
            db,
            tenant=hotel,
            kind="distributor_payable",
            agreement_id=a.id,
            limit_fen=1_000_000,
            balance_fen=300_000,
        )
        with pytest.raises(Invalid) as refused:
            await service.amend_agreement(
                db, tid, a.id, valid_to=a.valid_to, credit_limit_fen=200_000, notes=""
            )
        assert "3,000.00" in refused.value.errors[0]["message"]
        await service.amend_agreement(
            db, tid, a.id, valid_to=a.valid_to, credit_limit_fen=2_000_000, notes=""
        )
        await db.refresh(payable)
        await db.refresh(a)
        assert (payable.limit_fen, a.credit_limit_fen) == (2_000_000, 2_000_000)

    async def test_a_prepaid_agreement_has_no_credit_limit(self, db, world):
        hotel, *_ = world
        a = await make_agreement(db, tenant=hotel)
        with pytest.raises(Invalid):
            await service.amend_agreement(
                db,
                TenantId(hotel.id),
                a.id,
                valid_to=a.valid_to,
                credit_limit_fen=100_000,
                notes="",
            )


async def test_agreement_number_past_9999_keeps_counting(db, world):
    hotel, *_ = world
    await make_agreement(db, tenant=hotel, number="FX-2031-9999")
    await make_agreement(db, tenant=hotel, number="FX-2031-0042")
    repo_ = repo.AgreementsRepository(db, TenantId(hotel.id))
    assert await repo_.next_agreement_number(2031) == "FX-2031-10000"
    assert await repo_.next_agreement_number(2032) == "FX-2032-0001"
