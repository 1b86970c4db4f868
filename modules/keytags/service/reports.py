"""The cashier's and the manager's reports: shifts in a period, outlets' takings (charges,
gross, voids, net, by item), the day's charges by outlet and what each concession is owed,
each also as CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese).

Periods are local dates of the resort, both ends included: a charge belongs to the day it was
recorded on the resort's clock; a void belongs to the day it was made (a void of yesterday's
charge lowers today's net) and to the outlet of the charge it reverses. Desk fees (a lost tag)
are not outlet takings."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Invalid
from app.i18n import gettext as _
from app.web.input import read_date
from modules.keytags.domain import ChargeKind, commission_fen
from modules.keytags.repository.reports import OutletReportRepository
from modules.keytags.schemas.reports import (
    Concession,
    ConcessionReport,
    DayCharges,
    OutletDay,
    OutletReport,
    OutletTakings,
    Period,
    ShiftReport,
)
from modules.keytags.service.shifts import shifts_between

__all__ = [
    "MAX_PERIOD_DAYS",
    "concession_report",
    "concessions_csv",
    "day_charges",
    "day_charges_csv",
    "outlet_report",
    "outlets_csv",
    "period_of",
    "shifts_csv",
    "shifts_in",
]

MAX_PERIOD_DAYS = 366
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
DAY_LIMIT = 5000


def _bounds(first: date, last: date, tz: str) -> tuple[datetime, datetime]:
    zone = clock.zone(tz)
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    return start, end


def period_of(date_from: str | None, date_to: str | None, tz: str) -> Period:
    """The period the page asks for: today when nothing is given, one day when only the
    first is; refused (a field message) when a date is not one, the end is before the
    start or it is longer than a year."""
    today = clock.today(tz)
    first = read_date(date_from) if date_from else today
    if first is None:
        raise Invalid.field("date_from", _("Enter a date such as 2026-12-01."))
    last = read_date(date_to) if date_to else first
    if last is None:
        raise Invalid.field("date_to", _("Enter a date such as 2026-12-01."))
    if not (EARLIEST <= first and last <= LATEST):
        raise Invalid.field("date_from", _("Choose dates between 2000 and 2100."))
    if last < first:
        raise Invalid.field("date_to", _("The end is before the start."))
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise Invalid.field("date_to", _("Choose at most a year."))
    start_at, end_at = _bounds(first, last, tz)
    return Period(first, last, start_at, end_at)


async def outlet_report(db: AsyncSession, tenant_id: TenantId, period: Period) -> OutletReport:
    """Per outlet: the number of charges, gross, voids and net, and the same by item."""
    repo = OutletReportRepository(db, tenant_id)
    outlets = await repo.outlets(period.start_at, period.end_at)
    items = await repo.items(period.start_at, period.end_at)
    return OutletReport(
        period,
        [OutletTakings(o, [i for i in items if i.outlet_id == o.outlet_id]) for o in outlets],
    )


async def concession_report(
    db: AsyncSession, tenant_id: TenantId, period: Period
) -> ConcessionReport:
    """For each concession outlet: its takings (net charges), the resort's commission at
    its rate and the amount owed to the concessionaire."""
    outlets = await OutletReportRepository(db, tenant_id).outlets(period.start_at, period.end_at)
    return ConcessionReport(
        period,
        [
            Concession(o, commission_fen(o.net_fen, o.commission_bp))
            for o in outlets
            if o.concession
        ],
    )


async def day_charges(db: AsyncSession, tenant_id: TenantId, day: date, tz: str) -> DayCharges:
    """Every charge, void and desk fee recorded on the day, by outlet (desk fees last)."""
    start_at, end_at = _bounds(day, day, tz)
    rows = await OutletReportRepository(db, tenant_id).charges(
        start_at, end_at, limit=DAY_LIMIT + 1
    )
    outlets: list[OutletDay] = []
    for row in rows[:DAY_LIMIT]:
        if not outlets or outlets[-1].outlet_id != row.outlet_id:
            outlets.append(OutletDay(row.outlet_id, row.outlet_name))
        outlets[-1].charges.append(row)
    return DayCharges(day, outlets, truncated=len(rows) > DAY_LIMIT)


async def shifts_in(db: AsyncSession, tenant_id: TenantId, period: Period) -> list[ShiftReport]:
    return await shifts_between(db, tenant_id, period.start_at, period.end_at)


def _yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def _qty(value: float) -> str:
    return f"{value:g}"


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    return out.getvalue()


def _safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (a name typed as =1+1)."""
    if (cell and cell[0] in "=+@\t\r") or (cell[:1] == "-" and not _is_number(cell)):
        return "'" + cell
    return cell


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def outlets_csv(report: OutletReport) -> str:
    rows: list[list[str]] = []
    for o in report.outlets:
        out = o.outlet
        rows.append(
            [out.code, out.name, "", "", str(out.charges), "", _yuan(out.gross_fen),
             str(out.voids), _yuan(out.voids_fen), _yuan(out.net_fen)]
        )  # fmt: skip
        for i in o.items:
            rows.append(
                [out.code, out.name, i.code, i.name, "", _qty(i.qty), _yuan(i.gross_fen),
                 _qty(i.void_qty), _yuan(i.voids_fen), _yuan(i.net_fen)]
            )  # fmt: skip
    rows.append(
        [_("Total"), "", "", "", str(report.charges), "", _yuan(report.gross_fen), "",
         _yuan(report.voids_fen), _yuan(report.net_fen)]
    )  # fmt: skip
    header = [
        _("Outlet code"), _("Outlet"), _("Item code"), _("Item"), _("Charges"), _("Quantity"),
        _("Gross (yuan)"), _("Voids"), _("Voided (yuan)"), _("Net (yuan)"),
    ]  # fmt: skip
    return _csv(header, rows)


