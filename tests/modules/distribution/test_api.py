"""The partner API: an OTA with a key of the hotel's looks at its authorised products,
pre-checks, books (idempotent on the Idempotency-Key header), reads, changes and cancels its
order; refusals are {"code","message","errors"}; another partner's order is 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db.engine import TenantId, bind_tenant
from modules.distribution.models import Callback, DistributionOrder
from modules.distribution.service import ledger
from tests.factories.distribution import make_agreement, make_distributor, make_product
from tests.factories.registry import make_api_key
from tests.factories.reservations import make_stock
from tests.factories.tenants import make_tenant

API = "/api/v1/distribution"
BOTH = {"distribution:read", "distribution:book"}


@dataclass
class Ota:
    tid: TenantId
    headers: dict[str, str]
    product_id: str
    arrival: date
    agreement: Any
    distributor: Any


async def _ota(db, *, scopes=BOTH, topup: int = 500_000, name: str = "携程旅行网") -> Ota:
    hotel = (await make_tenant(db, name="山城大酒店")).tenant
    tid = TenantId(hotel.id)
    stock = await make_stock(db, tenant=hotel)
    key, token = await make_api_key(db, hotel, scopes=scopes, name=name)
    ota = await make_distributor(
        db, tenant=hotel, name=name, api_key_id=key.id, callback_url="https://ota.test/h"
    )
    agreement = await make_agreement(db, tenant=hotel, distributor=ota)
    product = await make_product(db, tenant=hotel, agreement=agreement, stock=stock)
    if topup:
        await ledger.post_topup(db, tid, agreement, amount_fen=topup, reference="BANK-1")
    headers = {"authorization": f"Bearer {token}"}
    return Ota(tid, headers, str(product.id), stock.start, agreement, ota)


@pytest.fixture
async def ota(db) -> Ota:
    return await _ota(db)


def _order(ota: Ota, nights: int = 1, **fields: Any) -> dict[str, Any]:
    return {
        "product_id": ota.product_id,
        "arrival": ota.arrival.isoformat(),
        "departure": (ota.arrival + timedelta(days=nights)).isoformat(),
        "guest_name": "李娜",
        "guest_phone": "13800138000",
        "external_ref": "CTRIP-889",
        **fields,
    }


async def _book(client, ota: Ota, key: str = "k-1", **fields: Any):
    headers = {**ota.headers, "Idempotency-Key": key}
    return await client.post(f"{API}/orders", json=_order(ota, **fields), headers=headers)


class TestProducts:
    async def test_authorised_products_with_prices_and_availability(self, client, ota):
        answer = await client.get(
            f"{API}/products",
            params={
                "arrival": ota.arrival.isoformat(),
                "departure": (ota.arrival + timedelta(days=2)).isoformat(),
            },
            headers=ota.headers,
        )
        assert answer.status_code == 200, answer.text
        [item] = answer.json()
        assert item["product_id"] == ota.product_id and item["kind"] == "room"
        assert item["available"] == 3
        assert (item["sale_fen"], item["settlement_fen"]) == (2 * 68800, 2 * 58800)

    async def test_precheck_says_price_and_balance(self, client, ota):
        body = {"product_id": ota.product_id, "arrival": ota.arrival.isoformat()}
        answer = await client.post(f"{API}/precheck", json=body, headers=ota.headers)
        assert answer.status_code == 200, answer.text
        got = answer.json()
        assert got["bookable"] is True and got["settlement_fen"] == 58800
        assert got["available_after_fen"] == got["available_fen"] - 58800

    async def test_a_stay_longer_than_thirty_nights_is_a_field_error(self, client, ota):
        answer = await client.get(
            f"{API}/products",
            params={"arrival": "2030-01-01", "departure": "9999-12-31"},
            headers=ota.headers,
        )
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "departure"

    async def test_a_key_no_distributor_holds_is_refused(self, db, client):
        hotel = (await make_tenant(db)).tenant
        _, token = await make_api_key(db, hotel, scopes=BOTH)
        answer = await client.get(
            f"{API}/products",
            params={"arrival": "2030-01-01"},
            headers={"authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 403 and answer.json()["code"] == "no_agreement"

    async def test_a_read_key_cannot_book(self, db, client):
        ota = await _ota(db, scopes={"distribution:read"})
        assert (await _book(client, ota)).status_code == 403


class TestOrders:
    async def test_an_order_is_booked_once_per_key(self, db, client, ota):
        first = await _book(client, ota)
        assert first.status_code == 201, first.text
        order = first.json()
        assert order["status"] == "confirmed" and order["number"].startswith("FX")
        assert order["external_ref"] == "CTRIP-889" and order["reservation_code"]
        again = await _book(client, ota)
        assert again.status_code == 201 and again.json()["number"] == order["number"]
        await bind_tenant(db, ota.tid)
        assert await db.scalar(select(func.count()).select_from(DistributionOrder)) == 1
        events = (await db.execute(select(Callback.event_type))).scalars().all()
        assert events == ["order.confirmed"]

    async def test_the_same_key_with_another_order_is_a_conflict(self, client, ota):
        await _book(client, ota)
        answer = await _book(client, ota, nights=2)
        assert answer.status_code == 409
        assert answer.json()["code"] == "idempotency_key_reused"

    async def test_an_order_without_an_idempotency_key_is_refused(self, db, client, ota):
        answer = await client.post(f"{API}/orders", json=_order(ota), headers=ota.headers)
        assert answer.status_code in (400, 422)
        assert set(answer.json()) >= {"code", "message"}
        await bind_tenant(db, ota.tid)
        assert await db.scalar(select(func.count()).select_from(DistributionOrder)) == 0

    async def test_a_balance_too_small_is_refused_and_writes_nothing(self, db, client):
        ota = await _ota(db, topup=10_000)
        answer = await _book(client, ota)
        assert answer.status_code == 409 and answer.json()["code"] == "insufficient_balance"
        await bind_tenant(db, ota.tid)
        assert await db.scalar(select(func.count()).select_from(DistributionOrder)) == 0

    async def test_odd_input_names_the_field(self, client, ota):
        answer = await _book(client, ota, quantity=0)
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "quantity"

    async def test_status_change_and_cancel(self, client, ota):
        number = (await _book(client, ota)).json()["number"]
        shown = await client.get(f"{API}/orders/{number}", headers=ota.headers)
        assert shown.status_code == 200 and shown.json()["status"] == "confirmed"
        later = (ota.arrival + timedelta(days=1)).isoformat()
        moved = await client.post(
            f"{API}/orders/{number}/change",
            json={"arrival": later, "departure": (ota.arrival + timedelta(days=3)).isoformat()},
            headers=ota.headers,
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["arrival"] == later and moved.json()["settlement_fen"] == 2 * 58800
        cancelled = await client.post(
            f"{API}/orders/{number}/cancel", json={"reason": "客人行程取消"}, headers=ota.headers
        )
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        again = await client.post(f"{API}/orders/{number}/cancel", json={}, headers=ota.headers)
        assert again.status_code == 200 and again.json()["status"] == "cancelled"

    async def test_another_partners_order_is_not_found(self, db, client, ota):
        number = (await _book(client, ota)).json()["number"]
        await bind_tenant(db, ota.tid)
        other_key, token = await make_api_key(db, _tenant_of(ota), scopes=BOTH, name="飞猪")
        other = await make_distributor(db, tenant=_tenant_of(ota), api_key_id=other_key.id)
        await make_agreement(db, tenant=_tenant_of(ota), distributor=other)
        headers = {"authorization": f"Bearer {token}"}
        for answer in (
            await client.get(f"{API}/orders/{number}", headers=headers),
            await client.post(f"{API}/orders/{number}/cancel", json={}, headers=headers),
        ):
            assert answer.status_code == 404 and answer.json()["code"] == "not_found"

    async def test_another_suppliers_product_is_not_found(self, db, client, ota):
        elsewhere = await _ota(db, name="去哪儿")
        answer = await _book(client, ota, product_id=elsewhere.product_id)
        assert answer.status_code == 404


def _tenant_of(ota: Ota) -> Any:
    class _T:
        id = ota.tid

    return _T()


class TestSchema:
    async def test_the_api_and_its_errors_are_documented(self, client):
        schema = (await client.get("/schema/openapi.json")).json()
        orders = schema["paths"][f"{API}/orders"]["post"]
        assert {"201", "409", "422"} <= set(orders["responses"])
        headers = [p for p in orders["parameters"] if p["in"] == "header"]
        assert any(p["name"] == "Idempotency-Key" and p["required"] for p in headers)
        for path in ("/products", "/precheck", "/orders/{number}", "/orders/{number}/cancel"):
            assert f"{API}{path}" in schema["paths"]
