"""Admission at the desk: a visit per person with its number, ticket price, tag and locker;
tags in use or blocked refused; a party shares its id; a cash deposit is a tender of the
cashier's shift; no two visits ever get one locker."""

from __future__ import annotations

from datetime import time, timedelta

import httpx
import pytest
import time_machine
from sqlalchemy import select

from app import clock
from app.actor import Actor
from app.db.engine import TenantId, bind_tenant
from app.errors import Conflict, Invalid
from app.settings import get_settings
from modules.keytags import service
from modules.keytags.models import KeyTag, Locker, Tender, VisitTag
from modules.keytags.schemas.desk import AdmissionInput, PersonInput
from tests.factories.keytags import (
    make_locker,
    make_member,
    make_section,
    make_tag,
    make_ticket_type,
    make_visit,
)
from tests.factories.tenants import make_staff, make_tenant
from tests.races import Race


@pytest.fixture
async def resort(db):
    owner = await make_tenant(db, kinds=("hot_spring",), name="测试温泉")
    await bind_tenant(db, owner.tenant.id)
    return owner


@pytest.fixture
async def desk(db, resort):
    staff = await make_staff(db, tenant=resort.tenant, role="cashier")
    return Actor(user_id=staff.user.id, name="前台")


def _fields(exc: pytest.ExceptionInfo[Invalid]) -> dict[str, str]:
    return {e["field"]: e["message"] for e in exc.value.errors or []}


async def _admit(db, resort, desk, *persons, **kw):
    admission = AdmissionInput(persons=tuple(persons), **kw)
    return await service.open_party(db, TenantId(resort.tenant.id), admission, actor=desk)


class TestWalkIn:
    async def test_walk_in_gets_number_price_tag_and_first_free_locker(self, db, resort, desk):
        t = resort.tenant
        ticket = await make_ticket_type(db, tenant=t)
        section = await make_section(db, tenant=t)
        await make_locker(db, tenant=t, section=section, number="10")
        second = await make_locker(db, tenant=t, section=section, number="2")
        await make_locker(db, tenant=t, section=section, number="1", status="out_of_order")
        [visit] = await _admit(
            db,
            resort,
            desk,
            PersonInput(ticket_type_id=ticket.id, tag_uid="04a1:b2c3d4", section_id=section.id),
        )
        today = clock.today()
        assert visit.number == f"S{today:%Y%m%d}-0001"
        assert visit.status == "open" and visit.tab_mode == "postpay"
        assert visit.limit_fen == ticket.credit_limit_fen
        expected = await service.admission_price(db, TenantId(t.id), ticket, today)
        assert visit.admission_fen == expected and not visit.admission_prepaid
        tag = (
            await db.execute(select(KeyTag).where(KeyTag.id == visit.active_tag_id))
        ).scalar_one()
        assert (tag.uid, tag.kind, tag.status) == ("04A1B2C3D4", "rfid", "in_use")
        locker = (await db.execute(select(Locker).where(Locker.visit_id == visit.id))).scalar_one()
        assert locker.id == second.id and locker.status == "occupied"
        binding = (
            await db.execute(select(VisitTag).where(VisitTag.visit_id == visit.id))
        ).scalar_one()
        assert binding.tag_id == tag.id and binding.released_at is None

    async def test_numbers_count_up_within_the_business_date(self, db, resort, desk):
        ticket = await make_ticket_type(db, tenant=resort.tenant)
        a = await _admit(db, resort, desk, PersonInput(ticket_type_id=ticket.id, qr_wristband=True))
        b = await _admit(db, resort, desk, PersonInput(ticket_type_id=ticket.id, qr_wristband=True))
        assert a[0].number.endswith("-0001") and b[0].number.endswith("-0002")

    async def test_a_party_shares_one_id_and_each_gets_a_locker(self, db, resort, desk):
        t = resort.tenant
        ticket = await make_ticket_type(db, tenant=t)
        section = await make_section(db, tenant=t)
        for n in ("1", "2"):
            await make_locker(db, tenant=t, section=section, number=n)
        visits = await _admit(
            db,
            resort,
            desk,
            PersonInput(ticket_type_id=ticket.id, tag_uid="AAAA0001", section_id=section.id),
            PersonInput(ticket_type_id=ticket.id, qr_wristband=True, section_id=section.id),
        )
        assert visits[0].party_id == visits[0].id == visits[1].party_id
        lockers = (
            await db.execute(select(Locker).where(Locker.section_id == section.id))
        ).scalars()
        assert {lk.number: lk.visit_id for lk in lockers} == {"1": visits[0].id, "2": visits[1].id}
        qr = (
            await db.execute(select(KeyTag).where(KeyTag.id == visits[1].active_tag_id))
        ).scalar_one()
        assert qr.kind == "qr" and qr.status == "in_use" and qr.uid.startswith("Q")

    async def test_a_full_section_is_refused_and_nothing_is_written(self, db, resort, desk):
        t = resort.tenant
        ticket = await make_ticket_type(db, tenant=t)
        section = await make_section(db, tenant=t, name="女宾更衣室")
        with pytest.raises(Invalid) as exc:
            await _admit(
                db,
                resort,
                desk,
                PersonInput(ticket_type_id=ticket.id, tag_uid="AAAA0002", section_id=section.id),
            )
        assert "女宾更衣室" in _fields(exc)["persons-0-section"]

    async def test_a_chosen_locker_must_be_free(self, db, resort, desk):
        t = resort.tenant
        ticket = await make_ticket_type(db, tenant=t)
        busy = await make_locker(db, tenant=t, status="out_of_order")
        with pytest.raises(Invalid) as exc:
            await _admit(
                db,
                resort,
                desk,
                PersonInput(ticket_type_id=ticket.id, tag_uid="AAAA0003", locker_id=busy.id),
            )
        assert "persons-0-locker" in _fields(exc)


