"""What the bureau accepts as a contract, amendment, cancellation, group or guide
assignment (PROTOCOL.md, Endpoints). Each function returns every problem of a body;
an empty list means valid. State-dependent answers (409s) are the bureau's business,
not these rules'.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from devtools.bureau.checks import (
    Errors,
    Json,
    array,
    choice,
    currency,
    day,
    integer,
    mapping,
    moment,
    path,
    person,
    text,
    text_list,
)

CONTRACT_TYPES = ("domestic_group", "outbound_group", "day_tour", "domestic_independent")
CONTRACT_FIELDS = frozenset(
    {
        "e_number",
        "contract_type",
        "signed_at",
        "agency_licence_no",
        "tourist_count",
        "lead_tourist",
        "tourists",
        "itinerary",
        "price_total_fen",
        "currency",
        "guide_licence_nos",
        "insurance",
    }
)
# An e-number travels in the amendment and cancellation paths, so it is kept path-safe.
E_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def contract_errors(body: Json, prefix: str = "") -> Errors:
    errs = Errors()
    e_number = text(errs, body, "e_number", prefix, max_len=64)
    if e_number is not None and not E_NUMBER.match(e_number):
        errs.add(
            path(prefix, "e_number"),
            "invalid_format",
            "电子合同号只能包含字母、数字、点、下划线和连字符",
        )
    choice(errs, body, "contract_type", CONTRACT_TYPES, prefix)
    moment(errs, body, "signed_at", prefix)
    text(errs, body, "agency_licence_no", prefix, max_len=64)
    _tourists(errs, body, prefix)
    _itinerary(errs, body, prefix)
    integer(errs, body, "price_total_fen", prefix)
    currency(errs, body, "currency", prefix)
    if "guide_licence_nos" in body:
        text_list(errs, body, "guide_licence_nos", prefix)
    insurance = mapping(errs, body, "insurance", prefix, required=False)
    if insurance is not None:
        where = path(prefix, "insurance")
        text(errs, insurance, "insurer", where, max_len=100)
        text(errs, insurance, "policy_no", where, max_len=64)
    return errs


def _tourists(errs: Errors, body: Json, prefix: str) -> None:
    """tourist_count == len(tourists), and the list includes the lead tourist."""
    count = integer(errs, body, "tourist_count", prefix, minimum=1)
    lead_where, lead = path(prefix, "lead_tourist"), None
    if body.get("lead_tourist") is None:
        errs.add(lead_where, "required", "缺少必填字段")
    else:
        lead = person(errs, body["lead_tourist"], lead_where)
    tourists = array(errs, body, "tourists", prefix, min_items=1)
    if tourists is None:
        return
    where = path(prefix, "tourists")
    ids = [person(errs, t, path(where, i)) for i, t in enumerate(tourists)]
    if count is not None and count != len(tourists):
        errs.add(
            path(prefix, "tourist_count"),
            "mismatch",
            f"游客人数应等于游客名单人数（{len(tourists)}）",
        )
    if lead is not None and None not in ids and lead not in ids:
        errs.add(where, "lead_not_included", "游客名单应包含领队游客（lead_tourist）")


def _itinerary(errs: Errors, body: Json, prefix: str) -> None:
    """end_date >= start_date and days == end_date - start_date + 1."""
    trip = mapping(errs, body, "itinerary", prefix)
    if trip is None:
        return
    where = path(prefix, "itinerary")
    start, end = day(errs, trip, "start_date", where), day(errs, trip, "end_date", where)
    days = integer(errs, trip, "days", where, minimum=1)
    nights = integer(errs, trip, "nights", where)
    text(errs, trip, "departure", where, max_len=100)
    text_list(errs, trip, "destinations", where, min_items=1)
    if start and end and _order(errs, start, end, path(where, "end_date")) and days is not None:
        expected = (end - start).days + 1
        if days != expected:
            errs.add(
                path(where, "days"), "mismatch", f"行程天数应为{expected}天（结束日期−开始日期+1）"
            )
    if days is not None and nights is not None and nights > days:
        errs.add(path(where, "nights"), "out_of_range", "夜数不能多于天数")


def _order(errs: Errors, start: date, end: date, where: str) -> bool:
    if end < start:
        errs.add(where, "date_order", "结束日期不能早于开始日期")
        return False
    return True


def amendment_errors(body: Json) -> Errors:
    """The amendment's own fields; the changed contract is checked by the bureau, which
    knows the contract being changed (`changed_contract_errors`)."""
    errs = Errors()
    moment(errs, body, "amended_at")
    text(errs, body, "reason", max_len=500)
    changes = mapping(errs, body, "changes")
    if changes is not None and not changes:
        errs.add("changes", "required", "变更内容不能为空")
    for key in changes or {}:
        if key == "e_number":
            errs.add("changes.e_number", "immutable", "电子合同号不可变更")
        elif key not in CONTRACT_FIELDS:
            errs.add(f"changes.{key}", "unknown_field", "不是合同字段")
    return errs


def changed_contract_errors(contract: Json, changes: Json) -> Errors:
    """The contract as it would read after the change must still follow the contract rules."""
    return contract_errors({**contract, **changes}, prefix="changes")


def cancellation_errors(body: Json) -> Errors:
    errs = Errors()
    moment(errs, body, "cancelled_at")
    text(errs, body, "reason", max_len=500)
    integer(errs, body, "refund_fen")
    return errs


def group_errors(body: Json) -> Errors:
    errs = Errors()
    text(errs, body, "group_no", max_len=64)
    text_list(errs, body, "e_numbers", min_items=1)
    start, end = day(errs, body, "start_date"), day(errs, body, "end_date")
    ordered = bool(start and end and _order(errs, start, end, "end_date"))
    integer(errs, body, "tourist_count", minimum=1)
    for i, guide in enumerate(array(errs, body, "guides") or []):
        if _is_object(errs, guide, path("guides", i)):
            text(errs, guide, "licence_no", path("guides", i), max_len=64)
            text(errs, guide, "name", path("guides", i), max_len=64)
    for i, vehicle in enumerate(array(errs, body, "vehicles", required=False) or []):
        where = path("vehicles", i)
        if _is_object(errs, vehicle, where):
            text(errs, vehicle, "plate_no", where, max_len=16)
            integer(errs, vehicle, "seats", where, minimum=1)
            text(errs, vehicle, "driver_name", where, max_len=64)
    for i, plan in enumerate(array(errs, body, "days", min_items=1) or []):
        where = path("days", i)
        if not _is_object(errs, plan, where):
            continue
        when = day(errs, plan, "date", where)
        text_list(errs, plan, "places", where, min_items=1)
        text(errs, plan, "hotel", where, required=False, max_len=100)
        if when and ordered and start and end and not start <= when <= end:
            errs.add(path(where, "date"), "out_of_range", "日程日期应在团队行程起止日期之内")
    return errs


def guide_assignment_errors(body: Json) -> Errors:
    errs = Errors()
    text(errs, body, "group_no", max_len=64)
    text(errs, body, "licence_no", max_len=64)
    start, end = day(errs, body, "from_date"), day(errs, body, "to_date")
    if start and end:
        _order(errs, start, end, "to_date")
    return errs


def _is_object(errs: Errors, value: Any, where: str) -> bool:
    if not isinstance(value, dict):
        errs.add(where, "invalid_type", "类型不正确，应为对象")
        return False
    return True
