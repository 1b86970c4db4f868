"""The hold sweeper: unpaid holds give their nights back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from app import clock
from app.jobs.runtime import JobRuntime, use_runtime
from modules.reservations import tasks
from modules.reservations.repository import BookingRepository
from tests.factories.reservations import make_reservation, make_stock
from tests.factories.tenants import make_tenant

pytestmark = pytest.mark.realdb


class TestExpireHolds:
    async def test_the_periodic_job_releases_holds_past_their_time(
        self, committed_database, settings
    ):
        async with committed_database.transaction() as db:
            owner = await make_tenant(db)
            stock = await make_stock(db, tenant=owner.tenant, units=1)
            stale = await make_reservation(
                db, tenant=owner.tenant, stock=stock, hold=True, nights=1
            )
            fresh = await make_reservation(
                db, tenant=owner.tenant, stock=stock, hold=True, nights=1, offset=1
            )
            await BookingRepository(db, stock.tenant_id).update(
                stale.id, hold_expires_at=clock.now() - timedelta(minutes=1)
            )
        with use_runtime(JobRuntime(committed_database, settings)):
            assert await tasks.expire_holds(timestamp=0) >= 1
            assert await tasks.expire_holds(timestamp=0) == 0
        async with committed_database.transaction(stock.tenant_id) as db:
            statuses = dict((await db.execute(text("SELECT id, status FROM reservations"))).all())
            sold = (
                (
                    await db.execute(
                        text(
                            "SELECT sold FROM inventory_days WHERE unit_type_id = :ut ORDER BY day"
                        ),
                        {"ut": stock.unit_type.id},
                    )
                )
                .scalars()
                .all()
            )
        assert statuses[stale.id] == "expired"
        assert statuses[fresh.id] == "held"
        assert sold[:2] == [0, 1]

    def test_the_job_is_registered_with_the_worker(self):
        from workers.app import BLUEPRINTS

        names = {name for bp in BLUEPRINTS for name in bp.tasks}
        assert {"reservations.expire_holds", "reservations.purge_idempotency_keys"} <= names
