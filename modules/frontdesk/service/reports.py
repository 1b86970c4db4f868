"""The daily report and the month: what the night audit wrote, for the manager's page, a
CSV download and the bureau's `hotel_monthly` statistics (`month_figures`)."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid
from app.i18n import gettext as _
from modules.frontdesk import domain
from modules.frontdesk.repository.audit import AuditRepository
from modules.frontdesk.schemas import DailyFiguresView, MonthFigures, MonthReport
from modules.frontdesk.service.audit import figures_view

__all__ = ["month_csv", "month_figures", "month_report", "parse_month"]


def parse_month(value: str | None, default: date) -> tuple[int, int]:
    """`YYYY-MM` from a query string; the default's month when absent."""
    if not value:
        return default.year, default.month
    try:
        year, month = (int(part) for part in value.split("-"))
        date(year, month, 1)
    except ValueError:
        raise Invalid.field("month", "Choose a month such as 2026-11.") from None
    return year, month


async def month_figures(
    db: AsyncSession, tenant_id: TenantId, year: int, month: int
) -> MonthFigures:
    """The month's `hotel_monthly` figures (PROTOCOL.md), summed in SQL from the audited
    days: occupancy, ADR and RevPAR are recomputed from the sums (never averaged), so the
    month agrees with its days to the fen. Guests are those who arrived in the month;
    guest nights, every guest of every night sold."""
    start, end = domain.month_bounds(year, month)
    s = await AuditRepository(db, tenant_id).sums(start, end)
    available, sold, revenue = s.room_nights_available, s.room_nights_sold, s.room_revenue_fen
    return MonthFigures(
        rooms=int(s.rooms),
        room_nights_available=int(available),
        room_nights_sold=int(sold),
        occupancy_bp=domain.ratio(int(sold), int(available), 10000),
        adr_fen=domain.ratio(int(revenue), int(sold)),
        revpar_fen=domain.ratio(int(revenue), int(available)),
        room_revenue_fen=int(revenue),
        fnb_revenue_fen=int(s.fnb_revenue_fen),
        other_revenue_fen=int(s.other_revenue_fen),
        guests_domestic=int(s.guests_domestic),
        guests_foreign=int(s.guests_foreign),
        guest_nights=int(s.in_house_guests),
        days=int(s.days),
        arrivals=int(s.arrivals),
        departures=int(s.departures),
        no_shows=int(s.no_shows),
        cancellations=int(s.cancellations),
    )


async def month_report(db: AsyncSession, tenant_id: TenantId, year: int, month: int) -> MonthReport:
    start, end = domain.month_bounds(year, month)
    rows = await AuditRepository(db, tenant_id).days(start, end)
    return MonthReport(
        year=year,
        month=month,
        days=tuple(figures_view(r) for r in rows),
        totals=await month_figures(db, tenant_id, year, month),
    )


def _yuan(fen: int) -> str:
    """Plain yuan with two decimals for spreadsheets (no symbol, no separators)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


COLUMNS = (
    ("Date", None),
    ("Rooms available", "room_nights_available"),
    ("Rooms sold", "room_nights_sold"),
    ("Occupancy (%)", "occupancy_bp"),
    ("ADR (yuan)", "adr_fen"),
    ("RevPAR (yuan)", "revpar_fen"),
    ("Room revenue (yuan)", "room_revenue_fen"),
    ("Food and beverage (yuan)", "fnb_revenue_fen"),
    ("Other revenue (yuan)", "other_revenue_fen"),
    ("Arrivals", "arrivals"),
    ("Departures", "departures"),
    ("Guests in house", "in_house_guests"),
    ("No-shows", "no_shows"),
    ("Cancellations", "cancellations"),
)


def _cell(field: str, value: int) -> str:
    if field == "occupancy_bp":
        return _yuan(value)  # basis points read as a percentage with two decimals
    return _yuan(value) if field.endswith("_fen") else str(value)


def _csv_row(label: str, source: DailyFiguresView | MonthFigures) -> list[str]:
    values = {
        "in_house_guests": getattr(source, "in_house_guests", None),
        "guest_nights": getattr(source, "guest_nights", None),
    }
    row = [label]
    for _title, field in COLUMNS[1:]:
        assert field is not None
        value = getattr(source, field, None)
        if value is None:
            value = values["guest_nights"] if field == "in_house_guests" else 0
        row.append(_cell(field, int(value or 0)))
    return row


def month_csv(report: MonthReport) -> str:
    """The month table as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_(title) for title, _field in COLUMNS])
    for day in report.days:
        writer.writerow(_csv_row(day.business_date.isoformat(), day))
    writer.writerow(_csv_row(_("Month total"), report.totals))
    return out.getvalue()