class TestTags:
    async def test_a_tag_in_an_open_visit_is_refused_with_its_visit(self, db, resort, desk):
        tag = await make_tag(db, tenant=resort.tenant)
        holder = await make_visit(db, tenant=resort.tenant, tag=tag)
        ticket = await make_ticket_type(db, tenant=resort.tenant)
        with pytest.raises(Invalid) as exc:
            await _admit(db, resort, desk, PersonInput(ticket_type_id=ticket.id, tag_uid=tag.uid))
        assert holder.number in _fields(exc)["persons-0-tag_uid"]

    async def test_a_blocked_tag_is_refused_with_its_reason(self, db, resort, desk):
        tag = await make_tag(db, tenant=resort.tenant, status="blocked", blocked_reason="遗失")
        ticket = await make_ticket_type(db, tenant=resort.tenant)
        with pytest.raises(Invalid) as exc:
            await _admit(db, resort, desk, PersonInput(ticket_type_id=ticket.id, tag_uid=tag.uid))
        assert "遗失" in _fields(exc)["persons-0-tag_uid"]

    async def test_odd_uid_is_refused(self, db, resort, desk):
        ticket = await make_ticket_type(db, tenant=resort.tenant)
        with pytest.raises(Invalid) as exc:
            await _admit(db, resort, desk, PersonInput(ticket_type_id=ticket.id, tag_uid="<x>"))
        assert "persons-0-tag_uid" in _fields(exc)

    async def test_one_tag_twice_in_a_party_is_refused(self, db, resort, desk):
        ticket = await make_ticket_type(db, tenant=resort.tenant)
        p = PersonInput(ticket_type_id=ticket.id, tag_uid="BBBB0001")
        with pytest.raises(Invalid):
            await _admit(db, resort, desk, p, p)


