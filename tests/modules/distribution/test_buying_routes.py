"""分销采购, the agency's pages: its suppliers with its balance, a supplier's authorised
products with availability and settlement prices, booking a room for a tourist (the balance
drops by the settlement price, a double submit books once), a refused form writes nothing,
我的分销订单 and cancelling; another agency's agreement or order is 404; the hotel sees the
booking marked with the channel."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.db.engine import TenantId, bind_tenant
from modules.distribution.models import DistributionOrder
from modules.distribution.service import ledger
from tests.factories.distribution import make_agreement, make_distributor, make_product
from tests.factories.reservations import make_stock
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in

BASE = "/console/distribution/buying"


async def _world(db):
    hotel = await make_tenant(db, kinds=("hotel",), name="重庆江景酒店")
    agency = await make_tenant(db, kinds=("agency",), name="朝天门国际旅行社")
    stock = await make_stock(db, tenant=hotel.tenant, name="江景大床房")
    d = await make_distributor(db, tenant=hotel.tenant, partner=agency.tenant)
    agreement = await make_agreement(db, tenant=hotel.tenant, distributor=d)
    product = await make_product(db, tenant=hotel.tenant, agreement=agreement, stock=stock)
    await ledger.post_topup(
        db, TenantId(hotel.tenant.id), agreement, amount_fen=100_000, reference="BANK-1"
    )
    return hotel, agency, stock, agreement, product


async def _orders(db, hotel) -> int:
    await bind_tenant(db, hotel.tenant.id)
    return int(await db.scalar(select(func.count()).select_from(DistributionOrder)) or 0)


def _form(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))


class TestBookingARoom:
    async def test_the_agency_books_and_its_balance_drops_by_the_settlement_price(self, client, db):
        hotel, agency, stock, agreement, product = await _world(db)
        agent = await make_staff(db, tenant=agency.tenant, role="agent")
        await sign_in(client, agent)
        home = await client.get(BASE)
        assert home.status_code == 200 and "重庆江景酒店" in home.text and "¥1,000.00" in home.text
        arrival = stock.start
        listing = await client.get(
            f"{BASE}/{agreement.id}",
            params={"arrival": str(arrival), "departure": str(arrival + timedelta(days=1))},
        )
        assert listing.status_code == 200
        assert (
            "江景大床房" in listing.text and "¥588.00" in listing.text and "¥688.00" in listing.text
        )
        form_page = await client.get(
            f"{BASE}/{agreement.id}/book",
            params={
                "product_id": str(product.id),
                "arrival": str(arrival),
                "departure": str(arrival + timedelta(days=1)),
            },
        )
        assert form_page.status_code == 200 and "¥412.00" in form_page.text  # after booking
        fields = {
            **_form(form_page.text),
            "guest_name": "李娜",
            "guest_phone": "13800138000",
        }
        fields.pop("_csrf_token", None)
        booked = await form_post(
            client, f"{BASE}/{agreement.id}/book", fields, follow_redirects=False
        )
        assert booked.status_code == 303, booked.text
        again = await form_post(
            client, f"{BASE}/{agreement.id}/book", fields, follow_redirects=False
        )
        assert again.headers["location"] == booked.headers["location"]  # a double submit
        detail = await client.get(booked.headers["location"])
        assert detail.status_code == 200 and "¥412.00" in detail.text and "李娜" in detail.text
        assert await _orders(db, hotel) == 1

        mine = await client.get(f"{BASE}/orders")
        assert mine.status_code == 200 and "李娜" in mine.text

        await sign_in(client, hotel)
        listed = await client.get("/console/reservations", params={"q": "李娜"})
        assert "朝天门国际旅行社" in listed.text

    async def test_a_refused_form_names_the_field_and_writes_nothing(self, client, db):
        hotel, agency, stock, agreement, product = await _world(db)
        await sign_in(client, agency)
        fields = {
            "product_id": str(product.id),
            "arrival": str(stock.start),
            "departure": str(stock.start + timedelta(days=1)),
            "quantity": "1",
            "key": "k-refused",
            "guest_name": "",
            "guest_phone": "12",
        }
        refused = await form_post(client, f"{BASE}/{agreement.id}/book", fields)
        assert refused.status_code == 422
        assert await _orders(db, hotel) == 0

    async def test_too_little_balance_is_a_message_not_an_order(self, client, db):
        hotel, agency, stock, agreement, product = await _world(db)
        await sign_in(client, agency)
        fields = {
            "product_id": str(product.id),
            "arrival": str(stock.start),
            "departure": str(stock.start + timedelta(days=3)),
            "quantity": "1",
            "key": "k-poor",
            "guest_name": "李娜",
            "guest_phone": "13800138000",
        }
        refused = await form_post(client, f"{BASE}/{agreement.id}/book", fields)
        assert refused.status_code == 409 and "alert" in refused.text
        assert await _orders(db, hotel) == 0

    async def test_cancel_from_the_order_page(self, client, db):
        hotel, agency, stock, agreement, product = await _world(db)
        await sign_in(client, agency)
        fields = {
            "product_id": str(product.id),
            "arrival": str(stock.start),
            "departure": str(stock.start + timedelta(days=1)),
            "quantity": "1",
            "key": "k-cancel",
            "guest_name": "李娜",
            "guest_phone": "13800138000",
        }
        booked = await form_post(
            client, f"{BASE}/{agreement.id}/book", fields, follow_redirects=False
        )
        url = booked.headers["location"].split("?")[0]
        done = await form_post(client, f"{url}/cancel", {}, follow_redirects=False)
        assert done.status_code == 303
        await bind_tenant(db, hotel.tenant.id)
        assert (
            await ledger.balance_of(db, TenantId(hotel.tenant.id), agreement)
        ).balance_fen == 100_000


class TestIsolation:
    async def test_another_agencys_agreement_and_order_are_404(self, client, db):
        _hotel, agency, stock, agreement, product = await _world(db)
        await sign_in(client, agency)
        fields = {
            "product_id": str(product.id),
            "arrival": str(stock.start),
            "departure": str(stock.start + timedelta(days=1)),
            "quantity": "1",
            "key": "k-iso",
            "guest_name": "李娜",
            "guest_phone": "13800138000",
        }
        booked = await form_post(
            client, f"{BASE}/{agreement.id}/book", fields, follow_redirects=False
        )
        order_url = booked.headers["location"].split("?")[0]
        rival = await make_tenant(db, kinds=("agency",), name="另一家旅行社")
        await sign_in(client, rival)
        assert (await client.get(f"{BASE}/{agreement.id}")).status_code == 404
        assert (await client.get(order_url)).status_code == 404
        assert (await form_post(client, f"{order_url}/cancel", {})).status_code == 404
        assert "重庆江景酒店" not in (await client.get(BASE)).text

    async def test_the_supplier_is_sent_to_its_own_agreement_page(self, client, db):
        hotel, _agency, _stock, agreement, _product = await _world(db)
        await sign_in(client, hotel)
        answer = await client.get(f"{BASE}/{agreement.id}", follow_redirects=False)
        assert answer.status_code == 303


class TestBookingACabin:
    async def test_each_passenger_is_entered_by_real_name(self, client, db):
        from datetime import date

        from tests.factories.boarding_booking import make_voyage_on_sale, resident_id

        line = await make_tenant(db, kinds=("cruise",), name="长江游轮")
        agency = await make_tenant(db, kinds=("agency",), name="朝天门国际旅行社")
        sale = await make_voyage_on_sale(db, tenant=line.tenant, price_fen=100000)
        d = await make_distributor(db, tenant=line.tenant, partner=agency.tenant)
        agreement = await make_agreement(db, tenant=line.tenant, distributor=d)
        product = await make_product(
            db,
            tenant=line.tenant,
            agreement=agreement,
            unit_type_id=sale.grade.id,
            rate_plan_id=None,
            voyage_id=sale.voyage.id,
            net_price_fen=250000,
        )
        await ledger.post_topup(
            db, TenantId(line.tenant.id), agreement, amount_fen=500_000, reference="BANK-C"
        )
        await sign_in(client, agency)
        form_page = await client.get(
            f"{BASE}/{agreement.id}/book",
            params={"product_id": str(product.id), "arrival": str(sale.depart_on)},
        )
        assert form_page.status_code == 200
        assert 'name="pax1_name"' in form_page.text and 'name="pax2_id"' in form_page.text
        fields = {k: v for k, v in _form(form_page.text).items() if k != "_csrf_token"}
        wrong = {**fields, "pax1_name": "张伟", "pax1_id": "500103198003071230"}
        refused = await form_post(client, f"{BASE}/{agreement.id}/book", wrong)
        assert refused.status_code == 422 and await _orders(db, line) == 0
        right = {
            **fields,
            "pax1_name": "张伟",
            "pax1_id": resident_id(date(1980, 3, 7)),
            "pax1_phone": "13800138000",
            "pax2_name": "李娜",
            "pax2_id": resident_id(date(1982, 5, 9), seq="124"),
        }
        booked = await form_post(
            client, f"{BASE}/{agreement.id}/book", right, follow_redirects=False
        )
        assert booked.status_code == 303, booked.text
        detail = await client.get(booked.headers["location"])
        assert "张伟" in detail.text and "李娜" in detail.text and "¥2,500.00" in detail.text
