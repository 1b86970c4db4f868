"""The exit: the gate API's body and answer, and the exit desk's forms (scan a tag, pay)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from app.errors import Invalid
from app.i18n import gettext
from app.web.input import Cleaned, Text, read_fen
from modules.keytags.service import GateDirection, GateResult

MAX_UID = 32


@dataclass
class GateIn(Cleaned):
    """One tag read at a gate: its UID as the reader gives it, `in` (entry: the first pass
    starts the billing clock) or `out` (exit), and the gate's own name."""

    uid: Annotated[str, Text(MAX_UID)]
    direction: Annotated[str, Text(4)]
    device_id: Annotated[str, Text(64)]

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.uid:
            raise Invalid.field("uid", "Give the tag's UID as the reader reads it.")
        if GateDirection.parse(self.direction) is None:
            raise Invalid.field("direction", "Say in or out.")
        if not self.device_id:
            raise Invalid.field("device_id", "Name the gate (at most 64 characters).")


@dataclass(frozen=True, slots=True)
class GateOut:
    """The gate's answer: `open` true lets the guest through; else `reason` (unpaid,
    settle_again, unknown_tag, blocked, no_visit, settled) with `message` to show and, when
    unpaid, `due_fen` (fen) still to pay at the exit desk."""

    open: bool
    direction: str
    reason: str | None
    message: str
    visit_id: uuid.UUID | None
    visit_number: str
    due_fen: int
    at: datetime | None
    device_id: str

    @classmethod
    def of(cls, result: GateResult) -> GateOut:
        if result.reason is not None:
            message = gettext(result.reason.label)
        elif result.direction is GateDirection.IN:
            message = gettext("Welcome")
        else:
            message = gettext("Goodbye, see you again")
        return cls(
            open=result.opened,
            direction=result.direction.value,
            reason=result.reason.value if result.reason else None,
            message=message,
            visit_id=result.visit_id,
            visit_number=result.visit_number,
            due_fen=result.due_fen,
            at=result.at,
            device_id=result.device_id,
        )


@dataclass
class ScanForm(Cleaned):
    """The exit desk's scan box: the reader types the UID and Enter."""

    tag: Annotated[str, Text(64)] = ""


@dataclass
class PayForm(Cleaned):
    """The exit desk's pay form: the method, the cash handed over (for change), the method
    for what a card hold does not cover, and whether the party is paid together."""

    method: Annotated[str, Text(12)] = ""
    tendered: Annotated[str, Text(20)] = ""
    rest_method: Annotated[str, Text(12)] = ""
    party: Annotated[str, Text(5)] = ""

    def tendered_fen(self) -> int | None:
        if not self.tendered:
            return None
        fen = read_fen(self.tendered, maximum=10**9)
        if fen is None:
            raise Invalid.field("tendered", "Enter an amount in yuan, such as 688 or 688.50.")
        return fen

    def together(self) -> bool:
        return self.party in ("1", "on", "true")
