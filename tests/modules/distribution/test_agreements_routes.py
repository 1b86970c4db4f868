"""The pages of distributors and agreements: a sales manager signs up an agency, signs an
agreement and authorises a room at a net price; refused forms come back with field messages
and write nothing; the agency sees the supplier under 我的供应商 and nothing of another's."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db.engine import bind_tenant
from modules.distribution.models import Agreement, AgreementProduct, Distributor
from tests.factories.distribution import make_agreement, make_distributor, make_product
from tests.factories.reservations import make_stock
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in


async def _count(db, model, tenant) -> int:  # type: ignore[no-untyped-def]
    await bind_tenant(db, tenant.id)
    stmt = select(func.count()).select_from(model).where(model.tenant_id == tenant.id)
    return int((await db.execute(stmt)).scalar_one())


class TestSupplierPages:
    async def test_sign_up_an_agency_sign_an_agreement_and_authorise_a_room(self, client, db):
        hotel = await make_tenant(db, kinds=("hotel",), name="重庆江景酒店")
        agency = await make_tenant(db, kinds=("agency",), name="朝天门国际旅行社")
        await bind_tenant(db, hotel.tenant.id)
        stock = await make_stock(db, tenant=hotel.tenant, name="江景大床房")
        await sign_in(client, hotel)

        found = await client.get("/console/distribution/distributors", params={"q": "朝天门"})
        assert found.status_code == 200 and "朝天门国际旅行社" in found.text
        made = await form_post(
            client,
            "/console/distribution/distributors",
            {"kind": "tenant", "partner": str(agency.tenant.id), "contact_name": "陈经理"},
            follow_redirects=False,
        )
        assert made.status_code == 303, made.text
        page = await client.get(made.headers["location"])
        assert page.status_code == 200 and "朝天门国际旅行社" in page.text

        signed = await form_post(
            client,
            made.headers["location"].split("?")[0] + "/agreements",
            {
                "valid_from": "2026-01-01",
                "payment_terms": "credit",
                "credit_limit": "20000",
                "cycle": "monthly",
            },
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        agreement_url = signed.headers["location"].split("?")[0]
        page = await client.get(agreement_url)
        assert "FX-2026-0001" in page.text and "江景大床房" in page.text

        key = f"{stock.unit_type.id}:{stock.plan.id}:-"
        too_high = await form_post(
            client,
            agreement_url + "/products",
            {"product": key, "price_mode": "net", "net_price": "700"},
        )
        assert too_high.status_code == 422
        assert await _count(db, AgreementProduct, hotel.tenant) == 0
        ok = await form_post(
            client,
            agreement_url + "/products",
            {"product": key, "price_mode": "net", "net_price": "588"},
            follow_redirects=False,
        )
        assert ok.status_code == 303
        page = await client.get(agreement_url)
        assert "588.00" in page.text

    async def test_odd_input_gets_field_errors_and_writes_nothing(self, client, db):
        hotel = await make_tenant(db, kinds=("hotel",))
        await sign_in(client, hotel)
        before = await _count(db, Distributor, hotel.tenant)
        for data in (
            {"kind": "external", "name": "", "credit_code": "123"},
            {"kind": "tenant", "partner": "not-a-uuid"},
            {"kind": "tenant", "partner": str(hotel.tenant.id)},
            {"kind": "nonsense"},
        ):
            answer = await form_post(client, "/console/distribution/distributors", data)
            assert answer.status_code == 422, (data, answer.status_code)
        assert await _count(db, Distributor, hotel.tenant) == before

    async def test_ending_from_the_page_needs_a_reason_then_ends_the_subs(self, client, db):
        hotel = await make_tenant(db, kinds=("hotel",))
        a1 = (await make_tenant(db, kinds=("agency",))).tenant
        a2 = (await make_tenant(db, kinds=("agency",))).tenant
        d1 = await make_distributor(db, tenant=hotel.tenant, partner=a1)
        top = await make_agreement(db, tenant=hotel.tenant, distributor=d1, may_appoint=True)
        d2 = await make_distributor(
            db, tenant=hotel.tenant, partner=a2, upline_tenant_id=a1.id, appointed_by_id=d1.id
        )
        sub = await make_agreement(db, tenant=hotel.tenant, distributor=d2, parent=top)
        await sign_in(client, hotel)
        url = f"/console/distribution/agreements/{top.id}/end"
        assert (await form_post(client, url, {"reason": ""})).status_code == 422
        answer = await form_post(client, url, {"reason": "合作终止"}, follow_redirects=False)
        assert answer.status_code == 303
        await bind_tenant(db, hotel.tenant.id)
        statuses = (
            await db.execute(select(Agreement.status).where(Agreement.id.in_([top.id, sub.id])))
        ).scalars()
        assert set(statuses) == {"ended"}

    async def test_a_front_desk_clerk_cannot_manage_distributors(self, client, db):
        hotel = await make_tenant(db, kinds=("hotel",))
        clerk = await make_staff(db, tenant=hotel.tenant, role="front_desk")
        await sign_in(client, clerk)
        assert (await client.get("/console/distribution/distributors")).status_code == 403


class TestDistributorPages:
    async def test_my_suppliers_shows_mine_and_not_another_distributors(self, client, db):
        hotel = await make_tenant(db, kinds=("hotel",), name="南滨路酒店")
        mine_agency = await make_tenant(db, kinds=("agency",))
        other_agency = (await make_tenant(db, kinds=("agency",))).tenant
        await bind_tenant(db, hotel.tenant.id)
        stock = await make_stock(db, tenant=hotel.tenant, name="豪华双床房")
        hidden = await make_stock(db, tenant=hotel.tenant, name="总统套房")
        mine = await make_agreement(
            db,
            tenant=hotel.tenant,
            distributor=await make_distributor(db, tenant=hotel.tenant, partner=mine_agency.tenant),
        )
        theirs = await make_agreement(
            db,
            tenant=hotel.tenant,
            distributor=await make_distributor(db, tenant=hotel.tenant, partner=other_agency),
        )
        await make_product(db, tenant=hotel.tenant, agreement=mine, stock=stock)
        await make_product(db, tenant=hotel.tenant, agreement=theirs, stock=hidden)
        await sign_in(client, mine_agency)

        listing = await client.get("/console/distribution/suppliers")
        assert (
            listing.status_code == 200
            and "南滨路酒店" in listing.text
            and mine.number in listing.text
        )
        assert theirs.number not in listing.text
        page = await client.get(f"/console/distribution/suppliers/{mine.id}")
        assert page.status_code == 200 and "豪华双床房" in page.text and "588.00" in page.text
        assert "总统套房" not in page.text
        assert (await client.get(f"/console/distribution/suppliers/{theirs.id}")).status_code == 404
        # The supplier's own pages stay the supplier's.
        assert (await client.get(f"/console/distribution/agreements/{mine.id}")).status_code in (
            403,
            404,
        )

    async def test_an_upline_appoints_a_sub_distributor_and_prices_it_from_its_page(
        self, client, db
    ):
        hotel = await make_tenant(db, kinds=("hotel",), name="洪崖洞酒店")
        upline = await make_tenant(db, kinds=("agency",), name="山城国旅")
        sub_agency = (await make_tenant(db, kinds=("agency",), name="磁器口假期")).tenant
        await bind_tenant(db, hotel.tenant.id)
        stock = await make_stock(db, tenant=hotel.tenant, name="吊脚楼大床房")
        top = await make_agreement(
            db,
            tenant=hotel.tenant,
            distributor=await make_distributor(db, tenant=hotel.tenant, partner=upline.tenant),
            may_appoint=True,
        )
        await make_product(db, tenant=hotel.tenant, agreement=top, stock=stock)
        await sign_in(client, upline)
        found = await client.get(
            f"/console/distribution/suppliers/{top.id}", params={"q": "磁器口"}
        )
        assert "磁器口假期" in found.text
        appointed = await form_post(
            client,
            f"/console/distribution/suppliers/{top.id}/appoint",
            {"partner": str(sub_agency.id)},
            follow_redirects=False,
        )
        assert appointed.status_code == 303, appointed.text
        sub_url = appointed.headers["location"].split("?")[0]
        page = await client.get(sub_url)
        assert "您的结算价 ¥588.00" in page.text
        key = f"{stock.unit_type.id}:{stock.plan.id}:-"
        low = await form_post(
            client, sub_url + "/prices", {"product": key, "price_mode": "net", "net_price": "500"}
        )
        assert low.status_code == 422 and "¥588.00" in low.text
        ok = await form_post(
            client,
            sub_url + "/prices",
            {"product": key, "price_mode": "net", "net_price": "638"},
            follow_redirects=False,
        )
        assert ok.status_code == 303
        assert "¥638.00" in (await client.get(sub_url)).text


class TestExternalPartnerPage:
    async def test_key_and_signing_secret_are_shown_once(self, client, db):
        hotel = await make_tenant(db, kinds=("hotel",))
        await sign_in(client, hotel)
        made = await form_post(
            client,
            "/console/distribution/distributors",
            {
                "kind": "external",
                "name": "去哪儿网",
                "credit_code": "",
                "contact_phone": "023-6388 1234",
            },
            follow_redirects=False,
        )
        assert made.status_code == 303, made.text
        url = made.headers["location"].split("?")[0]
        issued = await form_post(client, url + "/api-key", {})
        assert issued.status_code == 200 and 'id="api-token"' in issued.text
        saved = await form_post(
            client, url + "/callback", {"callback_url": "https://qunar.example/cb"}
        )
        assert saved.status_code == 200 and "whsec_" in saved.text
        again = await client.get(url)
        assert "whsec_" not in again.text and 'id="api-token"' not in again.text
        assert "https://qunar.example/cb" in again.text
        bad = await form_post(client, url + "/callback", {"callback_url": "ftp://x"})
        assert bad.status_code == 422
        rotated = await form_post(client, url + "/callback/rotate", {})
        assert rotated.status_code == 200 and "whsec_" in rotated.text
