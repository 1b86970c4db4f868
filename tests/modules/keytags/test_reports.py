"""Cashier and outlet reports: a shift's expected against counted cash and its card totals, a
closed shift taking no tender, one shift when a cashier's requests race; outlets' takings by
item, voids on the day they are made, concessions' commission and what they are owed, the
day's charges by outlet, and their CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app import clock
from app.db.engine import TenantId, bind_tenant
from app.errors import Invalid
from modules.keytags import service
from modules.keytags.models import Charge, Shift, Tender
from tests.factories.keytags import make_charge, make_outlet, make_visit
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in
from tests.races import Race

TZ = "Asia/Shanghai"


@pytest.fixture
async def resort(db):
    owner = await make_tenant(db, kinds=("hot_spring",), name="测试温泉")
    await bind_tenant(db, owner.tenant.id)
    return owner


async def _tender(db, tid, shift_id, kind: str, method: str, amount: int) -> None:
    db.add(Tender(tenant_id=tid, shift_id=shift_id, kind=kind, method=method, amount_fen=amount))
    await db.flush()


class TestShift:
    async def test_expected_cash_counted_and_card_totals(self, db, resort):
        """Float ¥500; cash in: deposit 500 + payment 368 + top-up 100 = ¥968; cash out:
        deposit returned 200 + refund 10 = ¥210; expected 500 + 968 − 210 = ¥1,258.00.
        Counted ¥1,257.00: short ¥1.00. Card 398, WeChat 120, Alipay 50, pre-auth 300."""
        tid = TenantId(resort.tenant.id)
        cashier = await make_staff(db, tenant=resort.tenant, role="cashier")
        uid = cashier.user.id
        shift = await service.open_shift(db, tid, uid, opening_float="500")
        assert shift.opening_float_fen == 50000
        with pytest.raises(service.ShiftAlreadyOpen):
            await service.open_shift(db, tid, uid, opening_float="100")
        assert (await service.current_shift(db, tid, uid)).id == shift.id
        for kind, method, amount in [
            ("deposit", "cash", 50000), ("payment", "cash", 36800), ("topup", "cash", 10000),
            ("deposit_return", "cash", 20000), ("refund", "cash", 1000),
            ("payment", "card", 39800), ("payment", "wechat", 12000),
            ("payment", "alipay", 5000), ("payment", "preauth", 30000),
        ]:  # fmt: skip
            await _tender(db, tid, shift.id, kind, method, amount)
        own = await service.own_shift(db, tid, uid)
        assert own is not None and own.is_open and own.expected_cash_fen == 125800
        report = await service.close_shift(db, tid, uid, counted="1257.00", note="少一元")
        assert (report.cash_in_fen, report.cash_out_fen) == (96800, 21000)
        assert report.expected_cash_fen == 125800
        assert report.difference_fen == -100
        assert {m.method: m.net_fen for m in report.other_methods} == {
            "alipay": 5000, "card": 39800, "preauth": 30000, "wechat": 12000,
        }  # fmt: skip
        assert report.tenders == 9
        stored = await service.shift_report(db, tid, shift.id)
        assert stored.shift.closed_at is not None
        assert (stored.shift.expected_cash_fen, stored.shift.counted_cash_fen) == (125800, 125700)
        assert stored.shift.note == "少一元"
        assert await service.own_shift(db, tid, uid) is None

    async def test_a_closed_shift_takes_no_tender_a_new_one_opens(self, db, resort):
        tid = TenantId(resort.tenant.id)
        cashier = await make_staff(db, tenant=resort.tenant, role="cashier")
        first = await service.current_shift(db, tid, cashier.user.id)
        assert first.opening_float_fen == 0
        await service.close_shift(db, tid, cashier.user.id, counted="0")
        second = await service.current_shift(db, tid, cashier.user.id)
        assert second.id != first.id and second.closed_at is None
        stranger = await make_staff(db, tenant=resort.tenant, role="cashier")
        with pytest.raises(service.ShiftNotOpen):
            await service.close_shift(db, tid, stranger.user.id, counted="0")

    @pytest.mark.parametrize("typed", ["", "abc", "-5", "1e3", "１２", "99999999"])
    async def test_odd_amounts_are_refused(self, db, resort, typed):
        tid = TenantId(resort.tenant.id)
        cashier = await make_staff(db, tenant=resort.tenant, role="cashier")
        with pytest.raises(Invalid):
            await service.open_shift(db, tid, cashier.user.id, opening_float=typed)


async def _cashier(database) -> tuple[TenantId, Any]:
    async with database.transaction() as db:
        owner = await make_tenant(db, kinds=("hot_spring",))
        cashier = await make_staff(db, tenant=owner.tenant, role="cashier")
    return TenantId(owner.tenant.id), cashier.user.id


@pytest.mark.realdb
async def test_two_requests_of_one_cashier_open_one_shift(committed_database):
    tid, uid = await _cashier(committed_database)
    race = Race(committed_database)

    async def first() -> Any:
        async with committed_database.transaction(tid) as db:
            shift = await service.current_shift(db, tid, uid)
            await race.hold(db)  # until the second request waits on the new shift
            return shift.id

    async def second() -> Any:
        await race.held.wait()
        async with committed_database.transaction(tid) as db:
            return (await service.current_shift(db, tid, uid)).id

    one, other = await race.run(first(), second())
    assert one == other
    async with committed_database.transaction(tid) as db:
        assert await db.scalar(select(func.count()).select_from(Shift)) == 1


@pytest.mark.realdb
async def test_closing_waits_for_the_tender_being_taken_and_counts_it(committed_database):
    tid, uid = await _cashier(committed_database)
    async with committed_database.transaction(tid) as db:
        await service.open_shift(db, tid, uid, opening_float="100")
    race = Race(committed_database)

    async def tender() -> Any:
        async with committed_database.transaction(tid) as db:
            shift = await service.current_shift(db, tid, uid)
            await _tender(db, tid, shift.id, "payment", "cash", 36800)
            await race.hold(db)  # until the close waits on the shift
            return shift.id

    async def close() -> Any:
        await race.held.wait()
        async with committed_database.transaction(tid) as db:
            return await service.close_shift(db, tid, uid, counted="468")

    shift_id, report = await race.run(tender(), close())
    assert report.shift.id == shift_id
    assert report.expected_cash_fen == 46800 and report.difference_fen == 0


class Outlets:
    """Today at a bar and a concession massage room, and yesterday's massage voided today."""

    async def build(self, db, tenant) -> None:
        self.tid = TenantId(tenant.id)
        self.bar = await make_outlet(db, tenant=tenant, code="BAR", name="水吧", sort_order=1)
        self.spa = await make_outlet(
            db, tenant=tenant, code="SPA", name="推拿", kind="massage", concession=True,
            concessionaire="李师傅推拿", commission_bp=2000, sort_order=2,
        )  # fmt: skip
        visit = await make_visit(db, tenant=tenant, limit_fen=200000)
        yesterday = clock.now() - timedelta(days=1)

        async def sale(outlet, code, name, qty, price, **kw: Any) -> Charge:
            line = {"code": code, "name": name, "unit": "item", "qty": qty,
                    "unit_price_fen": price, "amount_fen": qty * price}  # fmt: skip
            return await make_charge(
                db, tenant=tenant, visit=visit, amount_fen=qty * price, outlet_id=outlet.id,
                description=name, lines=[line], **kw,
            )  # fmt: skip

        async def void(charge: Charge) -> Charge:
            return await make_charge(
                db, tenant=tenant, visit=visit, amount_fen=-charge.amount_fen, kind="void",
                voids_charge_id=charge.id, outlet_id=charge.outlet_id,
                description=f"撤销 {charge.description}",
            )  # fmt: skip

        await sale(self.bar, "JUICE", "鲜榨西瓜汁", 2, 2800)
        beer = await sale(self.bar, "BEER", "啤酒", 1, 3800)
        await void(beer)
        await sale(self.spa, "FULL", "全身推拿", 1, 19800)
        old = await sale(self.spa, "FOOT", "足疗", 1, 12800, recorded_at=yesterday,
                         occurred_at=yesterday)  # fmt: skip
        await void(old)
        await make_charge(
            db, tenant=tenant, visit=visit, amount_fen=5000, kind="fee", description="手牌遗失"
        )


