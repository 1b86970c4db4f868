"""Charges racing in real concurrent transactions, meeting on the visit's row (never sleep):
two outlets after the last ¥50 of a limit, a sale replayed while the first is in flight, a tag
blocked while outlets charge it, an offline batch uploaded twice at once."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.errors import AppError
from modules.keytags.models import Charge, ChargeConflict, Visit
from modules.keytags.service import (
    BatchResult,
    ChargeResult,
    ItemQty,
    QueuedCharge,
    apply_charge_batch,
    block_tag,
    charge,
)
from tests.factories.keytags import make_charge, make_item, make_outlet, make_tag, make_visit
from tests.factories.registry import make_api_key
from tests.factories.tenants import make_tenant
from tests.races import Race

pytestmark = pytest.mark.realdb


async def _resort(database, *, outlets=2, tab_fen=0, limit_fen=50000):  # type: ignore[no-untyped-def]
    """A resort with `outlets` outlets (each with its key and a ¥50 item) and one open visit."""
    async with database.transaction() as db:
        owner = await make_tenant(db, kinds=("hot_spring",))
        tenant = owner.tenant
        actors = []
        for n in range(outlets):
            key, _token = await make_api_key(db, tenant, scopes={"pos:charge"})
            outlet = await make_outlet(db, tenant=tenant, api_key_id=key.id)
            await make_item(db, tenant=tenant, outlet=outlet, code="MEAL", price_fen=5000)
            actors.append(Actor(name=f"POS {n}", api_key_id=key.id))
        tag = await make_tag(db, tenant=tenant)
        visit = await make_visit(db, tenant=tenant, tag=tag, limit_fen=limit_fen)
        if tab_fen:
            await make_charge(db, tenant=tenant, visit=visit, amount_fen=tab_fen)
    return TenantId(tenant.id), actors, tag.uid, visit.id


async def _sell(db, tid, actor, uid, *, device, seq=1):  # type: ignore[no-untyped-def]
    """A ¥50 sale, or the refusal's code."""
    try:
        return await charge(
            db, tid, tag_uid=uid, items=[ItemQty("MEAL", 1)], device_id=device,
            device_seq=seq, actor=actor,
        )  # fmt: skip
    except AppError as refused:
        return refused.code


async def _on_record(database, tid, visit_id):  # type: ignore[no-untyped-def]
    async with database.transaction(tid) as db:
        visit = await db.get(Visit, visit_id)
        rows = (await db.execute(select(Charge).where(Charge.visit_id == visit_id))).scalars()
        return visit, list(rows)


async def test_two_outlets_charging_the_last_50_yuan_at_once_one_wins(committed_database):
    tid, (bar, spa), uid, visit_id = await _resort(committed_database, tab_fen=45000)
    race = Race(committed_database)

    async def first() -> ChargeResult | str:
        async with committed_database.transaction(tid) as db:
            result = await _sell(db, tid, bar, uid, device="bar-1")
            await race.hold(db)  # until the other outlet waits on the visit
            return result

    async def second() -> ChargeResult | str:
        await race.held.wait()
        async with committed_database.transaction(tid) as db:
            return await _sell(db, tid, spa, uid, device="spa-1")

    won, lost = await race.run(first(), second())
    assert isinstance(won, ChargeResult) and won.tab_fen == 50000 and won.remaining_fen == 0
    assert lost == "over_limit"
    visit, rows = await _on_record(committed_database, tid, visit_id)
    assert visit.tab_fen == 50000 == sum(c.amount_fen for c in rows)
    assert len(rows) == 2  # the first ¥450 and the winning ¥50


async def test_a_sale_replayed_while_the_first_is_in_flight_applies_once(committed_database):
    tid, (bar, _spa), uid, visit_id = await _resort(committed_database)
    race = Race(committed_database)

    async def first() -> ChargeResult | str:
        async with committed_database.transaction(tid) as db:
            result = await _sell(db, tid, bar, uid, device="bar-1", seq=7)
            await race.hold(db)
            return result

    async def replay() -> ChargeResult | str:
        await race.held.wait()
        async with committed_database.transaction(tid) as db:
            return await _sell(db, tid, bar, uid, device="bar-1", seq=7)

    one, two = await race.run(first(), replay())
    assert isinstance(one, ChargeResult) and isinstance(two, ChargeResult)
    assert two.charge_id == one.charge_id and two.replayed and not one.replayed
    visit, rows = await _on_record(committed_database, tid, visit_id)
    assert visit.tab_fen == 5000 and len(rows) == 1