class TestTicketsAndTabs:
    async def test_evening_ticket_only_from_its_time(self, db, resort, desk):
        evening = await make_ticket_type(
            db, tenant=resort.tenant, category="evening", sold_from=time(18, 0)
        )
        local = clock.local_now().replace(hour=17, minute=30, second=0, microsecond=0)
        with time_machine.travel(local, tick=False):
            with pytest.raises(Invalid) as exc:
                await _admit(
                    db, resort, desk, PersonInput(ticket_type_id=evening.id, qr_wristband=True)
                )
            assert "18:00" in _fields(exc)["persons-0-ticket_type"]
        with time_machine.travel(local + timedelta(hours=1), tick=False):
            [visit] = await _admit(
                db, resort, desk, PersonInput(ticket_type_id=evening.id, qr_wristband=True)
            )
            assert visit.ticket_type_id == evening.id

    async def test_cash_deposit_is_the_limit_and_a_tender_of_the_shift(self, db, resort, desk):
        ticket = await make_ticket_type(db, tenant=resort.tenant)
        [visit] = await _admit(
            db,
            resort,
            desk,
            PersonInput(ticket_type_id=ticket.id, qr_wristband=True),
            tab_mode="cash_deposit",
            deposit_fen=30000,
        )
        assert visit.limit_fen == visit.deposit_fen == 30000
        tender = (await db.execute(select(Tender).where(Tender.visit_id == visit.id))).scalar_one()
        shift = await service.current_shift(db, TenantId(resort.tenant.id), desk.user_id)
        assert (tender.kind, tender.method, tender.amount_fen) == ("deposit", "cash", 30000)
        assert tender.shift_id == shift.id

    async def test_member_tab_is_the_balance_less_admission(self, db, resort, desk):
        member = await make_member(db, tenant=resort.tenant, balance_fen=100000)
        ticket = await make_ticket_type(db, tenant=resort.tenant)
        [visit] = await _admit(
            db,
            resort,
            desk,
            PersonInput(ticket_type_id=ticket.id, qr_wristband=True),
            source="member",
            tab_mode="member",
            card_no=member.card_no.lower(),
        )
        assert visit.member_id == member.id
        assert visit.limit_fen == 100000 - visit.admission_fen

    async def test_member_source_needs_member_tab(self, db, resort, desk):
        ticket = await make_ticket_type(db, tenant=resort.tenant)
        with pytest.raises(Invalid) as exc:
            await _admit(
                db,
                resort,
                desk,
                PersonInput(ticket_type_id=ticket.id, qr_wristband=True),
                source="member",
                tab_mode="postpay",
                card_no="X",
            )
        assert "tab_mode" in _fields(exc)


@pytest.mark.realdb
async def test_two_desks_at_once_never_get_the_same_locker(committed_database):
    database = committed_database
    async with database.transaction() as db:
        owner = await make_tenant(db, kinds=("hot_spring",))
        ticket = await make_ticket_type(db, tenant=owner.tenant)
        section = await make_section(db, tenant=owner.tenant)
        for n in ("1", "2"):
            await make_locker(db, tenant=owner.tenant, section=section, number=n)
    tid = TenantId(owner.tenant.id)
    race = Race(database)

    async def admit(uid: str, *, first: bool):  # type: ignore[no-untyped-def]
        if not first:
            await race.held.wait()
        async with database.transaction(tid) as db:
            person = PersonInput(ticket_type_id=ticket.id, tag_uid=uid, section_id=section.id)
            [visit] = await service.open_party(
                db, tid, AdmissionInput(persons=(person,)), actor=Actor(name="t")
            )
            if first:
                await race.hold(db)  # until the other desk waits behind this admission
            return visit.id, visit.number

    (a, na), (b, nb) = await race.run(admit("CCCC0001", first=True), admit("CCCC0002", first=False))
    async with database.transaction(tid) as db:
        rows = (await db.execute(select(Locker).where(Locker.section_id == section.id))).scalars()
        taken = {lk.number: lk.visit_id for lk in rows}
    assert taken == {"1": a, "2": b}
    assert na.endswith("-0001") and nb.endswith("-0002")


