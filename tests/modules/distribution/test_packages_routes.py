"""打包产品 over HTTP: the agency's clerk composes a package from its suppliers' products,
sells it with the tourist's card, watches each part at its supplier, and cancels it; bad
input is a field message; another agency's package answers 404."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from app.db.engine import bind_tenant
from app.jobs.runtime import JobRuntime, use_runtime
from modules.distribution import tasks
from modules.distribution.models import Package
from modules.distribution.service import packages as service
from modules.payments import service as payments
from tenants.models import Tenant
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in
from tests.modules.distribution.test_packages import COMPANION, LEAD, make_world
from tests.stripe_fixtures import card_token

pytestmark = pytest.mark.usefixtures("stripe_gateway")

BASE = "/console/distribution/packages"


def _form(world, url: str, **over: str) -> dict[str, str]:
    data = {
        "name": "山城两晚 + 三峡游轮 + 温泉一日",
        "tourist_name": LEAD.name,
        "tourist_id": LEAD.id_number,
        "tourist_phone": "13912345678",
        "companions": f"{COMPANION.name} {COMPANION.id_number}",
        "basis": "person",
        "price": "6400",
        "key": uuid.uuid4().hex,
        "card_token": card_token(url),
    }
    for n, supplier in enumerate(world.suppliers, start=1):
        part = supplier.part
        data[f"p{n}_product"] = f"{part.agreement_id}:{part.product_id}"
        data[f"p{n}_arrival"] = part.arrival.isoformat()
        data[f"p{n}_nights"] = str(part.nights)
        data[f"p{n}_quantity"] = str(part.quantity)
    return data | over


@pytest.fixture
async def world(db):
    return await make_world(db)


@pytest.fixture
async def clerk(db, client, world):
    agency = await db.get(Tenant, world.agency)
    staff = await make_staff(db, tenant=agency, role="agent")
    await sign_in(client, staff)
    return client


class TestSellingAtTheCounter:
    async def test_a_package_is_sold_booked_and_cancelled(
        self, db, database, settings, clerk, world, stripe_emulator
    ):
        page = await clerk.get(f"{BASE}/new")
        assert page.status_code == 200
        assert "解放碑大酒店" in page.text and "长江三峡游轮" in page.text
        sold = await form_post(clerk, f"{BASE}/", _form(world, stripe_emulator))
        assert sold.status_code == 303, sold.text
        detail = await clerk.get(sold.headers["location"])
        assert detail.status_code == 200 and "预订中" in detail.text
        assert 'hx-trigger="every 2s"' in detail.text  # the parts' states are polled
        state = await clerk.get(sold.headers["location"] + "/state")
        assert state.status_code == 200 and "等待预订" in state.text
        resumed = await form_post(clerk, sold.headers["location"] + "/resume", {})
        assert resumed.status_code == 303  # queued again by hand (the job runs it once)

        package_id = uuid.UUID(sold.headers["location"].rsplit("/", 1)[1])
        with use_runtime(JobRuntime(database, settings)):
            assert await tasks.resume_package(str(world.agency), str(package_id)) == "confirmed"
        detail = await clerk.get(f"{BASE}/{package_id}")
        assert "已确认" in detail.text
        assert len(re.findall(r"<code>FX", detail.text)) == 3  # each supplier's order number
        assert "¥12,800.00" in detail.text  # ¥6,400 per person, two people

        cancelled = await form_post(clerk, f"{BASE}/{package_id}/cancel", {})
        assert cancelled.status_code == 303
        view = await service.package_view(db, world.agency, package_id)
        assert view.status == "cancelled"
        assert {p.status for p in view.parts} == {"cancelled"}
        fees = sum(int(p.request.get("cancellation_fee_fen", 0)) for p in view.parts)
        [paid] = await payments.payments_for(db, world.agency, service.SUBJECT, package_id)
        assert sum(r.amount_fen for r in paid.refunds) == 1_280_000 - fees

    async def test_bad_input_is_a_field_message_and_nothing_is_written(
        self, db, clerk, world, stripe_emulator
    ):
        form = _form(
            world,
            stripe_emulator,
            tourist_id="500103198806021234",
            price="abc",
            p1_arrival="2020-01-01",
            p2_quantity="٣",
        )
        page = await form_post(clerk, f"{BASE}/", form)
        assert page.status_code == 422
        assert "校验" in page.text or "身份证" in page.text
        await bind_tenant(db, world.agency)
        assert (await db.execute(select(Package))).first() is None

    async def test_another_agencys_package_is_not_found(self, db, client, world, stripe_emulator):
        other = await make_tenant(db, kinds=("agency",), name="别家旅行社")
        from tests.modules.distribution.test_packages import _sale

        await bind_tenant(db, world.agency)
        view = await service.sell_package(
            db, world.agency, _sale(world, stripe_emulator), actor_id=None
        )
        await sign_in(client, other)
        assert (await client.get(f"{BASE}/{view.id}")).status_code == 404
        assert (await form_post(client, f"{BASE}/{view.id}/cancel", {})).status_code == 404
