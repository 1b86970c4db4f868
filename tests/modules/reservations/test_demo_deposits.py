"""Demo payments: deposits on the demo bookings, once."""

from __future__ import annotations

from app import clock
from app.db.engine import TenantId
from modules.reservations import service as reservations
from modules.reservations.demo import seed_deposits as seed_demo
from tests.factories.reservations import make_reservation, make_stock
from tests.factories.tenants import make_tenant


async def test_unpaid_bookings_get_a_desk_deposit_and_reseeding_adds_nothing(db):
    owner = await make_tenant(db)
    tid = TenantId(owner.tenant.id)
    stock = await make_stock(db, tenant=owner.tenant, start=clock.today())
    booked = await make_reservation(db, tenant=owner.tenant, stock=stock)
    held = await make_reservation(db, tenant=owner.tenant, stock=stock, hold=True)

    assert await seed_demo(db, tid, ("hotel",)) == 1
    assert await seed_demo(db, tid, ("hotel",)) == 0
    paid = await reservations.get_reservation(db, tid, booked.id)
    assert paid.payment_state == "deposit_paid" and 0 < paid.paid_fen < paid.total_fen
    assert (await reservations.get_reservation(db, tid, held.id)).paid_fen == 0
