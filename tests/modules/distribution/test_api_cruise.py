"""End to end for a cruise line's OTA: a cabin booked through the API with its real-name
passengers, the first passenger's boarding scan at the gangway, and the partner's receiver
told `order.confirmed` then `order.redeemed`, signed with the secret it was issued."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any

import httpx
import time_machine
from sqlalchemy import select

from app import events
from app.actor import SYSTEM
from app.db.engine import TenantId, bind_tenant
from devtools.webhook_receiver import Receiver
from modules.boarding import service as boarding
from modules.boarding.service.gangway import record_scan
from modules.distribution.models import Callback
from modules.distribution.service import EVENT_HANDLERS, delivery, distributors, ledger
from tests.factories.boarding import first_call
from tests.factories.boarding_booking import make_voyage_on_sale, resident_id
from tests.factories.distribution import make_agreement, make_distributor, make_product
from tests.factories.registry import make_api_key
from tests.factories.tenants import make_tenant

API = "/api/v1/distribution"


async def test_a_cabin_booked_by_api_is_redeemed_when_its_passenger_boards(db, client, settings):
    events.subscribe_all(EVENT_HANDLERS)
    line = (await make_tenant(db, name="长江游轮", kinds=("cruise",))).tenant
    tid = TenantId(line.id)
    sale = await make_voyage_on_sale(db, tenant=line, price_fen=100000, days_ahead=0)
    key, token = await make_api_key(
        db, line, scopes={"distribution:read", "distribution:book"}, name="同程旅行"
    )
    ota = await make_distributor(db, tenant=line, name="同程旅行", api_key_id=key.id)
    secret = await distributors.set_callback_url(db, tid, ota.id, "https://ly.example.test/cb")
    agreement = await make_agreement(db, tenant=line, distributor=ota)
    product = await make_product(
        db,
        tenant=line,
        agreement=agreement,
        unit_type_id=sale.grade.id,
        rate_plan_id=None,
        voyage_id=sale.voyage.id,
        net_price_fen=80000,
    )
    await ledger.post_topup(db, tid, agreement, amount_fen=2_000_000, reference="BANK-7")
    headers = {"authorization": f"Bearer {token}", "Idempotency-Key": "LY-1"}
    body = {
        "product_id": str(product.id),
        "arrival": sale.depart_on.isoformat(),
        "passengers": [
            {"name": "张伟", "id_number": resident_id(date(1980, 3, 7)), "phone": "13800138000"},
            {"name": "李娜", "id_number": resident_id(date(1982, 5, 9), seq="124")},
        ],
        "external_ref": "LY-889",
    }
    with time_machine.travel(sale.voyage.boarding_opens_at + timedelta(minutes=10), tick=True):
        placed = await client.post(f"{API}/orders", json=body, headers=headers)
        assert placed.status_code == 201, placed.text
        order = placed.json()
        assert order["kind"] == "cabin" and order["passengers"] == ["张伟", "李娜"]
        await bind_tenant(db, tid)
        r_id = await _reservation_of(db, order["number"])
        sailing = await boarding.passengers_of_reservation(db, tid, r_id)
        (issued, *_rest) = await boarding.issue_passes(db, tid, [sailing[0].id], reason="boarding")
        scan = await record_scan(
            db,
            tid,
            code=issued.code,
            voyage_id=sale.voyage.id,
            port_call_id=(await first_call(db, sale.voyage)).id,
            direction="embark",
            device_id="gate-1",
            device_seq=1,
            scanned_at=None,
            actor=SYSTEM,
        )
        assert scan.accepted
        shown = await client.get(f"{API}/orders/{order['number']}", headers=headers)
        assert shown.json()["status"] == "redeemed"
        receiver = Receiver(secret=secret or "")
        await _deliver(db, settings, tid, receiver)
    view = receiver.orders[order["number"]]
    assert view.events == ["order.confirmed", "order.redeemed"] and view.state == "redeemed"


async def _reservation_of(db: Any, number: str) -> Any:
    from modules.distribution.models import DistributionOrder

    stmt = select(DistributionOrder.reservation_id).where(DistributionOrder.number == number)
    return (await db.execute(stmt)).scalar_one()


async def _deliver(db: Any, settings: Any, tid: TenantId, receiver: Receiver) -> None:
    @asynccontextmanager
    async def bound() -> AsyncIterator[tuple[Any, TenantId]]:
        yield db, tid

    rows = (await db.execute(select(Callback))).scalars().all()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver)) as http:
        for cb in sorted(rows, key=lambda c: c.payload["data"]["sequence"]):
            assert await delivery.deliver(bound, settings, cb.id, http=http) == "delivered"
