"""Callbacks end to end: the secret the distributor's page issues (service/distributors) is
the one deliveries sign with; an API order and its cancellation reach the partner's
receiver signed, in order, and a rotated secret signs from then on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import select

from app.db.engine import TenantId, bind_tenant
from devtools.webhook_receiver import Receiver
from modules.distribution.models import Callback
from modules.distribution.service import delivery, distributors
from tests.modules.distribution.test_api import API, _book, _ota


async def _deliver_all(db, settings, tid: TenantId, receiver: Receiver) -> list[str]:
    await bind_tenant(db, tid)
    pending = (
        (await db.execute(select(Callback).where(Callback.status == "pending"))).scalars().all()
    )

    @asynccontextmanager
    async def bound() -> AsyncIterator[tuple[Any, TenantId]]:
        yield db, tid

    outcomes = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver)) as http:
        for cb in sorted(pending, key=lambda c: c.payload["data"]["sequence"]):
            outcomes.append(await delivery.deliver(bound, settings, cb.id, http=http))
    return outcomes


class TestFlow:
    async def test_api_order_and_cancellation_reach_the_partner_signed(self, db, client, settings):
        ota = await _ota(db)
        await bind_tenant(db, ota.tid)
        secret = await distributors.set_callback_url(
            db, ota.tid, ota.distributor.id, "https://ota.example.test/zhilv"
        )
        assert secret is not None and secret.startswith("whsec_")
        number = (await _book(client, ota)).json()["number"]
        await client.post(f"{API}/orders/{number}/cancel", json={}, headers=ota.headers)
        receiver = Receiver(secret=secret)
        assert await _deliver_all(db, settings, ota.tid, receiver) == ["delivered", "delivered"]
        view = receiver.orders[number]
        assert view.events == ["order.confirmed", "order.cancelled"]
        assert (view.state, view.sequence) == ("cancelled", 2)

    async def test_a_rotated_secret_signs_from_then_on(self, db, client, settings):
        ota = await _ota(db)
        await bind_tenant(db, ota.tid)
        old = await distributors.set_callback_url(
            db, ota.tid, ota.distributor.id, "https://ota.example.test/zhilv"
        )
        new = await distributors.rotate_callback_secret(db, ota.tid, ota.distributor.id)
        await _book(client, ota)
        stale = Receiver(secret=old or "")
        assert await _deliver_all(db, settings, ota.tid, stale) == ["retry"]
        assert stale.refused == ["no valid signature"]
        assert await _deliver_all(db, settings, ota.tid, Receiver(secret=new)) == ["delivered"]
