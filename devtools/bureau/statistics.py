"""The statistical direct report (统计直报): report types, period formats, figure sets and
breakdowns as PROTOCOL.md lists them. The figure set of a report type is closed: a
misspelt figure is refused rather than silently dropped from the municipal statistics.
"""

from __future__ import annotations

import re
from typing import Any

from devtools.bureau.checks import Errors, Json, choice, integer, mapping, parse_date, path, text

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
_VOYAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_PROVINCE = re.compile(r"^(\d{2}|\d{6})$")
_SOURCE = re.compile(r"^(\d{2}|\d{6}|[A-Z]{2})$")

REPORTS: dict[str, tuple[re.Pattern[str], str, tuple[str, ...]]] = {
    "hotel_monthly": (
        _MONTH,
        "YYYY-MM",
        (
            "rooms",
            "room_nights_available",
            "room_nights_sold",
            "occupancy_bp",
            "adr_fen",
            "revpar_fen",
            "room_revenue_fen",
            "fnb_revenue_fen",
            "other_revenue_fen",
            "guests_domestic",
            "guests_foreign",
            "guest_nights",
        ),
    ),
    "agency_quarterly": (
        _QUARTER,
        "YYYY-Qn",
        (
            "contracts_signed",
            "tourists_organised",
            "tourist_person_days_organised",
            "tourists_received",
            "tourist_person_days_received",
            "outbound_tourists",
            "revenue_fen",
        ),
    ),
    "cruise_voyage": (
        _VOYAGE,
        "航次号",
        (
            "departure_date",
            "arrival_date",
            "cabins",
            "cabins_sold",
            "passengers_booked",
            "passengers_boarded",
            "passengers_disembarked",
            "crew",
            "revenue_fen",
        ),
    ),
    "hot_spring_monthly": (
        _MONTH,
        "YYYY-MM",
        (
            "visits",
            "key_tags_issued",
            "admission_revenue_fen",
            "consumption_revenue_fen",
            "average_stay_minutes",
        ),
    ),
}
_DATE_FIGURES = ("departure_date", "arrival_date")
_BREAKDOWNS: dict[str, tuple[str, re.Pattern[str], tuple[str, ...]]] = {
    "hotel_monthly": ("guests_by_source", _SOURCE, ("guests", "guest_nights")),
    "agency_quarterly": (
        "by_source_province",
        _PROVINCE,
        (
            "tourists_organised",
            "tourist_person_days_organised",
            "tourists_received",
            "tourist_person_days_received",
        ),
    ),
}


def statistics_errors(body: Json) -> Errors:
    errs = Errors()
    report_type = choice(errs, body, "report_type", tuple(REPORTS))
    period = text(errs, body, "period", max_len=32)
    integer(errs, body, "revision", minimum=1, required=False)
    figures = mapping(errs, body, "figures")
    if report_type is None:
        return errs
    pattern, shape, names = REPORTS[report_type]
    if period is not None and not pattern.match(period):
        errs.add("period", "invalid_format", f"报告期格式应为 {shape}")
    if figures is not None:
        _figures(errs, figures, names)
    if "breakdown" in body:
        _breakdown(errs, report_type, body["breakdown"])
    return errs


def _figures(errs: Errors, figures: Json, names: tuple[str, ...]) -> None:
    for key in figures:
        if key not in names:
            errs.add(f"figures.{key}", "unknown_field", "不是该报表的统计指标")
    for name in names:
        if name in _DATE_FIGURES:
            _date_figure(errs, figures, name)
        else:
            maximum = 10000 if name.endswith("_bp") else None
            integer(errs, figures, name, "figures", maximum=maximum)
    departure, arrival = figures.get("departure_date"), figures.get("arrival_date")
    if isinstance(departure, str) and isinstance(arrival, str):
        start, end = parse_date(departure), parse_date(arrival)
        if start and end and end < start:
            errs.add("figures.arrival_date", "date_order", "到达日期不能早于出发日期")


def _date_figure(errs: Errors, figures: Json, name: str) -> None:
    value = figures.get(name)
    if value is None:
        errs.add(f"figures.{name}", "required", "缺少必填字段")
    elif not isinstance(value, str) or parse_date(value) is None:
        errs.add(f"figures.{name}", "invalid_format", "日期格式应为 YYYY-MM-DD")


def _breakdown(errs: Errors, report_type: str, breakdown: Any) -> None:
    if report_type not in _BREAKDOWNS:
        errs.add("breakdown", "not_allowed", "该报表不接受分项数据")
        return
    if not isinstance(breakdown, dict):
        errs.add("breakdown", "invalid_type", "类型不正确，应为对象")
        return
    key, code_pattern, names = _BREAKDOWNS[report_type]
    for extra in breakdown.keys() - {key}:
        errs.add(f"breakdown.{extra}", "unknown_field", "不是该报表的分项")
    sources = mapping(errs, breakdown, key, "breakdown")
    for code, counts in (sources or {}).items():
        where = path(f"breakdown.{key}", code)
        if not code_pattern.match(code):
            errs.add(where, "invalid_format", "来源地代码无效（省级行政区划代码或 ISO 国家代码）")
        elif not isinstance(counts, dict):
            errs.add(where, "invalid_type", "类型不正确，应为对象")
        else:
            for extra in counts.keys() - set(names):
                errs.add(path(where, extra), "unknown_field", "不是该分项的统计指标")
            for name in names:
                integer(errs, counts, name, where)
