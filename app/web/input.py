"""The kernel's rule for what people and machines type, so no odd input reaches a 500.

- Text: control characters (NUL included) are refused everywhere; tab and line breaks only
  in multi-line fields. Surrounding whitespace is trimmed. Every field has a maximum
  length: the one it declares (`Annotated[str, Text(100)]`) or `DEFAULT_MAX_LENGTH`.
  Request dataclasses inherit `Cleaned`, whose `__post_init__` applies the rule to every
  text field, declared or not, so no field can be forgotten.
- `screen` (run by the request pipeline, app/web/pipeline.py) refuses control characters
  and over-long values in every query parameter, form field and JSON string before any
  handler reads them, also where a route reads `request.form()` itself.
- Numbers, money and dates: `parse_int`, `parse_fen`, `parse_date` accept ASCII digits only
  (`"²".isdigit()` is true and `int("²")` fails; `int("١٢")` is 12).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from functools import cache
from typing import Annotated, Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.types import Scope

from app.errors import Invalid
from app.i18n import gettext

__all__ = [
    "DEFAULT_MAX_LENGTH",
    "LONG_TEXT",
    "MAX_ANY_TEXT",
    "Cleaned",
    "Line",
    "Paragraph",
    "Secret",
    "Text",
    "clean_text",
    "needs_screen",
    "parse_date",
    "parse_fen",
    "parse_int",
    "read_date",
    "read_fen",
    "read_int",
    "screen",
]

DEFAULT_MAX_LENGTH = 200  # templates/_partials/field.html shows the same default
LONG_TEXT = 2000
# The longest value any field may carry (long contract clauses); the screen refuses more.
MAX_ANY_TEXT = 8000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\r\u2028\u2029]")
_INT = re.compile(r"-?[0-9]{1,18}", re.ASCII)
_FEN = re.compile(r"(-?)([0-9]{1,12})(?:\.([0-9]{1,2}))?", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


@dataclass(frozen=True, slots=True)
class Text:
    """A text field's rule: `name: Annotated[str, Text(100)] = ""`."""

    max_length: int = DEFAULT_MAX_LENGTH
    multiline: bool = False
    strip: bool = True


Line = Annotated[str, Text()]
Paragraph = Annotated[str, Text(LONG_TEXT, multiline=True)]
Secret = Annotated[str, Text(strip=False)]  # passwords and tokens: kept as typed


class FieldError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _too_long(max_length: int) -> str:
    return gettext("Use at most %(n)s characters.", n=max_length)


def clean_text(value: str, rule: Text = Text()) -> str:
    """The value trimmed, or a `FieldError` saying why it cannot be kept."""
    if _CONTROL.search(value) or (not rule.multiline and _LINE_BREAKS.search(value.strip())):
        raise FieldError(gettext("Remove control characters and line breaks."))
    if rule.strip:
        value = value.strip()
    if len(value) > rule.max_length:
        raise FieldError(_too_long(rule.max_length))
    return value


@cache
def _rules(cls: type) -> dict[str, Text]:
    """Each dataclass field's text rule: the declared one, else the default."""
    hints = typing.get_type_hints(cls, include_extras=True)
    found = {}
    for f in fields(cls):
        metadata = getattr(hints.get(f.name), "__metadata__", ())
        declared = [m for m in metadata if isinstance(m, Text)]
        found[f.name] = declared[0] if declared else Text()
    return found


class Cleaned:
    """Base of request dataclasses (forms and API bodies): every text field is checked and
    trimmed when the body is decoded; a refusal is a 422 naming the field."""

    def __post_init__(self) -> None:
        errors: list[dict[str, Any]] = []
        for name, rule in _rules(type(self)).items():  # type: ignore[arg-type]
            value = getattr(self, name)
            try:
                if isinstance(value, str):
                    cleaned: Any = clean_text(value, rule)
                elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
                    cleaned = type(value)(clean_text(v, rule) for v in value)
                else:
                    continue
            except FieldError as e:
                errors.append({"field": name, "code": "invalid", "message": e.message})
                continue
            object.__setattr__(self, name, cleaned)
        if errors:
            raise Invalid(errors=errors)


