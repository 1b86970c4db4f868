"""The reservations JSON API: scoped keys, availability, holds and bookings with
Idempotency-Key replay, changes and cancellation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories.registry import make_api_key
from tests.factories.reservations import RESIDENT_ID, make_stock
from tests.factories.tenants import make_tenant

SCOPES = {"reservations:read", "reservations:write"}


@pytest.fixture
async def setup(db):
    owner = await make_tenant(db)
    stock = await make_stock(db, tenant=owner.tenant, units=2)
    _, token = await make_api_key(db, owner.tenant, scopes=SCOPES)
    return stock, {"authorization": f"Bearer {token}"}


def _booking(stock, nights=2, **extra):
    return {
        "unit_type_id": str(stock.unit_type.id),
        "rate_plan_id": str(stock.plan.id),
        "arrival": stock.start.isoformat(),
        "departure": (stock.start + timedelta(days=nights)).isoformat(),
        "adults": 2,
        "guest": {"name": "李娜", "phone": "13912345678", "id_number": RESIDENT_ID},
        **extra,
    }


async def _book(client, headers, body, key="k-1"):
    return await client.post(
        "/api/v1/reservations", json=body, headers={**headers, "Idempotency-Key": key}
    )


class TestAvailability:
    async def test_lists_types_with_nightly_prices(self, client, setup):
        stock, headers = setup
        response = await client.get(
            "/api/v1/availability",
            params={
                "arrival": stock.start.isoformat(),
                "departure": (stock.start + timedelta(days=2)).isoformat(),
                "adults": 2,
                "rate_plan": stock.plan.code,
            },
            headers=headers,
        )
        assert response.status_code == 200, response.text
        [offer] = response.json()
        assert offer["total_fen"] == 137600
        assert offer["available"] == 2
        assert [n["price_fen"] for n in offer["nights"]] == [68800, 68800]

    async def test_a_key_without_the_scope_is_refused(self, client, db, setup):
        stock, _ = setup
        _, token = await make_api_key(db, await _tenant(db, stock), scopes={"terminals:read"})
        response = await client.get(
            "/api/v1/availability",
            params={
                "arrival": stock.start.isoformat(),
                "departure": (stock.start + timedelta(days=1)).isoformat(),
            },
            headers={"authorization": f"Bearer {token}"},
        )
        assert response.status_code == 403


async def _tenant(db, stock):
    from tenants.models import Tenant

    return await db.get(Tenant, stock.tenant_id)


class TestBook:
    async def test_booking_answers_201_with_the_confirmation(self, client, setup):
        stock, headers = setup
        response = await _book(client, headers, _booking(stock))
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["status"] == "confirmed"
        assert body["code"].startswith("ZL")
        assert body["id_number_masked"] == "500103********1239"
        assert RESIDENT_ID not in response.text

    async def test_the_same_key_replays_the_first_answer_and_books_once(self, client, setup):
        stock, headers = setup
        first = await _book(client, headers, _booking(stock), key="same")
        again = await _book(client, headers, _booking(stock), key="same")
        assert (again.status_code, again.json()) == (first.status_code, first.json())
        listing = await client.get(
            "/api/v1/availability",
            params={
                "arrival": stock.start.isoformat(),
                "departure": (stock.start + timedelta(days=1)).isoformat(),
                "rate_plan": stock.plan.code,
            },
            headers=headers,
        )
        assert listing.json()[0]["available"] == 1

    async def test_the_same_key_with_another_body_is_refused(self, client, setup):
        stock, headers = setup
        await _book(client, headers, _booking(stock), key="reused")
        response = await _book(client, headers, _booking(stock, nights=1), key="reused")
        assert response.status_code == 409
        assert response.json()["code"] == "idempotency_key_reused"

    async def test_a_write_without_a_key_is_refused(self, client, setup):
        stock, headers = setup
        response = await client.post("/api/v1/reservations", json=_booking(stock), headers=headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "Idempotency-Key"

    async def test_sold_out_answers_409_and_a_retry_with_the_key_may_succeed_later(
        self, client, setup
    ):
        stock, headers = setup
        await _book(client, headers, _booking(stock), key="a")
        await _book(client, headers, _booking(stock), key="b")
        response = await _book(client, headers, _booking(stock), key="c")
        assert response.status_code == 409
        assert response.json()["code"] == "sold_out"

    async def test_a_bad_resident_id_is_a_field_error(self, client, setup):
        stock, headers = setup
        body = _booking(stock)
        body["guest"]["id_number"] = "500103199003071234"
        response = await _book(client, headers, body)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "id_number"


class TestHoldChangeCancel:
    async def test_hold_then_confirm(self, client, setup):
        stock, headers = setup
        held = await client.post(
            "/api/v1/holds",
            json={**_booking(stock), "hold_minutes": 15},
            headers={**headers, "Idempotency-Key": "h"},
        )
        assert held.status_code == 201, held.text
        assert held.json()["status"] == "held"
        rid = held.json()["id"]
        confirmed = await client.post(
            f"/api/v1/reservations/{rid}/confirm", headers={**headers, "Idempotency-Key": "hc"}
        )
        assert confirmed.json()["status"] == "confirmed"

    async def test_change_dates_reprices(self, client, setup):
        stock, headers = setup
        rid = (await _book(client, headers, _booking(stock))).json()["id"]
        new_departure = (stock.start + timedelta(days=3)).isoformat()
        response = await client.patch(
            f"/api/v1/reservations/{rid}",
            json={"departure": new_departure},
            headers={**headers, "Idempotency-Key": "m"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["total_fen"] == 3 * 68800

    async def test_cancel_reports_fee_and_refundable(self, client, setup):
        stock, headers = setup
        rid = (await _book(client, headers, _booking(stock))).json()["id"]
        response = await client.post(
            f"/api/v1/reservations/{rid}/cancel",
            json={"reason": "客人取消"},
            headers={**headers, "Idempotency-Key": "c1"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["fee_fen"], body["refundable_fen"]) == (0, 0)
        assert body["reservation"]["status"] == "cancelled"
        replay = await client.post(
            f"/api/v1/reservations/{rid}/cancel",
            json={"reason": "客人取消"},
            headers={**headers, "Idempotency-Key": "c1"},
        )
        assert replay.json() == body

    async def test_another_tenants_reservation_is_404(self, client, db, setup):
        stock, headers = setup
        rid = (await _book(client, headers, _booking(stock))).json()["id"]
        other = await make_tenant(db)
        _, token = await make_api_key(db, other.tenant, scopes=SCOPES)
        response = await client.get(
            f"/api/v1/reservations/{rid}", headers={"authorization": f"Bearer {token}"}
        )
        assert response.status_code == 404


class TestDocumentation:
    async def test_the_api_is_in_openapi_with_the_idempotency_header(self, client):
        schema = (await client.get("/schema/openapi.json")).json()
        book = schema["paths"]["/api/v1/reservations"]["post"]
        headers = [p["name"].lower() for p in book["parameters"] if p["in"] == "header"]
        assert "idempotency-key" in headers
        assert "/api/v1/availability" in schema["paths"]
        assert "201" in book["responses"]