def concessions_csv(report: ConcessionReport) -> str:
    rows = [
        [c.outlet.code, c.outlet.name, c.outlet.concessionaire, _yuan(c.takings_fen),
         f"{c.outlet.commission_bp / 100:.2f}", _yuan(c.commission_fen), _yuan(c.owed_fen)]
        for c in report.concessions
    ]  # fmt: skip
    rows.append(
        [_("Total"), "", "", _yuan(report.takings_fen), "", _yuan(report.commission_fen),
         _yuan(report.owed_fen)]
    )  # fmt: skip
    header = [
        _("Outlet code"), _("Outlet"), _("Concessionaire"), _("Takings (yuan)"),
        _("Commission rate (%)"), _("Commission (yuan)"), _("Owed (yuan)"),
    ]  # fmt: skip
    return _csv(header, rows)


def day_charges_csv(day: DayCharges, tz: str) -> str:
    kinds = ChargeKind.labels()
    rows = [
        [o.name or _("Desk fees"), c.recorded_at.astimezone(clock.zone(tz)).strftime("%H:%M:%S"),
         c.visit_number, _(kinds.get(c.kind, c.kind)), c.description, _yuan(c.amount_fen),
         _("Offline") if c.offline else ""]
        for o in day.outlets
        for c in o.charges
    ]  # fmt: skip
    rows.append([_("Total"), "", "", "", "", _yuan(day.total_fen), ""])
    header = [
        _("Outlet"), _("Time"), _("Visit"), _("Kind"), _("Description"), _("Amount (yuan)"),
        _("Uploaded later"),
    ]  # fmt: skip
    return _csv(header, rows)


def shifts_csv(shifts: Sequence[ShiftReport], tz: str) -> str:
    zone = clock.zone(tz)

    def at(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    methods = ("card", "wechat", "alipay", "preauth")
    rows = []
    for s in shifts:
        by = {m.method: m.net_fen for m in s.methods}
        rows.append(
            [s.user_name, s.outlet_name or _("Desk"), at(s.shift.opened_at),
             at(s.shift.closed_at), _yuan(s.shift.opening_float_fen), _yuan(s.cash_in_fen),
             _yuan(s.cash_out_fen), _yuan(s.shift.expected_cash_fen or s.expected_cash_fen),
             _yuan(s.counted_cash_fen), _yuan(s.difference_fen),
             *(_yuan(by.get(m, 0)) for m in methods)]
        )  # fmt: skip
    header = [
        _("Cashier"), _("Where"), _("Opened"), _("Closed"), _("Float (yuan)"),
        _("Cash taken (yuan)"), _("Cash given back (yuan)"), _("Expected cash (yuan)"),
        _("Counted cash (yuan)"), _("Over or short (yuan)"), _("Card (yuan)"),
        _("WeChat Pay (yuan)"), _("Alipay (yuan)"), _("Pre-authorisation (yuan)"),
    ]  # fmt: skip
    return _csv(header, rows)
