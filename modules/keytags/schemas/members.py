"""Views and console forms of members with a prepaid card (储值卡), and their statuses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from app.enums import LabelledEnum
from app.i18n import gettext
from app.web.input import Cleaned, Text
from modules.keytags.domain import DESK_METHODS
from modules.keytags.schemas.setup import Errors


class MemberStatus(LabelledEnum):
    ACTIVE = "active", "Active"
    LOST = "lost", "Reported lost"
    CLOSED = "closed", "Closed"


class MemberEntryKind(LabelledEnum):
    TOPUP = "topup", "Top-up"
    SPEND = "spend", "Spent"
    REFUND = "refund", "Refund"
    ADJUST = "adjust", "Adjustment"


CARD_NO = re.compile(r"[0-9A-Za-z\-]{4,20}", re.ASCII)
PHONE = re.compile(r"\+?[0-9\- ]{5,20}", re.ASCII)
MAX_TOPUP_FEN = 10_000_000  # ¥100,000 at one go
TOPUP_METHODS = tuple(m.value for m in DESK_METHODS)


def _card(e: Errors, field: str, text: str) -> str:
    card = text.strip().upper()
    if not CARD_NO.fullmatch(card):
        e.add(field, gettext("A card number is 4 to 20 letters, digits or -."))
    return card


@dataclass
class MemberForm(Cleaned):
    card_no: Annotated[str, Text(20)] = ""
    name: Annotated[str, Text(60)] = ""
    phone: Annotated[str, Text(20)] = ""
    level: Annotated[str, Text(20)] = ""

    def parse(self) -> tuple[str, str, str, str]:
        e = Errors()
        card = _card(e, "card_no", self.card_no)
        name = e.required("name", self.name)
        phone = self.phone.strip()
        if phone and not PHONE.fullmatch(phone):
            e.add("phone", gettext("Enter a phone number in digits."))
        e.check()
        return card, name, phone, self.level.strip()


@dataclass
class TopUpForm(Cleaned):
    amount: Annotated[str, Text(16)] = ""
    method: Annotated[str, Text(8)] = "cash"
    reference: Annotated[str, Text(80)] = ""

    def parse(self) -> tuple[int, str, str]:
        e = Errors()
        amount = e.fen("amount", self.amount, positive=True)
        if amount > MAX_TOPUP_FEN:
            e.add("amount", gettext("At most ¥100,000.00 at one go."))
        method = e.choice("method", self.method, TOPUP_METHODS)
        e.check()
        return amount, method, self.reference.strip()


@dataclass
class LostCardForm(Cleaned):
    new_card_no: Annotated[str, Text(20)] = ""
    note: Annotated[str, Text(200)] = ""

    def parse(self) -> tuple[str, str]:
        e = Errors()
        card = _card(e, "new_card_no", self.new_card_no)
        e.check()
        return card, self.note.strip()


@dataclass
class MemberSearch(Cleaned):
    q: Annotated[str, Text(20)] = ""