async def test_a_blocked_tag_is_refused_at_every_outlet_at_once(committed_database):
    """The desk blocks the tag (service.block_tag: the tag blocked, the visit no longer
    holding it, the lost-tag fee on the tab) while two outlets charge it: they wait on the
    visit's row and are refused once the block commits; only the fee is on the tab."""
    tid, (bar, spa), uid, visit_id = await _resort(committed_database)
    race = Race(committed_database)

    async def block() -> None:
        async with committed_database.transaction(tid) as db:
            await block_tag(db, tid, visit_id, reason="客人报失", actor=Actor(name="前台"))
            await race.hold(db)  # the first outlet queued; the other behind it or after

    async def outlet(actor: Actor, device: str) -> ChargeResult | str:
        await race.held.wait()
        async with committed_database.transaction(tid) as db:
            return await _sell(db, tid, actor, uid, device=device)

    _none, at_bar, at_spa = await race.run(block(), outlet(bar, "bar-1"), outlet(spa, "spa-1"))
    assert (at_bar, at_spa) == ("tag_blocked", "tag_blocked")
    visit, rows = await _on_record(committed_database, tid, visit_id)
    assert [c.kind for c in rows] == ["fee"] and visit.tab_fen == rows[0].amount_fen


def _queued(uid: str, seq: int) -> QueuedCharge:
    return QueuedCharge(
        device_seq=seq,
        tag_uid=uid,
        items=[ItemQty("MEAL", 1)],
        occurred_at=clock.now() - timedelta(minutes=30 - seq),
    )


async def test_a_batch_uploaded_twice_at_once_changes_nothing_the_second_time(
    committed_database,
):
    """Three sales fit the ¥150 limit, the fourth is a conflict; the same upload sent again
    while the first is running waits for it, then answers every sale as a duplicate."""
    tid, (bar, _spa), uid, visit_id = await _resort(committed_database, limit_fen=15000)
    batch = [_queued(uid, seq) for seq in (4, 2, 1, 3)]
    race = Race(committed_database)

    async def first() -> BatchResult:
        async with committed_database.transaction(tid) as db:
            result = await apply_charge_batch(
                db, tid, device_id="reader-1", charges=batch, actor=bar
            )
            await race.hold(db)
            return result

    async def again() -> BatchResult:
        await race.held.wait()
        async with committed_database.transaction(tid) as db:
            return await apply_charge_batch(db, tid, device_id="reader-1", charges=batch, actor=bar)

    one, two = await race.run(first(), again())
    assert [(e.device_seq, e.outcome) for e in one.results] == [
        (1, "applied"),
        (2, "applied"),
        (3, "applied"),
        (4, "conflict"),
    ]
    assert {e.outcome for e in two.results} == {"duplicate"}
    visit, rows = await _on_record(committed_database, tid, visit_id)
    assert visit.tab_fen == 15000 and sorted(c.device_seq for c in rows) == [1, 2, 3]
    async with committed_database.transaction(tid) as db:
        conflicts = (await db.execute(select(ChargeConflict))).scalars().all()
        assert [(c.device_seq, c.reason, c.status, c.amount_fen) for c in conflicts] == [
            (4, "limit", "open", 5000)
        ]
        assert conflicts[0].visit_id == visit_id
        assert await db.scalar(select(func.count()).select_from(Charge)) == 3


async def test_an_offline_sale_on_a_tag_blocked_meanwhile_is_kept_as_a_conflict(
    committed_database,
):
    tid, (bar, _spa), uid, visit_id = await _resort(committed_database)
    async with committed_database.transaction(tid) as db:
        await db.execute(text("UPDATE key_tags SET status = 'blocked' WHERE uid = :u"), {"u": uid})
        await db.execute(
            text("UPDATE spa_visits SET active_tag_id = NULL WHERE id = :v"), {"v": visit_id}
        )
    async with committed_database.transaction(tid) as db:
        result = await apply_charge_batch(
            db, tid, device_id="reader-2", charges=[_queued(uid, 1)], actor=bar
        )
    (entry,) = result.results
    assert (entry.outcome, entry.reason) == ("conflict", "blocked")
    async with committed_database.transaction(tid) as db:
        conflict = await db.get(ChargeConflict, entry.conflict_id or uuid.uuid4())
        assert conflict is not None and conflict.visit_id == visit_id
        assert conflict.tag_uid == uid and conflict.amount_fen == 5000