class TestCardHold:
    async def test_hold_800_capture_512_and_the_rest_goes_back(
        self, db, resort, desk, stripe_gateway, stripe_emulator
    ):
        from modules.payments import service as payments
        from modules.payments.models import Payment
        from tests.stripe_fixtures import card_token

        ticket = await make_ticket_type(db, tenant=resort.tenant)
        [visit] = await _admit(
            db,
            resort,
            desk,
            PersonInput(ticket_type_id=ticket.id, qr_wristband=True),
            tab_mode="card_preauth",
            preauth_fen=80000,
            card_token=card_token(stripe_emulator),
        )
        assert visit.limit_fen == 80000 and visit.preauth_payment_id is not None
        tid = TenantId(resort.tenant.id)
        payment = await db.get(Payment, visit.preauth_payment_id)
        assert payment is not None and payment.status == "processing"
        intent = await stripe_gateway.retrieve_intent(
            payment.provider_intent_id or "", account=payment.provider_account_id
        )
        assert intent.status == "requires_capture" and intent.amount_fen == 80000

        taken = await payments.capture(db, tid, payment.id, 51200)
        assert (taken.status, taken.amount_fen) == ("succeeded", 51200)
        again = await payments.capture(db, tid, payment.id, 51200)  # a retried request
        assert again.amount_fen == 51200
        auth = {
            "Authorization": f"Bearer {get_settings().stripe_secret_key}",
            "Stripe-Account": payment.provider_account_id or "",  # the resort's own account
        }
        async with httpx.AsyncClient(base_url=stripe_emulator, headers=auth, trust_env=False) as c:
            pi = (await c.get(f"/v1/payment_intents/{intent.id}")).json()
            latest = pi["latest_charge"]
            charge_id = latest["id"] if isinstance(latest, dict) else latest
            charge = (await c.get(f"/v1/charges/{charge_id}")).json()
        assert pi["status"] == "succeeded"
        assert charge["captured"] and charge["amount_refunded"] == 80000 - 51200

    async def test_a_capture_seen_only_from_the_provider_counts_what_was_taken(
        self, db, resort, desk, stripe_gateway, stripe_emulator
    ):
        """Our capture's transaction rolled back after the provider captured: the webhook (or
        a sync) says succeeded with the amount received, and the payment is that amount."""
        from app.payments.gateway import Intent
        from modules.payments.models import Payment
        from modules.payments.service.common import apply_intent
        from tests.stripe_fixtures import card_token

        ticket = await make_ticket_type(db, tenant=resort.tenant)
        [visit] = await _admit(
            db,
            resort,
            desk,
            PersonInput(ticket_type_id=ticket.id, qr_wristband=True),
            tab_mode="card_preauth",
            preauth_fen=80000,
            card_token=card_token(stripe_emulator),
        )
        payment = await db.get(Payment, visit.preauth_payment_id)
        assert payment is not None
        seen = Intent(
            id=payment.provider_intent_id or "",
            status="succeeded",
            amount_fen=80000,
            currency="CNY",
            client_secret=None,
            amount_received=51200,
        )
        assert await apply_intent(db, TenantId(resort.tenant.id), payment, seen)
        assert (payment.status, payment.amount_fen) == ("succeeded", 51200)

    async def test_a_released_hold_takes_nothing(
        self, db, resort, desk, stripe_gateway, stripe_emulator
    ):
        from modules.payments import service as payments
        from tests.stripe_fixtures import card_token

        ticket = await make_ticket_type(db, tenant=resort.tenant)
        [visit] = await _admit(
            db,
            resort,
            desk,
            PersonInput(ticket_type_id=ticket.id, qr_wristband=True),
            tab_mode="card_preauth",
            preauth_fen=50000,
            card_token=card_token(stripe_emulator),
        )
        tid = TenantId(resort.tenant.id)
        assert visit.preauth_payment_id is not None
        released = await payments.release(db, tid, visit.preauth_payment_id)
        assert released.status == "canceled"
        with pytest.raises(Conflict):
            await payments.capture(db, tid, visit.preauth_payment_id, 100)