@pytest.fixture
async def outlets(db, resort) -> Outlets:
    o = Outlets()
    await o.build(db, resort.tenant)
    return o


def _rows(text_: str) -> list[list[str]]:
    assert text_.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text_[1:])))


class TestOutlets:
    async def test_today_by_outlet_and_item(self, db, outlets):
        """Bar: 2 × 西瓜汁 ¥56 + 啤酒 ¥38 (voided): 2 charges, gross ¥94, voids ¥38, net ¥56.
        推拿: 全身推拿 ¥198 today; yesterday's 足疗 ¥128 voided today: 1 charge, gross ¥198,
        voids ¥128, net ¥70. The lost-tag fee is not an outlet's."""
        period = service.period_of(None, None, TZ)
        report = await service.outlet_report(db, outlets.tid, period)
        figures = {
            o.outlet.code: (o.outlet.charges, o.outlet.gross_fen, o.outlet.voids,
                            o.outlet.voids_fen, o.outlet.net_fen)
            for o in report.outlets
        }  # fmt: skip
        assert figures == {"BAR": (2, 9400, 1, 3800, 5600), "SPA": (1, 19800, 1, 12800, 7000)}
        assert (report.gross_fen, report.voids_fen, report.net_fen) == (29200, 16600, 12600)
        items = {
            (o.outlet.code, i.name): (i.qty, i.gross_fen, i.void_qty, i.voids_fen, i.net_fen)
            for o in report.outlets
            for i in o.items
        }
        assert items == {
            ("BAR", "鲜榨西瓜汁"): (2, 5600, 0, 0, 5600),
            ("BAR", "啤酒"): (1, 3800, 1, 3800, 0),
            ("SPA", "全身推拿"): (1, 19800, 0, 0, 19800),
            ("SPA", "足疗"): (0, 0, 1, 12800, -12800),
        }
        rows = _rows(service.outlets_csv(report))
        assert rows[1][:2] == ["BAR", "水吧"] and rows[1][6:] == ["94.00", "1", "38.00", "56.00"]
        assert rows[-1][-1] == "126.00"

    async def test_concession_owed_for_a_period(self, db, outlets):
        """Yesterday and today, 推拿 takes 198 + 128 − 128 = ¥198; at 20 % the resort keeps
        ¥39.60 and owes 李师傅推拿 ¥158.40. Today alone: ¥70, ¥14, ¥56."""
        today = clock.today(TZ)
        two_days = service.period_of((today - timedelta(days=1)).isoformat(), today.isoformat(), TZ)
        report = await service.concession_report(db, outlets.tid, two_days)
        [c] = report.concessions
        assert (c.takings_fen, c.commission_fen, c.owed_fen) == (19800, 3960, 15840)
        today_only = await service.concession_report(
            db, outlets.tid, service.period_of(None, None, TZ)
        )
        [c] = today_only.concessions
        assert (c.takings_fen, c.commission_fen, c.owed_fen) == (7000, 1400, 5600)
        rows = _rows(service.concessions_csv(today_only))
        assert rows[1] == ["SPA", "推拿", "李师傅推拿", "70.00", "20.00", "14.00", "56.00"]

    async def test_the_days_charges_by_outlet(self, db, outlets):
        day = await service.day_charges(db, outlets.tid, clock.today(TZ), TZ)
        assert [(o.name, len(o.charges), o.total_fen) for o in day.outlets] == [
            ("水吧", 3, 5600), ("推拿", 2, 7000), ("", 1, 5000),
        ]  # fmt: skip
        assert day.total_fen == 17600 and not day.truncated
        rows = _rows(service.day_charges_csv(day, TZ))
        assert len(rows) == 1 + 6 + 1 and rows[-1][5] == "176.00"

    @pytest.mark.parametrize(
        ("date_from", "date_to"),
        [
            ("2026-13-01", None),
            ("x", None),
            ("2026-12-02", "2026-12-01"),
            ("2024-01-01", "2026-01-01"),
            ("9999-12-31", None),
            ("0001-01-01", None),
        ],
    )
    def test_odd_periods_are_refused(self, date_from, date_to):
        with pytest.raises(Invalid):
            service.period_of(date_from, date_to, TZ)