# Numbers, money, dates -------------------------------------------------------------------


def read_int(
    text: str | None, *, minimum: int | None = None, maximum: int | None = None
) -> int | None:
    """An integer of ASCII digits within bounds, else None (blank is None too)."""
    cleaned = (text or "").strip()
    if not _INT.fullmatch(cleaned):
        return None
    number = int(cleaned)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        return None
    return number


def parse_int(
    text: str | None,
    field: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    default: int | None = None,
) -> int:
    """`read_int`, refusing with a field error; a blank gives `default` when there is one."""
    if default is not None and not (text or "").strip():
        return default
    number = read_int(text, minimum=minimum, maximum=maximum)
    if number is None:
        if minimum is not None and maximum is not None:
            message = gettext(
                "Enter a whole number from %(low)s to %(high)s.", low=minimum, high=maximum
            )
        else:
            message = gettext("Enter a whole number.")
        raise Invalid.field(field, message)
    return number


def read_fen(text: str | None, *, negative: bool = False, maximum: int = 10**13) -> int | None:
    """Fen from yuan typed as text ("12", "12.3", "¥1,234.56"), digits split as text (never
    a float); None when it is not money."""
    cleaned = re.sub(r"[\s¥￥,，元]", "", text or "")
    match = _FEN.fullmatch(cleaned)
    if not match:
        return None
    sign, whole, frac = match.groups()
    if sign and not negative:
        return None
    fen = int(whole) * 100 + int((frac or "0").ljust(2, "0"))
    if fen > maximum:
        return None
    return -fen if sign else fen


def parse_fen(text: str | None, field: str, *, negative: bool = False) -> int:
    fen = read_fen(text, negative=negative)
    if fen is None:
        raise Invalid.field(field, gettext("Enter an amount in yuan, such as 688 or 688.50."))
    return fen


def read_date(text: str | None) -> date | None:
    """A date written YYYY-MM-DD in ASCII digits, else None."""
    cleaned = (text or "").strip()
    if not _DATE.fullmatch(cleaned):
        return None
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        return None


def parse_date(text: str | None, field: str) -> date:
    found = read_date(text)
    if found is None:
        raise Invalid.field(field, gettext("Enter a date as 2026-12-24."))
    return found


# The screen ------------------------------------------------------------------------------


def _problems(items: Iterable[tuple[str, Any]], limit: int) -> list[dict[str, Any]]:
    errors = []
    for key, value in items:
        if not isinstance(value, str):
            continue
        if _CONTROL.search(value) or _CONTROL.search(key):
            message = gettext("Remove control characters and line breaks.")
        elif len(value) > limit:
            message = _too_long(limit)
        else:
            continue
        errors.append({"field": key, "code": "invalid", "message": message})
    return errors


def _json_strings(value: Any, path: str = "") -> Iterable[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _json_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path or "body", value


_BODYLESS = ("GET", "HEAD", "OPTIONS", "DELETE")


def needs_screen(scope: Scope) -> bool:
    """Whether the request carries anything to screen: a query string or a body."""
    return bool(scope.get("query_string")) or scope.get("method") not in _BODYLESS


async def screen(request: Request[Any, Any, Any]) -> None:
    """Refuse control characters and over-long values in any input (422). Run by the
    request pipeline (app/web/pipeline.py) before any handler reads the input."""
    items: list[tuple[str, Any]] = list(request.query_params.multi_items())
    if request.method not in _BODYLESS:
        content_type = request.content_type[0]
        if content_type in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
            items += list((await request.form()).multi_items())
        elif content_type == RequestEncodingType.JSON:
            try:
                body = await request.json()
            except Exception:  # the handler's decoding answers malformed JSON with a 400
                body = None
            items += list(_json_strings(body))
    errors = _problems(items, MAX_ANY_TEXT)
    if errors:
        raise Invalid(errors=errors)
