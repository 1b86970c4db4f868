"""The low-water change of boarding port: a manager moves the voyage (or chosen passengers)
to 丰都 or 涪陵; passengers are moved, texted, their passes re-issued and the change logged."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.db.engine import TenantId, bind_tenant
from app.notifications.models import OutboundMessage
from modules.boarding.domain import RefusalReason
from modules.boarding.models import BoardingPass, ManifestChange, Passenger, PortCall
from modules.boarding.service import issue_passes, verify_code
from modules.boarding.service.ports import SMS_PURPOSE
from tests.factories.boarding_manifest import make_manifest_voyage
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in


@pytest.fixture
async def line(db):
    return await make_tenant(db, kinds=("cruise",), name="长江世纪游轮")


@pytest.fixture
async def manager(db, line):
    return await make_staff(db, tenant=line.tenant, role="manager", display_name="陈经理")


@pytest.fixture
async def mv(db, line):
    return await make_manifest_voyage(db, tenant=line.tenant)


@pytest.fixture
async def signed_in(client, manager):
    await sign_in(client, manager)
    return client


def url(mv) -> str:
    return f"/console/boarding/voyages/{mv.voyage.id}/manifest/boarding-port"


def next_morning(mv) -> str:
    return clock.local_date(mv.voyage.sails_at + timedelta(days=1)).isoformat()


def port_form(mv, **overrides):
    form = {
        "port_code": "FD",
        "scope": "voyage",
        "boarding_date": next_morning(mv),
        "opens_at": "07:00",
        "closes_at": "08:30",
        "bus": "大巴 04:00 从朝天门广场出发",
        "reason": "长江枯水期朝天门水位过低",
    }
    form.update(overrides)
    return form


async def calls_of(db, mv) -> list[PortCall]:
    rows = await db.execute(
        select(PortCall).where(PortCall.voyage_id == mv.voyage.id).order_by(PortCall.seq)
    )
    return list(rows.scalars())


async def messages(db, tenant) -> list[OutboundMessage]:
    rows = await db.execute(
        select(OutboundMessage).where(
            OutboundMessage.tenant_id == tenant.id, OutboundMessage.purpose == SMS_PURPOSE
        )
    )
    return list(rows.scalars())


async def changes(db, mv) -> list[ManifestChange]:
    rows = await db.execute(select(ManifestChange).where(ManifestChange.voyage_id == mv.voyage.id))
    return list(rows.scalars())


class TestWholeVoyage:
    async def test_every_passenger_moves_to_fengdu_with_the_new_window(self, db, signed_in, mv):
        answer = await form_post(signed_in, url(mv), port_form(mv), follow_redirects=False)
        assert answer.status_code == 303, answer.text
        calls = await calls_of(db, mv)
        fd = next(c for c in calls if c.port_code == "FD")
        ctm = next(c for c in calls if c.port_code == "CTM")
        for c in calls:
            await db.refresh(c)
        zone = clock.zone()
        day = datetime.fromisoformat(next_morning(mv)).date()
        assert fd.embarking and not ctm.embarking
        assert fd.boarding_opens_at == datetime.combine(day, time(7), zone)
        assert fd.boarding_closes_at == datetime.combine(day, time(8, 30), zone)
        for p in mv.passengers:
            await db.refresh(p)
            assert p.boarding_call_id == fd.id
        page = await signed_in.get(f"/console/boarding/voyages/{mv.voyage.id}/manifest")
        assert "丰都" in page.text

    async def test_each_passenger_gets_one_sms_with_the_new_pier_time_and_reason(
        self, db, line, signed_in, mv
    ):
        await form_post(signed_in, url(mv), port_form(mv))
        sent = await messages(db, line.tenant)
        assert len(sent) == len(mv.passengers)
        child = next(p for p in mv.passengers if p.is_child)
        to_child = next(m for m in sent if child.name in m.body)
        assert to_child.recipient == "13800138003"  # the cabin's lead
        day = datetime.fromisoformat(next_morning(mv)).date()
        for m in sent:
            assert m.channel == "sms"
            assert f"{day.month}月{day.day}日" in m.body
            assert "名山码头" in m.body
            assert "07:00" in m.body and "08:30" in m.body
            assert "长江枯水期朝天门水位过低" in m.body
            assert "/checkin?token=" in m.body
            assert "登船" in m.body  # in the line's language

    async def test_passes_are_reissued_and_the_old_ones_stop_working(self, db, line, signed_in, mv):
        tid = TenantId(line.tenant.id)
        holders = mv.passengers[:2]
        old = await issue_passes(db, tid, [p.id for p in holders], reason="pre-check-in")
        await form_post(signed_in, url(mv), port_form(mv))
        for issued in old:
            check = await verify_code(db, tid, issued.code, at=clock.now())
            assert check.reason == RefusalReason.REVOKED
        fd = next(c for c in await calls_of(db, mv) if c.port_code == "FD")
        live = (
            (
                await db.execute(
                    select(BoardingPass).where(
                        BoardingPass.voyage_id == mv.voyage.id, BoardingPass.revoked_at.is_(None)
                    )
                )
            )
            .scalars()
            .all()
        )
        assert {(b.passenger_id, b.port_call_id) for b in live} == {(p.id, fd.id) for p in holders}

    async def test_the_change_is_in_the_change_log(self, db, manager, signed_in, mv):
        await form_post(signed_in, url(mv), port_form(mv))
        rows = await changes(db, mv)
        moves = [r for r in rows if r.action == "boarding_port"]
        assert {r.passenger_id for r in moves} == {p.id for p in mv.passengers}
        assert {(r.old_value, r.new_value) for r in moves} == {("朝天门", "丰都")}
        [decision] = [r for r in rows if r.action == "port_change"]
        assert "大巴" in decision.new_value
        assert all(r.by_user_id == manager.user.id for r in rows)
        assert all(r.reason == "长江枯水期朝天门水位过低" for r in rows)

    async def test_fuling_is_added_to_the_route_before_fengdu(self, db, signed_in, mv):
        answer = await form_post(
            signed_in, url(mv), port_form(mv, port_code="FL"), follow_redirects=False
        )
        assert answer.status_code == 303, answer.text
        calls = await calls_of(db, mv)
        for c in calls:
            await db.refresh(c)
        calls.sort(key=lambda c: c.seq)
        assert [c.port_code for c in calls] == ["CTM", "FL", "FD", "ZX", "WZ", "FJ", "WS", "YC"]
        assert [c.seq for c in calls] == list(range(8))
        fl = calls[1]
        assert fl.embarking and fl.boarding_closes_at is not None


class TestChosenPassengers:
    async def test_only_the_ticked_passengers_move(self, db, line, signed_in, mv):
        chosen = mv.passengers[2:4]
        form = port_form(mv, scope="chosen", passenger_ids=[str(p.id) for p in chosen])
        answer = await form_post(signed_in, url(mv), form, follow_redirects=False)
        assert answer.status_code == 303, answer.text
        fd = next(c for c in await calls_of(db, mv) if c.port_code == "FD")
        for p in mv.passengers:
            await db.refresh(p)
        assert {p.id for p in mv.passengers if p.boarding_call_id == fd.id} == {
            p.id for p in chosen
        }
        assert len(await messages(db, line.tenant)) == 2

    async def test_a_passenger_already_aboard_cannot_be_moved(self, db, line, signed_in, mv):
        p = mv.passengers[0]
        p.movements, p.aboard = 1, True
        await db.flush()
        form = port_form(mv, scope="chosen", passenger_ids=[str(p.id)])
        answer = await form_post(signed_in, url(mv), form)
        assert answer.status_code == 422
        assert await messages(db, line.tenant) == []


class TestRefusals:
    async def test_bad_input_gets_field_messages_and_writes_nothing(self, db, line, signed_in, mv):
        form = port_form(mv, port_code="WZ", opens_at="9:00", closes_at="25:00", reason="")
        answer = await form_post(signed_in, url(mv), form)
        assert answer.status_code == 422
        assert answer.text.count("has-error") >= 3
        assert await messages(db, line.tenant) == []
        assert await changes(db, mv) == []
        for p in mv.passengers:
            await db.refresh(p)
        ctm = (await calls_of(db, mv))[0]
        assert all(p.boarding_call_id == ctm.id for p in mv.passengers)

    async def test_a_window_already_over_is_refused(self, db, line, signed_in, mv):
        yesterday = (clock.today() - timedelta(days=1)).isoformat()
        answer = await form_post(signed_in, url(mv), port_form(mv, boarding_date=yesterday))
        assert answer.status_code == 422
        assert await changes(db, mv) == []

    async def test_a_purser_who_is_not_a_manager_is_refused(self, db, line, client, mv):
        purser = await make_staff(db, tenant=line.tenant, role="front_desk")
        await sign_in(client, purser)
        assert (await client.get(url(mv))).status_code == 403
        answer = await form_post(client, url(mv), port_form(mv))
        assert answer.status_code == 403
        assert await changes(db, mv) == []

    async def test_another_lines_voyage_is_not_found(self, db, client, mv):
        other = await make_tenant(db, kinds=("cruise",))
        await sign_in(client, other)
        answer = await form_post(client, url(mv), port_form(mv))
        assert answer.status_code == 404
        await bind_tenant(db, mv.voyage.tenant_id)
        rows = await db.execute(select(Passenger).where(Passenger.voyage_id == mv.voyage.id))
        ctm = (await calls_of(db, mv))[0]
        assert all(p.boarding_call_id == ctm.id for p in rows.scalars())
