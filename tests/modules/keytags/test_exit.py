"""The exit desk's bill and its settlement: admission (prepaid shown, not due), the time fee
per started hour past base + grace, every outlet's charges with items, voids reversing,
fees, the cash deposit applied first, payment by each method on the cashier's shift, a
party paid together, settling twice refused, and a charge racing the settlement."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.actor import Actor
from app.db.engine import TenantId, bind_tenant
from app.errors import AppError, Invalid
from modules.keytags import service
from modules.keytags.models import KeyTag, Tender, Visit
from tests.factories.keytags import (
    make_charge,
    make_item,
    make_member,
    make_outlet,
    make_tag,
    make_ticket_type,
    make_visit,
)
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in
from tests.races import Race

# Tuesday 8 December 2026, 12:00 in Chongqing: every test's "now".
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
    return Actor(user_id=staff.user.id, name="收银员")


async def tenders(db, visit_id):  # type: ignore[no-untyped-def]
    rows = (await db.execute(select(Tender).where(Tender.visit_id == visit_id))).scalars()
    return sorted((t.kind, t.method, t.amount_fen) for t in rows)


class TestBill:
    async def test_lines_by_outlet_with_items_voids_fees_and_time(self, db, resort, tid):
        t = resort.tenant
        visit = await make_visit(db, tenant=t, hours_ago=13 + 20 / 60)
        bar = await make_outlet(db, tenant=t, name="水吧")
        massage = await make_outlet(db, tenant=t, name="按摩", kind="massage")
        lines = [{"name": "鲜榨西瓜汁", "qty": 2, "unit_price_fen": 2800, "amount_fen": 5600}]
        juice = await make_charge(
            db, tenant=t, visit=visit, outlet_id=bar.id, amount_fen=5600, lines=lines
        )
        await make_charge(db, tenant=t, visit=visit, outlet_id=massage.id, amount_fen=19800)
        await make_charge(
            db,
            tenant=t,
            visit=visit,
            outlet_id=bar.id,
            kind="void",
            amount_fen=-5600,
            voids_charge_id=juice.id,
        )
        await make_charge(
            db, tenant=t, visit=visit, kind="fee", description="手牌遗失", amount_fen=5000
        )
        bill = await service.bill(db, tid, visit.id)
        v = bill.lead
        assert [(x.kind, x.amount_fen) for x in v.lines] == [
            ("admission", 36800),
            ("overage", 4000),  # 13 h 20 min on 12 h: two started hours at ¥20
            ("charge", 5600),
            ("charge", 19800),
            ("void", -5600),
            ("fee", 5000),
        ]
        assert v.overage_hours == 2
        assert v.lines[2].items[0].name == "鲜榨西瓜汁" and v.lines[2].items[0].qty == 2
        assert [(g.name, g.subtotal_fen) for g in v.outlets] == [("水吧", 0), ("按摩", 19800)]
        assert bill.due_fen == 36800 + 4000 + 19800 + 5000

    async def test_within_base_and_grace_no_time_fee(self, db, resort, tid):
        visit = await make_visit(db, tenant=resort.tenant, hours_ago=12 + 14 / 60)
        bill = await service.bill(db, tid, visit.id)
        assert bill.lead.overage is None and bill.due_fen == 36800

    async def test_clock_runs_from_admission_until_the_entry_gate_is_passed(self, db, resort, tid):
        visit = await make_visit(db, tenant=resort.tenant, hours_ago=14.5, gate_in_at=None)
        bill = await service.bill(db, tid, visit.id)
        assert bill.lead.overage_hours == 3

    async def test_prepaid_admission_is_shown_but_not_due(self, db, resort, tid):
        visit = await make_visit(db, tenant=resort.tenant, admission_prepaid=True, source="online")
        await make_charge(db, tenant=resort.tenant, visit=visit, amount_fen=2800)
        bill = await service.bill(db, tid, visit.id)
        assert bill.lead.admission.prepaid and bill.lead.admission.amount_fen == 36800
        assert bill.due_fen == 2800

    async def test_found_by_the_tag_as_the_reader_types_it(self, db, resort, tid):
        tag = await make_tag(db, tenant=resort.tenant, uid="04A1B2C3D4")
        visit = await make_visit(db, tenant=resort.tenant, tag=tag)
        bill = await service.bill_for_tag(db, tid, "04:a1:b2:c3:d4")
        assert bill.lead.visit.id == visit.id
        with pytest.raises(service.UnknownTag):
            await service.bill_for_tag(db, tid, "FFFFFFFFFF")


class TestSettle:
    async def test_cash_deposit_applied_and_the_rest_returned(self, db, resort, tid, cashier):
        visit = await make_visit(
            db, tenant=resort.tenant, tab_mode="cash_deposit", deposit_fen=50000
        )
        await make_charge(db, tenant=resort.tenant, visit=visit, amount_fen=3200)
        done = await service.settle(db, tid, visit.id, method="cash", actor=cashier)
        assert done.due_fen == 40000 and done.deposit_returned_fen == 10000
        assert await tenders(db, visit.id) == [("deposit_return", "cash", 10000)]
        await db.refresh(visit)
        assert visit.status == "settled" and visit.settled_at == NOON
        assert visit.bill_fen == 40000 and visit.active_tag_id is None
        shift = await service.current_shift(db, tid, cashier.user_id)
        rows = (await db.execute(select(Tender).where(Tender.visit_id == visit.id))).scalars()
        assert {t.shift_id for t in rows} == {shift.id}

    async def test_cash_beyond_the_deposit_with_change(self, db, resort, tid, cashier):
        visit = await make_visit(
            db, tenant=resort.tenant, tab_mode="cash_deposit", deposit_fen=20000, hours_ago=13.5
        )
        done = await service.settle(
            db, tid, visit.id, method="cash", tendered_fen=30000, actor=cashier
        )
        # 36800 admission + 4000 time − 20000 deposit = 20800 to pay, 9200 back.
        assert done.change_fen == 9200 and done.payments == (("cash", 20800),)
        assert visit.overage_fen == 4000
        assert await tenders(db, visit.id) == [("payment", "cash", 20800)]
        bill = await service.bill(db, tid, visit.id)
        assert bill.change_fen(bill.tenders[0]) == 9200

    async def test_short_cash_is_refused(self, db, resort, tid, cashier):
        visit = await make_visit(db, tenant=resort.tenant)
        with pytest.raises(Invalid):
            await service.settle(db, tid, visit.id, method="cash", tendered_fen=100, actor=cashier)

    @pytest.mark.parametrize("method", ["card", "wechat", "alipay"])
    async def test_desk_methods_record_one_payment(self, db, resort, tid, cashier, method):
        visit = await make_visit(db, tenant=resort.tenant)
        await service.settle(db, tid, visit.id, method=method, actor=cashier)
        assert await tenders(db, visit.id) == [("payment", method, 36800)]

    async def test_settling_twice_is_refused(self, db, resort, tid, cashier):
        visit = await make_visit(db, tenant=resort.tenant)
        await service.settle(db, tid, visit.id, method="card", actor=cashier)
        with pytest.raises(service.AlreadySettled):
            await service.settle(db, tid, visit.id, method="card", actor=cashier)

    async def test_after_the_exit_window_only_the_added_time_is_due(self, db, resort, tid, cashier):
        visit = await make_visit(db, tenant=resort.tenant, hours_ago=12)
        await service.settle(db, tid, visit.id, method="wechat", actor=cashier)
        with time_machine.travel(NOON + timedelta(hours=1, minutes=30), tick=False):
            bill = await service.bill(db, tid, visit.id)
            assert bill.due_fen == 4000  # 13 h 30 min now: two started hours
            await service.settle(db, tid, visit.id, method="wechat", actor=cashier)
        assert await tenders(db, visit.id) == [
            ("payment", "wechat", 4000),
            ("payment", "wechat", 36800),
        ]
        assert visit.bill_fen == 40800

    async def test_member_balance_pays_or_a_short_one_refuses(self, db, resort, tid, cashier):
        rich = await make_member(db, tenant=resort.tenant, balance_fen=100000)
        poor = await make_member(db, tenant=resort.tenant, balance_fen=1000)
        paid = await make_visit(db, tenant=resort.tenant, member_id=rich.id, tab_mode="member")
        await service.settle(db, tid, paid.id, method="member", actor=cashier)
        await db.refresh(rich)
        assert rich.balance_fen == 100000 - 36800
        short = await make_visit(db, tenant=resort.tenant, member_id=poor.id, tab_mode="member")
        with pytest.raises(service.BalanceShort):
            await service.settle(db, tid, short.id, method="member", actor=cashier)

    async def test_a_hotel_guest_posts_to_the_room_folio(self, db, resort, tid, cashier):
        from modules.frontdesk import service as frontdesk
        from tests.factories.frontdesk import make_stay

        checked = await make_stay(db, tenant=resort.tenant)
        await bind_tenant(db, resort.tenant.id)
        visit = await make_visit(
            db, tenant=resort.tenant, source="hotel", tab_mode="folio", stay_id=checked.stay.id
        )
        await make_charge(db, tenant=resort.tenant, visit=visit, amount_fen=2800)
        bill = await service.bill(db, tid, visit.id)
        assert bill.methods()[0] == "folio"
        await service.settle(db, tid, visit.id, method="folio", actor=cashier)
        folio = await frontdesk.folio(db, tid, checked.stay.id)
        spa = [line for line in folio.lines if visit.number in line.description]
        assert [line.amount_fen for line in spa] == [36800 + 2800]
        assert await tenders(db, visit.id) == [("payment", "folio", 39600)]
        walk_in = await make_visit(db, tenant=resort.tenant)
        with pytest.raises(Invalid):
            await service.settle(db, tid, walk_in.id, method="folio", actor=cashier)

    async def test_a_party_pays_together(self, db, resort, tid, cashier):
        first = await make_visit(db, tenant=resort.tenant)
        second = await make_visit(db, tenant=resort.tenant, party_id=first.id)
        first.party_id = first.id
        await make_charge(db, tenant=resort.tenant, visit=second, amount_fen=2800)
        bill = await service.bill(db, tid, second.id, party=True)
        assert [v.visit.id for v in bill.visits] == [second.id, first.id]
        assert bill.due_fen == 36800 * 2 + 2800
        done = await service.settle(db, tid, second.id, method="card", party=True, actor=cashier)
        assert set(done.visit_ids) == {first.id, second.id}
        await db.refresh(first)
        assert first.status == "settled" and first.bill_fen == 36800

    async def test_preauth_captures_the_due_and_releases_the_rest(
        self, db, resort, tid, cashier, monkeypatch
    ):
        moved: list[tuple[str, int]] = []

        class Held:
            def __init__(self, amount: int) -> None:
                self.amount_fen = amount

        async def capture(_db, _tid, _pid, amount, *, recorded_by=None):  # type: ignore[no-untyped-def]
            moved.append(("capture", amount))
            return Held(amount)

        async def release(_db, _tid, _pid):  # type: ignore[no-untyped-def]
            moved.append(("release", 0))
            return Held(0)

        from modules.keytags.service import exit as exit_service

        monkeypatch.setattr(exit_service.payments, "capture", capture)
        monkeypatch.setattr(exit_service.payments, "release", release)
        import uuid

        visit = await make_visit(
            db,
            tenant=resort.tenant,
            tab_mode="card_preauth",
            limit_fen=30000,
            preauth_payment_id=uuid.uuid4(),
        )
        with pytest.raises(Invalid):  # ¥368 due on a ¥300 hold: how is the rest paid?
            await service.settle(db, tid, visit.id, method="preauth", actor=cashier)
        done = await service.settle(
            db, tid, visit.id, method="preauth", rest_method="cash", actor=cashier
        )
        assert moved == [("capture", 30000)] and done.released_fen == 0
        assert await tenders(db, visit.id) == [
            ("payment", "cash", 6800),
            ("payment", "preauth", 30000),
        ]


class TestChargeRacingSettlement:
    """An outlet's charge (the guarded write on the visit row) against the exit desk's
    settlement (which locks that row): the charge lands first and is billed, or it comes
    second and is refused."""

    async def _arrange(self, committed_database):  # type: ignore[no-untyped-def]
        async with committed_database.sessionmaker() as db:
            owner = await make_tenant(db, kinds=("hot_spring",), name="竞速温泉")
            staff = await make_staff(db, tenant=owner.tenant, role="cashier")
            await bind_tenant(db, owner.tenant.id)
            ticket = await make_ticket_type(db, tenant=owner.tenant)
            visit = await make_visit(db, tenant=owner.tenant, ticket_type=ticket)
            outlet = await make_outlet(db, tenant=owner.tenant)
            await make_item(db, tenant=owner.tenant, outlet=outlet, code="BEER", price_fen=2800)
            tag = await db.get(KeyTag, visit.active_tag_id)
            assert tag is not None
            await db.commit()
            self.outlet_id, self.uid = outlet.id, tag.uid
            return owner.tenant, Actor(user_id=staff.user.id), visit.id, tag.id

    async def _charge(self, db, tenant, visit_id, tag_id):  # type: ignore[no-untyped-def]
        await bind_tenant(db, tenant.id)
        try:
            await service.charge(
                db,
                TenantId(tenant.id),
                tag_uid=self.uid,
                items=[service.ItemQty(code="BEER", qty=1)],
                device_id="pos-race",
                device_seq=1,
                actor=Actor(),
                outlet_id=self.outlet_id,
            )
        except AppError:
            return False
        return True

    async def test_a_charge_first_is_on_the_bill(self, committed_database):
        tenant, actor, visit_id, tag_id = await self._arrange(committed_database)
        race = Race(committed_database)
        tid = TenantId(tenant.id)

        async def charge():  # type: ignore[no-untyped-def]
            async with committed_database.sessionmaker() as db:
                landed = await self._charge(db, tenant, visit_id, tag_id)
                await race.hold(db)
                await db.commit()
                return landed

        async def settle():  # type: ignore[no-untyped-def]
            await race.held.wait()
            async with committed_database.sessionmaker() as db:
                await bind_tenant(db, tenant.id)
                done = await service.settle(db, tid, visit_id, method="card", actor=actor)
                await db.commit()
                return done

        landed, done = await race.run(charge(), settle())
        assert landed and done.due_fen == 36800 + 2800

    async def test_a_charge_after_the_settlement_is_refused(self, committed_database):
        tenant, actor, visit_id, tag_id = await self._arrange(committed_database)
        race = Race(committed_database)
        tid = TenantId(tenant.id)

        async def settle():  # type: ignore[no-untyped-def]
            async with committed_database.sessionmaker() as db:
                await bind_tenant(db, tenant.id)
                done = await service.settle(db, tid, visit_id, method="card", actor=actor)
                await race.hold(db)
                await db.commit()
                return done

        async def charge():  # type: ignore[no-untyped-def]
            await race.held.wait()
            async with committed_database.sessionmaker() as db:
                landed = await self._charge(db, tenant, visit_id, tag_id)
                await db.commit()
                return landed

        done, landed = await race.run(settle(), charge())
        assert done.due_fen == 36800 and not landed
        async with committed_database.sessionmaker() as db:
            await bind_tenant(db, tenant.id)
            visit = await db.get(Visit, visit_id)
            assert visit is not None and visit.tab_fen == 0 and visit.bill_fen == 36800


def pdf_text(pdf: bytes) -> str:
    """The text a PDF reader extracts (pdftotext from poppler-utils)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