def test_csv_cells_never_run_as_formulas():
    from modules.keytags.service.reports import _safe

    assert _safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _safe("-12.50") == "-12.50"
    assert _safe("-cmd") == "'-cmd"


class TestPages:
    async def test_a_cashier_opens_and_closes_a_shift_and_prints_its_slip(self, db, client, resort):
        cashier = await make_staff(db, tenant=resort.tenant, role="cashier")
        await sign_in(client, cashier)
        page = await client.get("/console/keytags/shift")
        assert page.status_code == 200 and 'name="opening_float"' in page.text
        refused = await form_post(client, "/console/keytags/shift/open", {"opening_float": "五百"})
        assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
        opened = await form_post(
            client, "/console/keytags/shift/open", {"opening_float": "500"}, follow_redirects=False
        )
        assert opened.status_code == 303
        page = await client.get("/console/keytags/shift")
        assert "¥500.00" in page.text and 'name="counted"' in page.text
        again = await form_post(client, "/console/keytags/shift/open", {"opening_float": "500"})
        assert again.status_code == 409
        closed = await form_post(
            client, "/console/keytags/shift/close", {"counted": "498.50", "note": ""},
            follow_redirects=False,
        )  # fmt: skip
        assert closed.status_code == 303
        slip = await client.get(closed.headers["location"])
        assert slip.status_code == 200
        assert "¥500.00" in slip.text and "¥498.50" in slip.text and "-¥1.50" in slip.text

    async def test_another_cashiers_slip_is_not_found_at_the_desk(self, db, client, resort):
        tid = TenantId(resort.tenant.id)
        other = await make_staff(db, tenant=resort.tenant, role="cashier")
        shift = await service.current_shift(db, tid, other.user.id)
        clerk = await make_staff(db, tenant=resort.tenant, role="front_desk")
        await sign_in(client, clerk)
        assert (await client.get(f"/console/keytags/shift/{shift.id}")).status_code == 404
        assert (await client.get("/console/keytags/reports")).status_code == 403

    async def test_the_reports_page_and_its_csv(self, db, client, resort, outlets):
        tid = outlets.tid
        cashier = await make_staff(db, tenant=resort.tenant, role="cashier", display_name="王芳")
        shift = await service.open_shift(db, tid, cashier.user.id, opening_float="300")
        await _tender(db, tid, shift.id, "payment", "wechat", 12000)
        await service.close_shift(db, tid, cashier.user.id, counted="310")
        waiter = await make_staff(db, tenant=resort.tenant, role="cashier", display_name="赵磊")
        await service.open_shift(
            db, tid, waiter.user.id, opening_float="0", outlet=str(outlets.bar.id)
        )
        auditor = await make_staff(db, tenant=resort.tenant, role="auditor")
        await sign_in(client, auditor)
        page = await client.get("/console/keytags/reports")
        assert page.status_code == 200
        assert "王芳" in page.text and "赵磊" in page.text and "¥10.00" in page.text
        slip = await client.get(f"/console/keytags/reports/shifts/{shift.id}")
        assert slip.status_code == 200 and "¥120.00" in slip.text
        assert "李师傅推拿" in page.text and "¥56.00" in page.text and "¥126.00" in page.text
        odd = await client.get("/console/keytags/reports?date_from=2026-02-30")
        assert odd.status_code == 422
        for name in ("outlets", "concessions", "shifts"):
            answer = await client.get(f"/console/keytags/reports/{name}.csv")
            assert answer.status_code == 200 and answer.headers["content-type"].startswith(
                "text/csv"
            )
            assert answer.content.startswith("\ufeff".encode())
        day = await client.get("/console/keytags/reports/day")
        assert day.status_code == 200 and "手牌遗失" in day.text and "¥176.00" in day.text
        csv_day = await client.get("/console/keytags/reports/day.csv?day=2026-13-01")
        assert csv_day.status_code == 422
        assert (await client.get("/console/keytags/reports/day?day=9999-12-31")).status_code == 422
        far = await client.get("/console/keytags/reports/outlets.csv?date_from=9999-12-31")
        assert far.status_code == 422


class TestOutletShift:
    async def test_an_outlet_shift_shows_the_outlets_takings_while_it_was_open(
        self, db, resort, outlets
    ):
        """Opened two hours ago at 推拿: today's 全身推拿 ¥198, less the void (made today) of
        yesterday's 足疗 ¥128: net ¥70. A mistyped outlet is refused."""
        tid = outlets.tid
        staff = await make_staff(db, tenant=resort.tenant, role="cashier")
        with pytest.raises(Invalid):
            await service.open_shift(db, tid, staff.user.id, opening_float="0", outlet="推拿")
        shift = await service.open_shift(
            db, tid, staff.user.id, opening_float="200", outlet=str(outlets.spa.id)
        )
        shift.opened_at = clock.now() - timedelta(hours=2)
        await db.flush()
        report = await service.close_shift(db, tid, staff.user.id, counted="200")
        assert report.outlet_name == "推拿"
        t = report.outlet_takings
        assert t is not None
        assert (t.charges, t.gross_fen, t.voids_fen, t.net_fen) == (1, 19800, 12800, 7000)
        assert report.difference_fen == 0
