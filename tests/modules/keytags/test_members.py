"""Members with a prepaid card (储值卡): found by card, spent at the exit by a guarded debit
that never takes the balance below zero, even when two desks spend the last yuan at once."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from app.actor import SYSTEM, Actor
from app.db.engine import TenantId, bind_tenant
from app.errors import Conflict, Invalid
from modules.keytags import service
from modules.keytags.models import Member, MemberEntry, Tender
from modules.keytags.schemas.members import MemberForm, TopUpForm
from tests.factories.keytags import make_member
from tests.factories.tenants import make_tenant
from tests.races import Race


@pytest.fixture
async def resort(db):
    owner = await make_tenant(db, kinds=("hot_spring",), name="测试温泉")
    await bind_tenant(db, owner.tenant.id)
    return owner


class TestDebit:
    async def test_card_is_found_in_any_case(self, db, resort):
        member = await make_member(db, tenant=resort.tenant, card_no="JY00000042")
        tid = TenantId(resort.tenant.id)
        found = await service.member_by_card(db, tid, " jy00000042 ")
        assert found is not None and found.id == member.id
        assert await service.member_by_card(db, tid, "JY404") is None

    async def test_debit_takes_the_amount_and_writes_a_spend_entry(self, db, resort):
        member = await make_member(db, tenant=resort.tenant, balance_fen=100000)
        tid = TenantId(resort.tenant.id)
        left = await service.debit_member(db, tid, member.id, 36800, visit_id=None, actor=SYSTEM)
        assert left == 63200
        entries = (
            (await db.execute(select(MemberEntry).where(MemberEntry.member_id == member.id)))
            .scalars()
            .all()
        )
        assert [(e.kind, e.amount_fen, e.balance_after_fen) for e in entries] == [
            ("spend", -36800, 63200)
        ]

    async def test_a_short_balance_is_refused_and_nothing_moves(self, db, resort):
        member = await make_member(db, tenant=resort.tenant, balance_fen=3000)
        tid = TenantId(resort.tenant.id)
        with pytest.raises(service.BalanceShort):
            await service.debit_member(db, tid, member.id, 5000, visit_id=None, actor=SYSTEM)
        await db.refresh(member)
        assert member.balance_fen == 3000

    async def test_a_lost_card_cannot_be_spent(self, db, resort):
        member = await make_member(db, tenant=resort.tenant, status="lost")
        tid = TenantId(resort.tenant.id)
        with pytest.raises(service.MemberNotActive):
            await service.debit_member(db, tid, member.id, 100, visit_id=None, actor=SYSTEM)


async def _member(database, balance):  # type: ignore[no-untyped-def]
    async with database.transaction() as db:
        owner = await make_tenant(db, kinds=("hot_spring",))
        member = await make_member(db, tenant=owner.tenant, balance_fen=balance)
    return TenantId(owner.tenant.id), member.id


async def _on_record(database, tid, member_id):  # type: ignore[no-untyped-def]
    async with database.transaction(tid) as db:
        member = await db.get(Member, member_id)
        stmt = select(MemberEntry.kind).where(MemberEntry.member_id == member_id)
        kinds = (await db.execute(stmt)).scalars().all()
    return member.balance_fen, list(kinds)


@pytest.mark.realdb
async def test_two_desks_spending_the_last_50_yuan_at_once_one_wins(committed_database):
    tid, member_id = await _member(committed_database, 5000)
    race = Race(committed_database)

    async def first() -> int:
        async with committed_database.transaction(tid) as db:
            left = await service.debit_member(db, tid, member_id, 5000, visit_id=None, actor=SYSTEM)
            await race.hold(db)  # until the second desk waits on the member's row
            return left

    async def second() -> Exception | int:
        await race.held.wait()
        try:
            async with committed_database.transaction(tid) as db:
                return await service.debit_member(
                    db, tid, member_id, 5000, visit_id=None, actor=SYSTEM
                )
        except Conflict as refused:
            return refused

    won, lost = await race.run(first(), second())
    assert won == 0
    assert isinstance(lost, service.BalanceShort)
    assert await _on_record(committed_database, tid, member_id) == (0, ["spend"])


@pytest.mark.realdb
async def test_many_desks_at_once_never_spend_more_than_the_balance(committed_database):
    tid, member_id = await _member(committed_database, 10000)

    async def desk() -> bool:
        try:
            async with committed_database.transaction(tid) as db:
                await service.debit_member(db, tid, member_id, 3000, visit_id=None, actor=SYSTEM)
            return True
        except Conflict:
            return False

    results = await asyncio.gather(*(desk() for _ in range(6)))
    assert results.count(True) == 3
    balance, kinds = await _on_record(committed_database, tid, member_id)
    assert balance == 1000 and kinds == ["spend"] * 3


class TestCards:
    async def test_open_look_up_and_top_up_on_the_cashiers_shift(self, db, resort):
        tid = TenantId(resort.tenant.id)
        card, name, phone, level = MemberForm(
            card_no="jy-0001", name="刘芳", phone="139 1234 5678", level="金卡"
        ).parse()
        made = await service.create_member(
            db, tid, card_no=card, name=name, phone=phone, level=level
        )
        assert made.card_no == "JY-0001" and made.balance_fen == 0
        assert [m.id for m in await service.find_members(db, tid, "jy-0001")] == [made.id]
        assert [m.id for m in await service.find_members(db, tid, "139 1234 5678")] == [made.id]
        actor = Actor(user_id=resort.user.id)
        amount, method, _ref = TopUpForm(amount="1,000.50", method="wechat").parse()
        balance = await service.top_up(db, tid, made.id, amount, method=method, actor=actor)
        assert balance == 100050
        shift = await service.current_shift(db, tid, resort.user.id)
        tender = (await db.execute(select(Tender).where(Tender.member_id == made.id))).scalar_one()
        assert (tender.kind, tender.method, tender.amount_fen, tender.shift_id) == (
            "topup",
            "wechat",
            100050,
            shift.id,
        )
        [entry] = await service.member_history(db, tid, made.id)
        assert (entry.kind, entry.amount_fen, entry.balance_after_fen) == ("topup", 100050, 100050)

    async def test_a_card_number_twice_and_odd_input_are_refused(self, db, resort):
        tid = TenantId(resort.tenant.id)
        await make_member(db, tenant=resort.tenant, card_no="JY7")
        with pytest.raises(Invalid):
            await service.create_member(db, tid, card_no="JY7", name="x", phone="", level="")
        with pytest.raises(Invalid) as exc:
            MemberForm(card_no="卡1", name="", phone="abc").parse()
        assert {e["field"] for e in exc.value.errors or []} == {"card_no", "name", "phone"}
        with pytest.raises(Invalid) as exc:
            TopUpForm(amount="0", method="folio").parse()
        assert {e["field"] for e in exc.value.errors or []} == {"amount", "method"}

    async def test_a_lost_card_moves_its_balance_to_the_new_card(self, db, resort):
        tid = TenantId(resort.tenant.id)
        old = await make_member(db, tenant=resort.tenant, card_no="JY100", balance_fen=88800)
        actor = Actor(user_id=resort.user.id)
        new = await service.report_lost_card(db, tid, old.id, "jy101", actor=actor)
        assert (new.card_no, new.balance_fen, new.status, new.name) == (
            "JY101",
            88800,
            "active",
            old.name,
        )
        assert (old.status, old.balance_fen) == ("lost", 0)
        [moved_out] = await service.member_history(db, tid, old.id)
        [moved_in] = await service.member_history(db, tid, new.id)
        assert (moved_out.amount_fen, moved_in.amount_fen) == (-88800, 88800)
        with pytest.raises(service.MemberNotActive):
            await service.top_up(db, tid, old.id, 100, method="cash", actor=actor)
        with pytest.raises(service.MemberNotActive):
            await service.report_lost_card(db, tid, old.id, "JY102", actor=actor)
        with pytest.raises(Invalid):
            await service.report_lost_card(db, tid, new.id, "JY100", actor=actor)


@pytest.mark.realdb
async def test_the_same_card_opened_at_two_desks_at_once_is_one_card(committed_database):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, kinds=("hot_spring",))
    tid = TenantId(owner.tenant.id)
    race = Race(committed_database)

    async def first() -> Member:
        async with committed_database.transaction(tid) as db:
            made = await service.create_member(
                db, tid, card_no="JY5555", name="刘芳", phone="", level=""
            )
            await race.hold(db)  # until the second desk waits on the card number
            return made

    async def second() -> Exception | Member:
        await race.held.wait()
        try:
            async with committed_database.transaction(tid) as db:
                return await service.create_member(
                    db, tid, card_no="JY5555", name="刘芳", phone="", level=""
                )
        except Invalid as refused:
            return refused

    made, refused = await race.run(first(), second())
    assert made.card_no == "JY5555"
    assert isinstance(refused, Invalid)
    assert refused.errors and refused.errors[0]["field"] == "card_no"