class TestExitDeskPages:
    async def _desk(self, db, client, resort):  # type: ignore[no-untyped-def]
        staff = await make_staff(db, tenant=resort.tenant, role="cashier")
        await bind_tenant(db, resort.tenant.id)
        await sign_in(client, staff)

    async def test_scan_bill_pay_cash_with_change_and_receipt(self, db, client, resort):
        await self._desk(db, client, resort)
        tag = await make_tag(db, tenant=resort.tenant, uid="04A1C0FFEE")
        visit = await make_visit(
            db, tenant=resort.tenant, tag=tag, guest_name="王芳", hours_ago=13.5
        )
        bar = await make_outlet(db, tenant=resort.tenant, name="水吧")
        lines = [{"name": "鲜榨西瓜汁", "qty": 1, "unit_price_fen": 2800, "amount_fen": 2800}]
        await make_charge(
            db, tenant=resort.tenant, visit=visit, outlet_id=bar.id, amount_fen=2800, lines=lines
        )
        page = await client.get("/console/keytags/exit")
        assert page.status_code == 200 and 'name="tag"' in page.text and "autofocus" in page.text
        scanned = await client.get("/console/keytags/exit", params={"tag": "04a1c0ffee"})
        assert scanned.status_code == 303
        bill_url = scanned.headers["location"]
        assert bill_url == f"/console/keytags/visits/{visit.id}/bill"
        bill = await client.get(bill_url)
        assert bill.status_code == 200
        for shown in ("鲜榨西瓜汁", "水吧", "¥368.00", "¥40.00", "¥28.00", "¥436.00"):
            assert shown in bill.text
        assert 'data-to-pay="43600"' in bill.text and "/static/keytags-exit.js" in bill.text
        assert (await client.get("/static/keytags-exit.js")).status_code == 200
        short = await form_post(
            client,
            f"/console/keytags/visits/{visit.id}/settle",
            {"method": "cash", "tendered": "400"},
        )
        assert short.status_code == 422
        await db.refresh(visit)
        assert visit.status == "open"
        paid = await form_post(
            client,
            f"/console/keytags/visits/{visit.id}/settle",
            {"method": "cash", "tendered": "500"},
            follow_redirects=True,
        )
        assert paid.status_code == 200 and 'id="change"' in paid.text and "¥64.00" in paid.text
        assert "应退还客人：¥64.00" in paid.text
        again = await form_post(
            client, f"/console/keytags/visits/{visit.id}/settle", {"method": "cash"}
        )
        assert again.status_code == 409
        receipt = await client.get(f"/console/keytags/visits/{visit.id}/receipt.pdf")
        assert receipt.headers["content-type"] == "application/pdf"
        text_ = pdf_text(receipt.content)
        for printed in (
            "北碚温泉",
            "收据",
            visit.number,
            "鲜榨西瓜汁",
            "水吧",
            "¥368.00",
            "¥436.00",
            "¥500.00",
            "¥64.00",
            "现金",
            "找零",
        ):
            assert printed in text_, printed

    async def test_an_unknown_tag_says_so(self, db, client, resort):
        await self._desk(db, client, resort)
        page = await client.get("/console/keytags/exit", params={"tag": "NOPE"})
        assert page.status_code == 200 and "alert-error" in page.text


