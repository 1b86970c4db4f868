"""An order from the terminal racing the clerk's check-out, in real concurrent
transactions: the order and its charges land together before the bill is settled, or
neither does. Never an order the bill does not show, never a charge on a closed bill."""

from __future__ import annotations

import pytest

from app.db.engine import TenantId
from app.errors import Conflict
from modules.frontdesk import service as frontdesk
from modules.guestservices import service
from tests.factories.frontdesk import TZ, make_stay
from tests.factories.guestservices import make_menu_item
from tests.factories.tenants import make_tenant
from tests.races import Race

pytestmark = pytest.mark.realdb


async def test_an_order_during_check_out_is_on_the_settled_bill_or_nowhere(committed_database):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db)
        tid = TenantId(owner.tenant.id)
        stay = (await make_stay(db, tenant=owner.tenant)).stay
        item = await make_menu_item(db, tenant=owner.tenant, name="老火锅套餐", price="168")
    race = Race(committed_database)

    async def guest_orders() -> str:
        try:
            async with committed_database.transaction(tid) as db:
                await service.place_order(db, tid, stay_id=stay.id, quantities={str(item.id): "1"})
                await race.hold(db)  # the stay stays locked until the clerk waits on it
            return "ordered"
        except Conflict:
            return "refused"

    async def clerk_checks_out() -> None:
        await race.held.wait()
        async with committed_database.transaction(tid) as db:
            await frontdesk.check_out(
                db, tid, stay.id, method="cash", actor=frontdesk.SYSTEM, tz=TZ
            )

    outcome, _ = await race.run(guest_orders(), clerk_checks_out())
    assert outcome == "ordered"
    async with committed_database.transaction(tid) as db:
        folio = await frontdesk.folio(db, tid, stay.id)
        orders = await service.stay_orders(db, tid, stay.id)
    assert [o.total_fen for o in orders] == [16800]
    assert [line.amount_fen for line in folio.lines if "老火锅套餐" in line.description] == [16800]
    assert folio.balance_fen == 0  # settled with the order on it

    async with committed_database.transaction(tid) as db:
        with pytest.raises(Conflict):
            await service.place_order(db, tid, stay_id=stay.id, quantities={str(item.id): "1"})
