"""The gates: `POST /api/v1/keytags/gate` with a gate:exit key. The entry starts the billing
clock once; the exit refuses an unpaid visit with what it owes, opens for a settled one
within the exit window (the tag back in stock or a wristband retired, the locker free, the
binding released) and refuses the same tag again; after the window it asks to settle again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.actor import Actor
from app.db.engine import TenantId, bind_tenant
from modules.keytags import service
from modules.keytags.models import KeyTag, Locker, VisitTag
from tests.factories.keytags import make_charge, make_locker, make_tag, make_visit
from tests.factories.registry import make_api_key
from tests.factories.tenants import make_staff, make_tenant
from tests.races import Race

NOON = datetime(2026, 12, 8, 4, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def at_noon():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
async def resort(db):  # type: ignore[no-untyped-def]
    owner = await make_tenant(db, kinds=("hot_spring",), name="北碚温泉")
    await bind_tenant(db, owner.tenant.id)
    return owner


@pytest.fixture
def tid(resort) -> TenantId:  # type: ignore[no-untyped-def]
    return TenantId(resort.tenant.id)


@pytest.fixture
async def cashier(db, resort):  # type: ignore[no-untyped-def]
    staff = await make_staff(db, tenant=resort.tenant, role="cashier")
    await bind_tenant(db, resort.tenant.id)
    return Actor(user_id=staff.user.id)


@pytest.fixture
async def gate_key(db, resort):  # type: ignore[no-untyped-def]
    _key, token = await make_api_key(db, resort.tenant, scopes={"gate:exit"}, name="出口闸机")
    await bind_tenant(db, resort.tenant.id)
    return {"Authorization": f"Bearer {token}"}


async def pass_gate(client, headers, uid, direction="out"):  # type: ignore[no-untyped-def]
    answer = await client.post(
        "/api/v1/keytags/gate",
        json={"uid": uid, "direction": direction, "device_id": "gate-out-1"},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def in_locker(db, resort, visit):  # type: ignore[no-untyped-def]
    return await make_locker(db, tenant=resort.tenant, status="occupied", visit_id=visit.id)


class TestEntry:
    async def test_first_pass_starts_the_clock_and_later_ones_change_nothing(
        self, db, client, resort, gate_key
    ):
        tag = await make_tag(db, tenant=resort.tenant)
        visit = await make_visit(db, tenant=resort.tenant, tag=tag, gate_in_at=None)
        first = await pass_gate(client, gate_key, tag.uid, "in")
        assert first["open"] is True and first["visit_number"] == visit.number
        await db.refresh(visit)
        assert visit.gate_in_at == NOON
        with time_machine.travel(NOON + timedelta(hours=2), tick=False):
            again = await pass_gate(client, gate_key, tag.uid, "in")
        assert again["open"] is True
        await db.refresh(visit)
        assert visit.gate_in_at == NOON

    async def test_a_settled_tag_does_not_open_the_entry(
        self, db, client, resort, tid, cashier, gate_key
    ):
        tag = await make_tag(db, tenant=resort.tenant)
        visit = await make_visit(db, tenant=resort.tenant, tag=tag)
        await service.settle(db, tid, visit.id, method="card", actor=cashier)
        answer = await pass_gate(client, gate_key, tag.uid, "in")
        assert answer["open"] is False and answer["reason"] == "settled"


class TestExit:
    async def test_unpaid_is_refused_with_the_amount_due(self, db, client, resort, gate_key):
        tag = await make_tag(db, tenant=resort.tenant)
        visit = await make_visit(db, tenant=resort.tenant, tag=tag)
        await make_charge(db, tenant=resort.tenant, visit=visit, amount_fen=2800)
        answer = await pass_gate(client, gate_key, tag.uid.lower())
        assert answer["open"] is False and answer["reason"] == "unpaid"
        assert answer["due_fen"] == 36800 + 2800 and answer["message"]
        await db.refresh(visit)
        assert visit.status == "open" and visit.exit_at is None

    async def test_settled_opens_once_and_frees_tag_locker_and_binding(
        self, db, client, resort, tid, cashier, gate_key
    ):
        tag = await make_tag(db, tenant=resort.tenant)
        visit = await make_visit(db, tenant=resort.tenant, tag=tag, hours_ago=12)
        locker = await in_locker(db, resort, visit)
        await service.settle(db, tid, visit.id, method="card", actor=cashier)
        with time_machine.travel(NOON + timedelta(minutes=20), tick=False):
            answer = await pass_gate(client, gate_key, tag.uid)
            assert answer["open"] is True and answer["reason"] is None
            again = await pass_gate(client, gate_key, tag.uid)
        assert again["open"] is False and again["reason"] == "no_visit"
        await db.refresh(visit)
        assert visit.status == "closed" and visit.exit_at == NOON + timedelta(minutes=20)
        tag_now = (await db.execute(select(KeyTag).where(KeyTag.id == tag.id))).scalar_one()
        await db.refresh(tag_now)
        assert tag_now.status == "available"
        await db.refresh(locker)
        assert locker.status == "free" and locker.visit_id is None
        binding = (
            await db.execute(select(VisitTag).where(VisitTag.visit_id == visit.id))
        ).scalar_one()
        await db.refresh(binding)
        assert binding.release_reason == "exit" and binding.released_at is not None
        with time_machine.travel(NOON + timedelta(hours=3), tick=False):
            receipt = await service.bill(db, tid, visit.id)
        # Out at 12 h 20 min, within the window: the bill stays as settled (no time added).
        assert receipt.settled and receipt.due_fen == 0 and receipt.lead.end == NOON

    async def test_a_qr_wristband_is_retired_at_the_exit(
        self, db, client, resort, tid, cashier, gate_key
    ):
        tag = await make_tag(db, tenant=resort.tenant, kind="qr", uid="QR00000099")
        visit = await make_visit(db, tenant=resort.tenant, tag=tag)
        await service.settle(db, tid, visit.id, method="wechat", actor=cashier)
        assert (await pass_gate(client, gate_key, tag.uid))["open"] is True
        await db.refresh(tag)
        assert tag.status == "retired"

    async def test_after_the_window_settle_again(self, db, client, resort, tid, cashier, gate_key):
        tag = await make_tag(db, tenant=resort.tenant)
        visit = await make_visit(db, tenant=resort.tenant, tag=tag, hours_ago=12)
        await service.settle(db, tid, visit.id, method="card", actor=cashier)
        with time_machine.travel(NOON + timedelta(minutes=45), tick=False):
            answer = await pass_gate(client, gate_key, tag.uid)
            assert answer["reason"] == "settle_again" and answer["due_fen"] == 2000
            await service.settle(db, tid, visit.id, method="card", actor=cashier)
            assert (await pass_gate(client, gate_key, tag.uid))["open"] is True

    async def test_unknown_and_blocked_tags(self, db, client, resort, gate_key):
        assert (await pass_gate(client, gate_key, "FFFF0000FF"))["reason"] == "unknown_tag"
        tag = await make_tag(db, tenant=resort.tenant, status="blocked")
        assert (await pass_gate(client, gate_key, tag.uid))["reason"] == "blocked"
        idle = await make_tag(db, tenant=resort.tenant)
        assert (await pass_gate(client, gate_key, idle.uid))["reason"] == "no_visit"

    async def test_odd_bodies_are_refused_and_a_pos_key_cannot_open(
        self, db, client, resort, gate_key
    ):
        bad = await client.post(
            "/api/v1/keytags/gate",
            json={"uid": "04A1", "direction": "sideways", "device_id": "g"},
            headers=gate_key,
        )
        assert bad.status_code == 422
        _key, token = await make_api_key(db, resort.tenant, scopes={"pos:charge"})
        await bind_tenant(db, resort.tenant.id)
        other = await client.post(
            "/api/v1/keytags/gate",
            json={"uid": "04A1", "direction": "out", "device_id": "g"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert other.status_code == 403

    async def test_lockers_of_other_visits_stay_taken(
        self, db, client, resort, tid, cashier, gate_key
    ):
        tag = await make_tag(db, tenant=resort.tenant)
        leaving = await make_visit(db, tenant=resort.tenant, tag=tag)
        staying = await make_visit(db, tenant=resort.tenant)
        await in_locker(db, resort, leaving)
        kept = await in_locker(db, resort, staying)
        await service.settle(db, tid, leaving.id, method="card", actor=cashier)
        assert (await pass_gate(client, gate_key, tag.uid))["open"] is True
        await db.refresh(kept)
        assert kept.status == "occupied"
        assert (await db.execute(select(Locker).where(Locker.visit_id == staying.id))).scalar()


class TestTwoGatesAtOnce:
    async def test_one_tag_read_by_two_exit_gates_opens_one(self, committed_database):
        async with committed_database.sessionmaker() as db:
            owner = await make_tenant(db, kinds=("hot_spring",), name="双闸温泉")
            staff = await make_staff(db, tenant=owner.tenant, role="cashier")
            await bind_tenant(db, owner.tenant.id)
            tag = await make_tag(db, tenant=owner.tenant)
            visit = await make_visit(db, tenant=owner.tenant, tag=tag)
            tid = TenantId(owner.tenant.id)
            await service.settle(
                db, tid, visit.id, method="card", actor=Actor(user_id=staff.user.id)
            )
            await db.commit()
            uid = tag.uid
        race = Race(committed_database)

        async def first():  # type: ignore[no-untyped-def]
            async with committed_database.sessionmaker() as db:
                await bind_tenant(db, tid)
                result = await service.gate(
                    db, tid, uid=uid, direction="out", device_id="gate-1", actor=Actor()
                )
                await race.hold(db)
                await db.commit()
                return result

        async def second():  # type: ignore[no-untyped-def]
            await race.held.wait()
            async with committed_database.sessionmaker() as db:
                await bind_tenant(db, tid)
                result = await service.gate(
                    db, tid, uid=uid, direction="out", device_id="gate-2", actor=Actor()
                )
                await db.commit()
                return result

        one, two = await race.run(first(), second())
        assert one.opened and not two.opened and two.reason == "no_visit"