class TestCardHoldAgainstTheEmulator:
    async def test_the_hold_is_captured_for_the_bill_and_the_rest_released(
        self, db, resort, tid, cashier, stripe_gateway, stripe_emulator
    ):
        from modules.keytags.schemas.desk import AdmissionInput, PersonInput
        from modules.payments.models import Payment
        from tests.stripe_fixtures import card_token

        ticket = await make_ticket_type(db, tenant=resort.tenant)
        admission = AdmissionInput(
            persons=(PersonInput(ticket_type_id=ticket.id, qr_wristband=True),),
            tab_mode="card_preauth",
            preauth_fen=50000,
            card_token=card_token(stripe_emulator),
        )
        [visit] = await service.open_party(db, tid, admission, actor=cashier)
        await make_charge(db, tenant=resort.tenant, visit=visit, amount_fen=2800)
        bill = await service.bill(db, tid, visit.id)
        assert bill.methods()[0] == "preauth" and bill.authorised_fen == 50000
        done = await service.settle(db, tid, visit.id, method="preauth", actor=cashier)
        assert done.payments == (("preauth", bill.due_fen),)
        assert done.released_fen == 50000 - bill.due_fen
        payment = await db.get(Payment, visit.preauth_payment_id)
        assert payment is not None
        await db.refresh(payment)
        assert (payment.status, payment.amount_fen) == ("succeeded", bill.due_fen)
        intent = await stripe_gateway.retrieve_intent(
            payment.provider_intent_id or "", account=payment.provider_account_id
        )
        assert intent.status == "succeeded"
