"""Field checks the bureau applies to every filing body, with its error shape.

Each check appends `{"field", "code", "message"}` to an `Errors` list and returns the
parsed value, or None when the value is missing or wrong, so one pass reports every
problem of a filing at once (the tenant corrects them all before re-filing). Messages
are the bureau's own, in Chinese. Written from PROTOCOL.md without the project's shared
identifier code, so that a wrong check digit rule on our side cannot hide here.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

Json = dict[str, Any]

ID_TYPES = ("resident_id", "passport", "hk_macau_permit", "taiwan_permit", "other")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DISTRICT = re.compile(r"^50\d{4}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_TYPE_NAMES = {str: "字符串", int: "整数", dict: "对象", list: "数组"}


class Errors(list[Json]):
    """The `errors` array of a 400 answer."""

    def add(self, field: str, code: str, message: str) -> None:
        self.append({"field": field, "code": code, "message": message})


def path(prefix: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else key


def typed(errs: Errors, obj: Json, key: str, kind: type, prefix: str, required: bool) -> Any:
    """The value under `key` when it has the JSON type `kind` (a bool is not an integer)."""
    where = path(prefix, key)
    if key not in obj or obj[key] is None:
        if required:
            errs.add(where, "required", "缺少必填字段")
        return None
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        errs.add(where, "invalid_type", f"类型不正确，应为{_TYPE_NAMES[kind]}")
        return None
    return value


def text(
    errs: Errors,
    obj: Json,
    key: str,
    prefix: str = "",
    *,
    required: bool = True,
    max_len: int = 200,
) -> str | None:
    value = typed(errs, obj, key, str, prefix, required)
    if value is None:
        return None
    if not value.strip():
        if required:
            errs.add(path(prefix, key), "required", "不能为空")
        return None
    if len(value) > max_len:
        errs.add(path(prefix, key), "too_long", f"长度不能超过{max_len}个字符")
        return None
    return value


def integer(
    errs: Errors,
    obj: Json,
    key: str,
    prefix: str = "",
    *,
    minimum: int = 0,
    maximum: int | None = None,
    required: bool = True,
) -> int | None:
    value = typed(errs, obj, key, int, prefix, required)
    if value is None:
        return None
    if value < minimum or (maximum is not None and value > maximum):
        limit = f"{minimum}～{maximum}" if maximum is not None else f"不小于{minimum}"
        errs.add(path(prefix, key), "out_of_range", f"数值超出范围（{limit}）")
        return None
    return value


def choice(
    errs: Errors, obj: Json, key: str, choices: tuple[str, ...], prefix: str = ""
) -> str | None:
    value = typed(errs, obj, key, str, prefix, True)
    if value is None:
        return None
    if value not in choices:
        errs.add(path(prefix, key), "invalid_choice", "取值无效，应为：" + "、".join(choices))
        return None
    return value


def day(errs: Errors, obj: Json, key: str, prefix: str = "", required: bool = True) -> date | None:
    value = typed(errs, obj, key, str, prefix, required)
    if value is None:
        return None
    parsed = parse_date(value)
    if parsed is None:
        errs.add(path(prefix, key), "invalid_format", "日期格式应为 YYYY-MM-DD")
    return parsed


def parse_date(value: str) -> date | None:
    if not _DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def moment(errs: Errors, obj: Json, key: str, prefix: str = "") -> datetime | None:
    """An RFC 3339 time with its offset (a time without offset is ambiguous: refused)."""
    value = typed(errs, obj, key, str, prefix, True)
    if value is None:
        return None
    if _RFC3339.match(value.upper()):
        try:
            return datetime.fromisoformat(value.upper())
        except ValueError:
            pass
    errs.add(path(prefix, key), "invalid_format", "时间格式应为带时区偏移的 RFC 3339")
    return None


def mapping(
    errs: Errors, obj: Json, key: str, prefix: str = "", required: bool = True
) -> Json | None:
    value: Json | None = typed(errs, obj, key, dict, prefix, required)
    return value


def array(
    errs: Errors,
    obj: Json,
    key: str,
    prefix: str = "",
    *,
    required: bool = True,
    min_items: int = 0,
) -> list[Any] | None:
    value: list[Any] | None = typed(errs, obj, key, list, prefix, required)
    if value is not None and len(value) < min_items:
        errs.add(path(prefix, key), "required", f"至少需要{min_items}项")
        return None
    return value


def text_list(
    errs: Errors, obj: Json, key: str, prefix: str = "", *, min_items: int = 0
) -> list[str]:
    items = array(errs, obj, key, prefix, min_items=min_items) or []
    where = path(prefix, key)
    good = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            errs.add(path(where, i), "invalid_type", "应为非空字符串")
        else:
            good.append(item)
    return good


def district(errs: Errors, body: Json) -> None:
    """Every POST names the district of registration; the bureau routes it to that
    district's sub-centre, so a code outside Chongqing (50xxxx) cannot be routed."""
    value = typed(errs, body, "district_code", str, "", True)
    if value is not None and not _DISTRICT.match(value):
        errs.add("district_code", "not_in_municipality", "区县代码应为重庆市行政区划代码（50xxxx）")


def currency(errs: Errors, obj: Json, key: str = "currency", prefix: str = "") -> None:
    value = typed(errs, obj, key, str, prefix, False)
    if value is not None and not _CURRENCY.match(value):
        errs.add(path(prefix, key), "invalid_format", "币种应为 ISO 4217 三位字母代码")


def person(errs: Errors, value: Any, where: str) -> tuple[str, str] | None:
    """A tourist: name and identity document. Returns (id_type, id_number) when valid."""
    if not isinstance(value, dict):
        errs.add(where, "invalid_type", "类型不正确，应为对象")
        return None
    before = len(errs)
    text(errs, value, "name", where, max_len=64)
    id_type = choice(errs, value, "id_type", ID_TYPES, where)
    id_number = text(errs, value, "id_number", where, max_len=32)
    text(errs, value, "phone", where, required=False, max_len=32)
    if id_type == "resident_id" and id_number is not None:
        problem = resident_id_problem(id_number)
        if problem:
            errs.add(path(where, "id_number"), problem[0], problem[1])
    if len(errs) > before or id_type is None or id_number is None:
        return None
    return id_type, id_number.upper()


def resident_id_problem(number: str) -> tuple[str, str] | None:
    """GB 11643-1999: 17 digits (6 region, 8 birth date, 3 sequence) and an ISO 7064
    MOD 11-2 check character."""
    number = number.upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return "invalid_format", "居民身份证号码应为18位（末位可为X）"
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "invalid_format", "居民身份证号码中的出生日期无效"
    if born.year < 1900 or born > date.today():
        return "invalid_format", "居民身份证号码中的出生日期无效"
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    if number[17] != _ID_CHECK[total % 11]:
        return "check_digit", "居民身份证号码校验码不正确"
    return None
