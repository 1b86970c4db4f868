"""The gangway's judgement of a scan (service.record_scan): boarding, going ashore and coming
back, the refusals a purser sees in red, idempotent device sequence numbers, and every scan
written as evidence."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app import clock
from app.actor import SYSTEM
from app.db.engine import TenantId, bind_tenant
from modules.boarding.domain import RefusalReason, ScanDirection, ScanOutcome
from modules.boarding.models import PortCall, Scan
from modules.boarding.service import issue_passes, revoke_passes
from modules.boarding.service.gangway import DeviceSequenceReused, record_scan
from tests.factories.boarding import first_call, make_boarding_voyage, make_passenger
from tests.factories.tenants import make_tenant

_ids = itertools.count(1000)


async def code_for(db, tid, p) -> str:  # type: ignore[no-untyped-def]
    """A real signed pass for the passenger (the passes service)."""
    (issued,) = await issue_passes(db, tid, [p.id], reason="test")
    return issued.code


@pytest.fixture
async def owner(db):  # type: ignore[no-untyped-def]
    return await make_tenant(db, kinds=("cruise",), name="长江壹号游轮")


@pytest.fixture
def tid(owner) -> TenantId:  # type: ignore[no-untyped-def]
    return TenantId(owner.tenant.id)


@pytest.fixture
async def voyage(db, owner):  # type: ignore[no-untyped-def]
    """A voyage boarding today; the test runs ten minutes after its boarding opens."""
    voyage = await make_boarding_voyage(db, tenant=owner.tenant, days_ahead=0)
    with time_machine.travel(voyage.boarding_opens_at + timedelta(minutes=10), tick=True):
        yield voyage


async def passenger(db, owner, voyage, **kw):  # type: ignore[no-untyped-def]
    return await make_passenger(
        db,
        tenant=owner.tenant,
        voyage=voyage,
        id_number=f"50010319900307{next(_ids):04d}",
        cabin_number=kw.pop("cabin_number", "A-201"),
        **kw,
    )


async def calls(db, voyage) -> list[PortCall]:  # type: ignore[no-untyped-def]
    stmt = select(PortCall).where(PortCall.voyage_id == voyage.id).order_by(PortCall.seq)
    return list((await db.execute(stmt)).scalars())


_seqs = itertools.count(1)


async def scan(db, tid, voyage, code, *, direction="embark", call=None, device="gate-1", **kw):  # type: ignore[no-untyped-def]
    return await record_scan(
        db,
        tid,
        code=code,
        voyage_id=voyage.id,
        port_call_id=call.id if call else (await first_call(db, voyage)).id,
        direction=direction,
        device_id=device,
        device_seq=kw.pop("seq", next(_seqs)),
        scanned_at=kw.pop("at", None),
        actor=SYSTEM,
        **kw,
    )


class TestBoarding:
    async def test_a_valid_pass_boards_its_passenger(self, db, owner, tid, voyage):
        p = await passenger(db, owner, voyage, name="李娜", cabin_number="B-305")
        result = await scan(db, tid, voyage, await code_for(db, tid, p))
        assert result.accepted and result.outcome is ScanOutcome.ACCEPTED
        assert (result.passenger_name, result.cabin_number) == ("李娜", "B-305")
        assert result.movement_no == 1 and result.aboard == 1 and result.reason is None
        await db.refresh(p)
        assert p.aboard and p.movements == 1 and p.last_moved_at is not None

    async def test_second_scan_of_the_same_pass_is_already_aboard(self, db, owner, tid, voyage):
        p = await passenger(db, owner, voyage)
        code = await code_for(db, tid, p)
        await scan(db, tid, voyage, code)
        again = await scan(db, tid, voyage, code, device="gate-2")
        assert again.outcome is ScanOutcome.REFUSED
        assert again.reason is RefusalReason.ALREADY_ABOARD
        assert again.aboard == 1 and again.passenger_name == "张伟"

    async def test_ashore_and_back_at_a_later_port(self, db, owner, tid, voyage):
        p = await passenger(db, owner, voyage)
        code = await code_for(db, tid, p)
        fengdu = (await calls(db, voyage))[1]
        assert (await scan(db, tid, voyage, code)).accepted
        ashore = await scan(db, tid, voyage, code, direction="disembark", call=fengdu)
        assert ashore.accepted and ashore.movement_no == 2 and ashore.aboard == 0
        back = await scan(db, tid, voyage, code, call=fengdu)
        assert back.accepted and back.movement_no == 3 and back.aboard == 1

    async def test_going_ashore_while_ashore_is_not_aboard(self, db, owner, tid, voyage):
        p = await passenger(db, owner, voyage)
        result = await scan(db, tid, voyage, await code_for(db, tid, p), direction="disembark")
        assert result.reason is RefusalReason.NOT_ABOARD and result.movement_no is None


class TestRefusals:
    async def test_a_pass_of_another_voyage(self, db, owner, tid, voyage):
        other = await make_boarding_voyage(db, tenant=owner.tenant, days_ahead=0)
        p = await passenger(db, owner, other)
        result = await scan(db, tid, voyage, await code_for(db, tid, p))
        assert result.reason is RefusalReason.WRONG_VOYAGE
        await db.refresh(p)
        assert not p.aboard and p.movements == 0

    async def test_first_boarding_at_another_port(self, db, owner, tid, voyage):
        p = await passenger(db, owner, voyage)
        fengdu = (await calls(db, voyage))[1]
        result = await scan(db, tid, voyage, await code_for(db, tid, p), call=fengdu)
        assert result.reason is RefusalReason.WRONG_PORT

    async def test_a_cancelled_place(self, db, owner, tid, voyage):
        p = await passenger(db, owner, voyage)
        code = await code_for(db, tid, p)
        p.status = "cancelled"
        await db.flush()
        result = await scan(db, tid, voyage, code)
        assert result.reason is RefusalReason.CANCELLED

    async def test_a_revoked_pass(self, db, owner, tid, voyage):
        p = await passenger(db, owner, voyage)
        code = await code_for(db, tid, p)
        await revoke_passes(db, tid, [p.id], reason="lost phone")
        result = await scan(db, tid, voyage, code)
        assert result.reason is RefusalReason.REVOKED and result.passenger_name == "张伟"

    @pytest.mark.parametrize(
        ("shift", "reason"),
        [
            (timedelta(days=-2), RefusalReason.NOT_YET_VALID),
            (timedelta(days=9), RefusalReason.EXPIRED),
        ],
    )
    async def test_a_pass_outside_its_validity(self, db, owner, tid, voyage, shift, reason):
        p = await passenger(db, owner, voyage)
        code = await code_for(db, tid, p)
        with time_machine.travel(clock.now() + shift, tick=True):
            result = await scan(db, tid, voyage, code)
        assert result.reason is reason

    async def test_a_forged_code_names_nobody(self, db, owner, tid, voyage):
        p = await passenger(db, owner, voyage)
        code = await code_for(db, tid, p)
        tampered = code[:-3] + ("AAA" if not code.endswith("AAA") else "BBB")
        for text in (tampered, "not a pass at all"):
            result = await scan(db, tid, voyage, text)
            assert result.reason in (RefusalReason.FORGED, RefusalReason.UNKNOWN)
            assert result.passenger_id is None and result.passenger_name == ""

    async def test_another_enterprises_pass_is_unknown(self, db, owner, tid, voyage):
        stranger = await make_tenant(db, kinds=("cruise",))
        theirs = await make_boarding_voyage(db, tenant=stranger.tenant, days_ahead=0)
        p = await passenger(db, stranger, theirs)
        code = await code_for(db, TenantId(stranger.tenant.id), p)
        await bind_tenant(db, tid)
        result = await scan(db, tid, voyage, code)
        assert result.reason is RefusalReason.UNKNOWN and result.passenger_id is None

    async def test_every_refusal_is_written_with_its_reason(self, db, owner, tid, voyage):
        p = await passenger(db, owner, voyage)
        code = await code_for(db, tid, p)
        await scan(db, tid, voyage, code, direction="disembark", device="g9", seq=7)
        row = (await db.execute(select(Scan).where(Scan.device_id == "g9"))).scalar_one()
        assert (row.outcome, row.reason, row.passenger_id) == ("refused", "not_aboard", p.id)


class TestIdempotence:
    async def test_a_repeated_device_sequence_answers_the_first_answer(
        self, db, owner, tid, voyage
    ):
        p = await passenger(db, owner, voyage)
        code = await code_for(db, tid, p)
        first = await scan(db, tid, voyage, code, seq=41)
        again = await scan(db, tid, voyage, code, seq=41)
        assert again.replayed and again.accepted and again.scan_id == first.scan_id
        count = select(Scan).where(Scan.device_id == "gate-1", Scan.device_seq == 41)
        assert len((await db.execute(count)).all()) == 1

    async def test_a_repeated_refusal_stays_a_refusal(self, db, owner, tid, voyage):
        p = await passenger(db, owner, voyage)
        code = await code_for(db, tid, p)
        first = await scan(db, tid, voyage, code, direction="disembark", seq=42)
        await scan(db, tid, voyage, code, seq=43)  # now aboard
        again = await scan(db, tid, voyage, code, direction="disembark", seq=42)
        assert again.replayed and again.reason is RefusalReason.NOT_ABOARD
        assert again.scan_id == first.scan_id and again.aboard == 1

    async def test_another_code_under_the_same_sequence_is_a_conflict(self, db, owner, tid, voyage):
        one = await passenger(db, owner, voyage)
        two = await passenger(db, owner, voyage)
        await scan(db, tid, voyage, await code_for(db, tid, one), seq=44)
        with pytest.raises(DeviceSequenceReused) as refused:
            await scan(db, tid, voyage, await code_for(db, tid, two), seq=44)
        assert refused.value.status_code == 409

    async def test_an_offline_gate_that_let_someone_aboard_twice_is_a_conflict(
        self, db, owner, tid, voyage
    ):
        p = await passenger(db, owner, voyage)
        code = await code_for(db, tid, p)
        earlier = clock.now() - timedelta(minutes=5)
        await scan(db, tid, voyage, code, device="off-1", offline=True, at=earlier)
        second = await scan(db, tid, voyage, code, device="off-2", offline=True)
        assert second.outcome is ScanOutcome.CONFLICT
        assert second.reason is RefusalReason.ALREADY_ABOARD and second.offline


class TestInput:
    async def test_odd_input_is_a_field_error(self, db, tid, voyage):
        from app.errors import Invalid

        for kwargs in (
            {"direction": "sideways"},
            {"code": "  "},
            {"device": ""},
            {"seq": -1},
        ):
            code = kwargs.pop("code", "x")
            with pytest.raises(Invalid):
                await scan(db, tid, voyage, code, **kwargs)

    async def test_a_port_call_of_another_voyage_is_refused(self, db, owner, tid, voyage):
        from app.errors import Invalid

        other = await make_boarding_voyage(db, tenant=owner.tenant, days_ahead=3)
        with pytest.raises(Invalid):
            await scan(db, tid, voyage, "x", call=await first_call(db, other))

    async def test_another_tenants_voyage_is_not_found(self, db, owner, voyage):
        from app.errors import NotFound

        stranger = await make_tenant(db, kinds=("cruise",))
        with pytest.raises(NotFound):
            await record_scan(
                db,
                TenantId(stranger.tenant.id),
                code="x",
                voyage_id=voyage.id,
                port_call_id=None,
                direction=ScanDirection.EMBARK,
                device_id="g",
                device_seq=1,
                scanned_at=None,
                actor=SYSTEM,
            )
