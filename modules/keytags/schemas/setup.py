"""Views and console forms of the resort's set-up: locker sections and lockers, tag stock,
outlets and their price lists, the key-tag rules. Each form's `parse()` gives typed values
or refuses with every field's message at once."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from typing import Annotated

from app.errors import Invalid
from app.i18n import gettext
from app.web.input import Cleaned, Text, read_fen, read_int
from modules.keytags.domain import OutletKind, PriceUnit, SectionKind, TagKind
from modules.keytags.models import KeyTag

CODE = re.compile(r"[A-Z0-9][A-Z0-9_\-]{0,19}", re.ASCII)
LOCKER_PREFIX = re.compile(r"[A-Z0-9\-]{0,4}", re.ASCII)
TAG_UID = re.compile(r"[0-9A-Za-z]{4,32}", re.ASCII)
MAX_LOCKERS_AT_ONCE = 500
MAX_TAGS_AT_ONCE = 500


class Errors:
    """Field messages collected while reading a form; `check()` refuses with all of them."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append({"field": field, "code": "invalid", "message": message})

    def check(self) -> None:
        if self.items:
            raise Invalid(errors=self.items)

    def code(self, field: str, text: str, max_length: int = 20) -> str:
        value = text.strip().upper()
        if not CODE.fullmatch(value) or len(value) > max_length:
            self.add(field, gettext("Use capital letters, digits, - or _ (up to 20)."))
        return value

    def required(self, field: str, text: str) -> str:
        if not text.strip():
            self.add(field, gettext("This field is required."))
        return text.strip()

    def number(self, field: str, text: str, low: int, high: int) -> int:
        found = read_int(text, minimum=low, maximum=high)
        if found is None:
            self.add(
                field, gettext("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
            )
            return low
        return found

    def fen(self, field: str, text: str, *, positive: bool = False) -> int:
        found = read_fen(text)
        if found is None or (positive and found <= 0):
            self.add(field, gettext("Enter an amount in yuan, such as 688 or 688.50."))
            return 0
        return found

    def choice(self, field: str, text: str, allowed: tuple[str, ...]) -> str:
        if text not in allowed:
            self.add(field, gettext("Choose one from the list."))
        return text


# Views ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SectionOccupancy:
    """A changing room's lockers at a glance (the desk's occupancy board)."""

    section_id: uuid.UUID
    code: str
    name: str
    kind: str
    total: int
    free: int
    occupied: int
    out_of_order: int


@dataclass(frozen=True, slots=True)
class OutletView:
    id: uuid.UUID
    code: str
    name: str
    kind: str
    concession: bool
    concessionaire: str
    commission_bp: int
    active: bool
    items: int
    key_name: str | None  # the linked API key's name (never its secret)
    key_revoked: bool

    @property
    def commission_percent(self) -> str:
        return f"{self.commission_bp / 100:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class TagPage:
    tags: list[KeyTag]
    total: int
    counts: dict[str, int]
    page: int
    has_next: bool


# Forms ----------------------------------------------------------------------------------


@dataclass
class SectionForm(Cleaned):
    code: Annotated[str, Text(12)] = ""
    name: Annotated[str, Text(40)] = ""
    kind: Annotated[str, Text(8)] = "male"
    sort_order: Annotated[str, Text(4)] = "0"

    def parse(self) -> tuple[str, str, str, int]:
        e = Errors()
        code = e.code("code", self.code, 12)
        name = e.required("name", self.name)
        kind = e.choice("kind", self.kind, tuple(k.value for k in SectionKind))
        order = e.number("sort_order", self.sort_order or "0", 0, 999)
        e.check()
        return code, name, kind, order


@dataclass
class LockerRangeForm(Cleaned):
    """Lockers by a number range: prefix "M", from "001" to "120" gives M001 … M120."""

    prefix: Annotated[str, Text(4)] = ""
    first: Annotated[str, Text(6)] = ""
    last: Annotated[str, Text(6)] = ""

    def parse(self) -> list[str]:
        e = Errors()
        prefix = self.prefix.strip().upper()
        if not LOCKER_PREFIX.fullmatch(prefix):
            e.add("prefix", gettext("Use up to 4 capital letters, digits or -."))
        first = e.number("first", self.first, 0, 999999)
        last = e.number("last", self.last, 0, 999999)
        e.check()
        if last < first:
            e.add("last", gettext("The last number must not be below the first."))
        elif last - first + 1 > MAX_LOCKERS_AT_ONCE:
            e.add("last", gettext("At most %(n)s lockers at once.", n=MAX_LOCKERS_AT_ONCE))
        e.check()
        width = len(self.first.strip())
        return [f"{prefix}{n:0{width}d}" for n in range(first, last + 1)]


@dataclass
class TagsForm(Cleaned):
    """UIDs as a desk reader types them, one a line; a printed label may follow the UID."""

    uids: Annotated[str, Text(20000, multiline=True)] = ""
    kind: Annotated[str, Text(4)] = "rfid"

    def parse(self) -> tuple[str, list[tuple[str, str]]]:
        e = Errors()
        kind = e.choice("kind", self.kind, tuple(k.value for k in TagKind))
        found: dict[str, str] = {}
        bad: list[str] = []
        for line in self.uids.splitlines():
            parts = line.replace(",", " ").replace("\t", " ").split(maxsplit=1)
            if not parts:
                continue
            uid, label = parts[0], (parts[1].strip() if len(parts) > 1 else "")
            if not TAG_UID.fullmatch(uid) or len(label) > 20:
                bad.append(line.strip()[:40])
                continue
            found.setdefault(uid.upper(), label)
        if bad:
            e.add(
                "uids",
                gettext(
                    "A UID is 4 to 32 letters or digits (a label after it, up to 20): %(lines)s",
                    lines="; ".join(bad[:5]),
                ),
            )
        elif not found:
            e.add("uids", gettext("Scan or type at least one UID."))
        elif len(found) > MAX_TAGS_AT_ONCE:
            e.add("uids", gettext("At most %(n)s tags at once.", n=MAX_TAGS_AT_ONCE))
        e.check()
        return kind, list(found.items())


@dataclass
class OutletForm(Cleaned):
    code: Annotated[str, Text(20)] = ""
    name: Annotated[str, Text(40)] = ""
    kind: Annotated[str, Text(12)] = "restaurant"
    concession: Annotated[str, Text(4)] = ""
    concessionaire: Annotated[str, Text(100)] = ""
    commission_percent: Annotated[str, Text(8)] = ""
    sort_order: Annotated[str, Text(4)] = "0"

    def parse_edit(self) -> OutletInput:
        """The same fields, the code left out: it stays what POS systems know."""
        return replace(self, code="KEEP").parse()

    def parse(self) -> OutletInput:
        e = Errors()
        code = e.code("code", self.code)
        name = e.required("name", self.name)
        kind = e.choice("kind", self.kind, tuple(k.value for k in OutletKind))
        concession = bool(self.concession)
        bp = 0
        if concession:
            e.required("concessionaire", self.concessionaire)
            found = read_fen(self.commission_percent)
            if found is None or found > 10000:
                e.add(
                    "commission_percent", gettext("Enter a percentage from 0 to 100, such as 15.")
                )
            else:
                bp = found
        order = e.number("sort_order", self.sort_order or "0", 0, 999)
        e.check()
        return OutletInput(
            code=code,
            name=name,
            kind=kind,
            concession=concession,
            concessionaire=self.concessionaire.strip() if concession else "",
            commission_bp=bp,
            sort_order=order,
        )


@dataclass(frozen=True, slots=True)
class OutletInput:
    code: str
    name: str
    kind: str
    concession: bool = False
    concessionaire: str = ""
    commission_bp: int = 0
    sort_order: int = 0


@dataclass
class ItemForm(Cleaned):
    code: Annotated[str, Text(20)] = ""
    name: Annotated[str, Text(60)] = ""
    name_en: Annotated[str, Text(60)] = ""
    unit: Annotated[str, Text(5)] = "item"
    price: Annotated[str, Text(16)] = ""
    sort_order: Annotated[str, Text(4)] = "0"

    def parse(self) -> ItemInput:
        e = Errors()
        code = e.code("code", self.code)
        name = e.required("name", self.name)
        unit = e.choice("unit", self.unit, tuple(u.value for u in PriceUnit))
        price = e.fen("price", self.price, positive=True)
        order = e.number("sort_order", self.sort_order or "0", 0, 999)
        e.check()
        return ItemInput(code, name, self.name_en.strip(), unit, price, order)


@dataclass(frozen=True, slots=True)
class ItemInput:
    code: str
    name: str
    name_en: str
    unit: str
    price_fen: int
    sort_order: int = 0


@dataclass
class SettingsForm(Cleaned):
    lost_tag_fee: Annotated[str, Text(16)] = ""
    default_deposit: Annotated[str, Text(16)] = ""
    exit_window_minutes: Annotated[str, Text(4)] = ""
    outlet_void_minutes: Annotated[str, Text(4)] = ""

    def parse(self) -> dict[str, int]:
        e = Errors()
        values = {
            "lost_tag_fee_fen": e.fen("lost_tag_fee", self.lost_tag_fee),
            "default_deposit_fen": e.fen("default_deposit", self.default_deposit),
            "exit_window_minutes": e.number(
                "exit_window_minutes", self.exit_window_minutes, 1, 240
            ),
            "outlet_void_minutes": e.number(
                "outlet_void_minutes", self.outlet_void_minutes, 0, 1440
            ),
        }
        e.check()
        return values


@dataclass
class Toggle(Cleaned):
    """A switch posted by a button: `on` is "1" to switch on, anything else off."""

    value: Annotated[str, Text(4)] = ""

    @property
    def on(self) -> bool:
        return self.value == "1"


@dataclass
class StatusFilter(Cleaned):
    status: Annotated[str, Text(12)] = ""
    q: Annotated[str, Text(32)] = ""
