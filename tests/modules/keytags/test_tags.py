"""Lost and swapped tags, and a visit opened by mistake: a blocked tag stops at once and
its fee is on the tab; a replacement carries the tab over; cancelling frees tag and locker
and hands the deposit back."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.actor import Actor
from app.db.engine import TenantId, bind_tenant
from app.errors import Conflict, Invalid
from modules.keytags import service
from modules.keytags.models import Charge, KeyTag, Tender, VisitTag
from modules.keytags.schemas.desk import AdmissionInput, PersonInput
from tests.factories.keytags import (
    make_charge,
    make_locker,
    make_section,
    make_tag,
    make_ticket_type,
    make_visit,
)
from tests.factories.tenants import make_staff, make_tenant


@pytest.fixture
async def resort(db):
    owner = await make_tenant(db, kinds=("hot_spring",), name="测试温泉")
    await bind_tenant(db, owner.tenant.id)
    return owner


@pytest.fixture
async def desk(db, resort):
    staff = await make_staff(db, tenant=resort.tenant, role="cashier")
    return Actor(user_id=staff.user.id, name="前台")


def _tid(resort) -> TenantId:  # type: ignore[no-untyped-def]
    return TenantId(resort.tenant.id)


async def _tag(db, tag_id):  # type: ignore[no-untyped-def]
    return (
        await db.execute(
            select(KeyTag).where(KeyTag.id == tag_id).execution_options(populate_existing=True)
        )
    ).scalar_one()


class TestBlock:
    async def test_block_frees_the_visit_of_its_tag_and_puts_the_fee_on_the_tab(
        self, db, resort, desk
    ):
        tag = await make_tag(db, tenant=resort.tenant)
        visit = await make_visit(db, tenant=resort.tenant, tag=tag, limit_fen=3000)
        await make_charge(db, tenant=resort.tenant, visit=visit, amount_fen=2800)
        blocked = await service.block_tag(db, _tid(resort), visit.id, reason="泡池遗失", actor=desk)
        assert blocked.active_tag_id is None and blocked.status == "open"
        assert blocked.tab_fen == 2800 + 5000  # past the limit: a person decided
        t = await _tag(db, tag.id)
        assert (t.status, t.blocked_reason) == ("blocked", "泡池遗失")
        binding = (await db.execute(select(VisitTag).where(VisitTag.tag_id == tag.id))).scalar_one()
        assert binding.release_reason == "lost" and binding.released_at is not None
        fee = (
            await db.execute(
                select(Charge).where(Charge.visit_id == visit.id, Charge.kind == "fee")
            )
        ).scalar_one()
        assert (fee.amount_fen, fee.outlet_id, fee.device_id) == (5000, None, None)

    async def test_the_fee_line_is_written_in_the_resorts_language_whoever_blocks(
        self, db, resort, desk
    ):
        from app.i18n import use_locale

        visit = await make_visit(db, tenant=resort.tenant)
        with use_locale("en"):  # an English-speaking clerk, or the demo with no language
            await service.block_tag(db, _tid(resort), visit.id, reason="", actor=desk)
        fee = (
            await db.execute(
                select(Charge).where(Charge.visit_id == visit.id, Charge.kind == "fee")
            )
        ).scalar_one()
        assert fee.description == "手牌遗失赔偿"

    async def test_an_outlet_charge_on_a_blocked_tag_finds_no_visit(self, db, resort, desk):
        tag = await make_tag(db, tenant=resort.tenant)
        visit = await make_visit(db, tenant=resort.tenant, tag=tag)
        await service.block_tag(db, _tid(resort), visit.id, reason="", actor=desk, charge_fee=False)
        guarded = text(
            "UPDATE spa_visits SET tab_fen = tab_fen + 100 WHERE id = :v AND status = 'open' "
            "AND active_tag_id = :t AND tab_fen + 100 <= limit_fen RETURNING id"
        )
        assert (await db.execute(guarded, {"v": visit.id, "t": tag.id})).first() is None

    async def test_a_blocked_tag_cannot_open_a_new_visit(self, db, resort, desk):
        tag = await make_tag(db, tenant=resort.tenant)
        visit = await make_visit(db, tenant=resort.tenant, tag=tag)
        await service.block_tag(db, _tid(resort), visit.id, reason="遗失", actor=desk)
        ticket = await make_ticket_type(db, tenant=resort.tenant)
        with pytest.raises(Invalid):
            await service.open_party(
                db,
                _tid(resort),
                AdmissionInput(persons=(PersonInput(ticket_type_id=ticket.id, tag_uid=tag.uid),)),
                actor=desk,
            )

    async def test_blocking_twice_is_refused(self, db, resort, desk):
        visit = await make_visit(db, tenant=resort.tenant)
        await service.block_tag(db, _tid(resort), visit.id, reason="", actor=desk)
        with pytest.raises(Conflict):
            await service.block_tag(db, _tid(resort), visit.id, reason="", actor=desk)


class TestReplace:
    async def test_replacement_binds_to_the_same_visit_and_the_tab_carries_over(
        self, db, resort, desk
    ):
        visit = await make_visit(db, tenant=resort.tenant)
        await make_charge(db, tenant=resort.tenant, visit=visit, amount_fen=2800)
        await service.block_tag(db, _tid(resort), visit.id, reason="", actor=desk)
        new = await service.replace_tag(
            db, _tid(resort), visit.id, tag_uid="dd dd 00 01", actor=desk
        )
        await db.refresh(visit)
        assert visit.active_tag_id == new.id and new.uid == "DDDD0001"
        assert visit.tab_fen == 2800 + 5000
        bindings = (
            (await db.execute(select(VisitTag).where(VisitTag.visit_id == visit.id)))
            .scalars()
            .all()
        )
        assert len(bindings) == 2
        assert await service.visit_of_tag(db, _tid(resort), "DDDD0001") == visit.id

    async def test_swap_gives_the_old_tag_back_to_stock(self, db, resort, desk):
        tag = await make_tag(db, tenant=resort.tenant)
        visit = await make_visit(db, tenant=resort.tenant, tag=tag)
        new = await service.replace_tag(db, _tid(resort), visit.id, qr_wristband=True, actor=desk)
        assert new.kind == "qr"
        assert (await _tag(db, tag.id)).status == "available"
        binding = (await db.execute(select(VisitTag).where(VisitTag.tag_id == tag.id))).scalar_one()
        assert binding.release_reason == "swapped"


class TestCancel:
    async def test_cancel_frees_tag_and_locker_and_hands_the_deposit_back(self, db, resort, desk):
        ticket = await make_ticket_type(db, tenant=resort.tenant)
        section = await make_section(db, tenant=resort.tenant)
        locker = await make_locker(db, tenant=resort.tenant, section=section)
        person = PersonInput(ticket_type_id=ticket.id, tag_uid="EEEE0001", section_id=section.id)
        [visit] = await service.open_party(
            db,
            _tid(resort),
            AdmissionInput(persons=(person,), tab_mode="cash_deposit", deposit_fen=20000),
            actor=desk,
        )
        tag_id = visit.active_tag_id
        cancelled = await service.cancel_visit(
            db, _tid(resort), visit.id, reason="开错", actor=desk
        )
        assert cancelled.status == "cancelled" and cancelled.active_tag_id is None
        assert (await _tag(db, tag_id)).status == "available"
        await db.refresh(locker)
        assert locker.status == "free" and locker.visit_id is None
        kinds = (
            await db.execute(
                select(Tender.kind, Tender.amount_fen).where(Tender.visit_id == visit.id)
            )
        ).all()
        assert sorted(kinds) == [("deposit", 20000), ("deposit_return", 20000)]

    async def test_a_visit_with_charges_cannot_be_cancelled(self, db, resort, desk):
        visit = await make_visit(db, tenant=resort.tenant)
        await make_charge(db, tenant=resort.tenant, visit=visit)
        with pytest.raises(Conflict):
            await service.cancel_visit(db, _tid(resort), visit.id, reason="", actor=desk)


class TestDeskReads:
    async def test_in_resort_list_and_visit_page(self, db, resort, desk):
        ticket = await make_ticket_type(db, tenant=resort.tenant)
        section = await make_section(db, tenant=resort.tenant, name="男宾")
        await make_locker(db, tenant=resort.tenant, section=section, number="8")
        [visit] = await service.open_party(
            db,
            _tid(resort),
            AdmissionInput(
                persons=(
                    PersonInput(ticket_type_id=ticket.id, qr_wristband=True, section_id=section.id),
                )
            ),
            actor=desk,
        )
        [row] = await service.visits_in_resort(db, _tid(resort))
        assert (row.number, row.locker, row.section, row.tag_kind) == (
            visit.number,
            "8",
            "男宾",
            "qr",
        )
        page = await service.visit_page(db, _tid(resort), visit.id)
        assert len(page.bindings) == 1 and page.charges == ()
        pdf = await service.wristband_pdf(db, _tid(resort), visit.id, resort="测试温泉", tz=None)
        assert pdf.startswith(b"%PDF")


@pytest.mark.realdb
async def test_a_charge_waiting_behind_a_block_is_refused(committed_database):
    from tests.races import Race

    database = committed_database
    async with database.transaction() as db:
        owner = await make_tenant(db, kinds=("hot_spring",))
        visit = await make_visit(db, tenant=owner.tenant)
        tag_id = visit.active_tag_id
    tid = TenantId(owner.tenant.id)
    race = Race(database)
    guarded = text(
        "UPDATE spa_visits SET tab_fen = tab_fen + 100 WHERE id = :v AND status = 'open' "
        "AND active_tag_id = :t AND tab_fen + 100 <= limit_fen RETURNING id"
    )

    async def block() -> None:
        async with database.transaction(tid) as db:
            await service.block_tag(db, tid, visit.id, reason="遗失", actor=Actor(name="t"))
            await race.hold(db)  # until the outlet's charge waits on the visit's row

    async def charge() -> bool:
        await race.held.wait()
        async with database.transaction(tid) as db:
            return (await db.execute(guarded, {"v": visit.id, "t": tag_id})).first() is not None

    _blocked, charged = await race.run(block(), charge())
    assert charged is False


@pytest.mark.realdb
async def test_two_desks_binding_one_new_tag_at_once_one_wins(committed_database):
    from tests.races import Race

    database = committed_database
    async with database.transaction() as db:
        owner = await make_tenant(db, kinds=("hot_spring",))
        ticket = await make_ticket_type(db, tenant=owner.tenant)
    tid = TenantId(owner.tenant.id)
    race = Race(database)
    person = PersonInput(ticket_type_id=ticket.id, tag_uid="FFFF0001")

    async def desk(first: bool):  # type: ignore[no-untyped-def]
        if not first:
            await race.held.wait()
        try:
            async with database.transaction(tid) as db:
                [v] = await service.open_party(
                    db, tid, AdmissionInput(persons=(person,)), actor=Actor(name="t")
                )
                if first:
                    await race.hold(db)
                return v.number
        except Invalid as refused:
            return refused

    won, lost = await race.run(desk(True), desk(False))
    assert isinstance(won, str)
    assert isinstance(lost, Invalid) and won in str(lost.errors)
