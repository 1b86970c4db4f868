"""A guest cancelling a request at the moment a clerk takes it, in real concurrent
transactions: exactly one of them wins, and the history tells the same story."""

from __future__ import annotations

import pytest

from app.db.engine import TenantId
from app.errors import Conflict
from modules.guestservices import service
from tests.factories.frontdesk import make_stay
from tests.factories.guestservices import make_request
from tests.factories.tenants import make_tenant
from tests.races import Race

pytestmark = pytest.mark.realdb


async def test_cancel_and_acknowledge_at_once_leave_one_outcome(committed_database):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db)
        tid = TenantId(owner.tenant.id)
        stay = (await make_stay(db, tenant=owner.tenant)).stay
        made = await make_request(db, tenant=owner.tenant, stay_id=stay.id)
    race = Race(committed_database)

    async def guest_cancels() -> str:
        try:
            async with committed_database.transaction(tid) as db:
                await service.cancel_request(db, tid, stay_id=stay.id, request_id=made.id)
                await race.hold(db)  # the lock is held until the clerk waits on it
            return "cancelled"
        except Conflict:
            return "refused"

    async def clerk_acknowledges() -> str:
        await race.held.wait()
        try:
            async with committed_database.transaction(tid) as db:
                await service.advance_request(db, tid, made.id, "acknowledge", by_user_id=None)
            return "acknowledged"
        except Conflict:
            return "refused"

    outcomes = await race.run(guest_cancels(), clerk_acknowledges())
    assert outcomes == ["cancelled", "refused"]
    async with committed_database.transaction(tid) as db:
        [listed] = await service.stay_requests(db, tid, stay.id)
        queue = await service.request_queue(db, tid, status="cancelled")
    assert listed.status == "cancelled"
    assert [e.status for e in queue.requests[0].history] == ["new", "cancelled"]
