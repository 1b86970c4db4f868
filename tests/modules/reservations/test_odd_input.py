"""Odd input answers 422 with a field message, never 500 (issue 10: a NUL byte reached
asyncpg, and '²' passed str.isdigit() and then failed int())."""

from __future__ import annotations

from datetime import timedelta

from tests.factories.registry import make_api_key
from tests.factories.reservations import RESIDENT_ID, make_stock
from tests.factories.tenants import make_tenant
from tests.helpers import form_post, sign_in

CONTROL_MESSAGE = "请删除控制字符和换行。"


class TestTextFields:
    async def test_a_nul_in_the_api_guest_name_is_a_field_error(self, client, db):
        owner = await make_tenant(db)
        stock = await make_stock(db, tenant=owner.tenant, units=1)
        _, token = await make_api_key(db, owner.tenant, scopes={"reservations:write"})
        body = {
            "unit_type_id": str(stock.unit_type.id),
            "rate_plan_id": str(stock.plan.id),
            "arrival": stock.start.isoformat(),
            "departure": (stock.start + timedelta(days=1)).isoformat(),
            "adults": 2,
            "guest": {"name": "a\u0000b", "phone": "13912345678", "id_number": RESIDENT_ID},
        }
        answer = await client.post(
            "/api/v1/reservations",
            json=body,
            headers={"authorization": f"Bearer {token}", "Idempotency-Key": "odd-1"},
        )
        assert answer.status_code == 422, answer.text
        assert {"field": "guest.name", "code": "invalid", "message": CONTROL_MESSAGE} in (
            answer.json()["errors"]
        )

    async def test_a_too_long_api_guest_name_is_a_field_error(self, client, db):
        owner = await make_tenant(db)
        stock = await make_stock(db, tenant=owner.tenant, units=1)
        _, token = await make_api_key(db, owner.tenant, scopes={"reservations:write"})
        body = {
            "unit_type_id": str(stock.unit_type.id),
            "rate_plan_id": str(stock.plan.id),
            "arrival": stock.start.isoformat(),
            "departure": (stock.start + timedelta(days=1)).isoformat(),
            "adults": 2,
            "guest": {"name": "李" * 101, "phone": "13912345678", "id_number": RESIDENT_ID},
        }
        answer = await client.post(
            "/api/v1/reservations",
            json=body,
            headers={"authorization": f"Bearer {token}", "Idempotency-Key": "odd-2"},
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"].endswith("name")

    async def test_a_nul_in_the_console_guest_name_is_a_field_error(self, client, db):
        owner = await make_tenant(db)
        stock = await make_stock(db, tenant=owner.tenant, units=1)
        await sign_in(client, owner)
        answer = await form_post(
            client,
            "/console/reservations",
            {
                "arrival": stock.start.isoformat(),
                "departure": (stock.start + timedelta(days=1)).isoformat(),
                "adults": "2",
                "rate_plan": stock.plan.code,
                "unit_type_id": str(stock.unit_type.id),
                "guest_name": "a\x00b",
                "guest_phone": "13698765432",
            },
            follow_redirects=False,
        )
        assert answer.status_code == 422, answer.text
        assert CONTROL_MESSAGE in answer.text


class TestNumbers:
    async def test_a_unicode_digit_as_weekday_is_refused(self, client, db):
        owner = await make_tenant(db)
        stock = await make_stock(db, tenant=owner.tenant, days=7)
        await sign_in(client, owner)
        answer = await form_post(
            client,
            "/console/inventory/calendar",
            {
                "unit_type_id": str(stock.unit_type.id),
                "start": stock.start.isoformat(),
                "end": stock.start.isoformat(),
                "weekdays": "²",
                "price": "888",
            },
            headers={"hx-request": "true"},
        )
        assert answer.status_code == 422, answer.text
        assert "请选择星期几。" in answer.text

    async def test_not_a_number_as_price_or_percent_is_refused(self, client, db):
        owner = await make_tenant(db)
        stock = await make_stock(db, tenant=owner.tenant, days=7)
        await sign_in(client, owner)
        answer = await form_post(
            client,
            "/console/inventory/calendar",
            {
                "unit_type_id": str(stock.unit_type.id),
                "start": stock.start.isoformat(),
                "end": stock.start.isoformat(),
                "price": "NaN",
            },
            headers={"hx-request": "true"},
        )
        assert answer.status_code == 422, answer.text
        plan = await form_post(
            client,
            "/console/inventory/rate-plans",
            {"code": "ODD", "name": "odd", "discount_percent": "NaN"},
        )
        assert plan.status_code == 422, plan.text