class TestOnlineTicket:
    async def _paid_ticket(self, db, resort, persons=2):  # type: ignore[no-untyped-def]
        from modules.payments import service as payments
        from modules.reservations import service as reservations

        tid = TenantId(resort.tenant.id)
        await reservations.create_rate_plan(
            db,
            tid,
            reservations.RatePlanInput(
                "rack", "门市价", free_cancel_hours=0, cancel_fee_kind="none"
            ),
        )
        ticket = await make_ticket_type(db, tenant=resort.tenant, sold_online=True)
        await service.sync_online_ticket(db, tid, ticket)
        [held] = await service.buy_tickets(
            db,
            tid,
            day=clock.today(),
            counts={ticket.id: persons},
            name="王芳",
            phone="13800138000",
        )
        await payments.record_manual_payment(
            db,
            tid,
            subject_type=reservations.RESERVATION,
            subject_id=held.id,
            amount_fen=held.total_fen,
            method="cash",
            kind="prepayment",
        )
        r = await reservations.get_reservation(db, tid, held.id)
        assert (r.status, r.payment_state) == ("confirmed", "paid")
        return ticket, r

    async def test_a_paid_day_ticket_admits_its_persons_once(self, db, resort, desk):
        ticket, r = await self._paid_ticket(db, resort, persons=2)
        other = await make_ticket_type(db, tenant=resort.tenant)
        visits = await _admit(
            db,
            resort,
            desk,
            PersonInput(ticket_type_id=other.id, qr_wristband=True),  # the ticket's own type wins
            source="online",
            code=r.code.lower(),
        )
        [v] = visits
        assert v.reservation_id == r.id and v.ticket_type_id == ticket.id
        assert v.admission_prepaid and v.admission_fen == r.total_fen // 2
        assert v.guest_name == "王芳"
        await _admit(
            db,
            resort,
            desk,
            PersonInput(ticket_type_id=ticket.id, qr_wristband=True),
            source="online",
            code=r.code,
        )
        with pytest.raises(Invalid) as exc:
            await _admit(
                db,
                resort,
                desk,
                PersonInput(ticket_type_id=ticket.id, qr_wristband=True),
                source="online",
                code=r.code,
            )
        assert "0" in _fields(exc)["code"]

    async def test_an_unknown_code_is_a_field_error(self, db, resort, desk):
        ticket = await make_ticket_type(db, tenant=resort.tenant)
        with pytest.raises(Invalid) as exc:
            await _admit(
                db,
                resort,
                desk,
                PersonInput(ticket_type_id=ticket.id, qr_wristband=True),
                source="online",
                code="NOPE1234",
            )
        assert "code" in _fields(exc)


class TestHotelGuest:
    async def test_the_stays_persons_come_in_on_the_package_the_rest_pay_on_the_folio(
        self, db, desk
    ):
        from tests.factories.frontdesk import make_stay

        owner = await make_tenant(db, kinds=("hotel", "hot_spring"), name="温泉酒店")
        checked = await make_stay(db, tenant=owner.tenant, adults=2, children=0)
        await bind_tenant(db, owner.tenant.id)
        ticket = await make_ticket_type(db, tenant=owner.tenant)
        actor = Actor(name="前台")
        person = PersonInput(ticket_type_id=ticket.id, qr_wristband=True)
        visits = await service.open_party(
            db,
            TenantId(owner.tenant.id),
            AdmissionInput(
                persons=(person, person, person),
                source="hotel",
                tab_mode="folio",
                room=checked.stay.unit_number,
            ),
            actor=actor,
        )
        assert [v.admission_prepaid for v in visits] == [True, True, False]
        assert {v.stay_id for v in visits} == {checked.stay.id}
        assert all(v.tab_mode == "folio" and v.limit_fen == ticket.credit_limit_fen for v in visits)
        assert visits[0].guest_name == checked.stay.guest_name

    async def test_an_empty_room_is_a_field_error(self, db, resort, desk):
        ticket = await make_ticket_type(db, tenant=resort.tenant)
        with pytest.raises(Invalid) as exc:
            await _admit(
                db,
                resort,
                desk,
                PersonInput(ticket_type_id=ticket.id, qr_wristband=True),
                source="hotel",
                tab_mode="folio",
                room="8808",
            )
        assert "8808" in _fields(exc)["room"]
