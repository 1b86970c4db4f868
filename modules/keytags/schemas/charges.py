"""Charges on a tag: the outlet API's bodies and answers (a sale, a void, the tag look-up, an
offline reader's batch), and the forms of the POS page and the conflicts page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from app.errors import Invalid
from app.web.input import Cleaned, Text, read_int
from modules.keytags.service.charges import (
    MAX_DEVICE_SEQ,
    MAX_ITEMS,
    MAX_QTY,
    ChargeResult,
    ItemQty,
    TagLookup,
    VoidResult,
)
from modules.keytags.service.offline import BatchEntry, QueuedCharge


def _seq(value: int) -> None:
    if isinstance(value, bool) or not 0 <= value <= MAX_DEVICE_SEQ:
        raise Invalid.field("device_seq", "A device sequence number is a whole number from 0.")


def _aware(field: str, value: datetime | None) -> None:
    if value is not None and value.tzinfo is None:
        raise Invalid.field(field, "Give the time with its UTC offset.")


@dataclass
class ItemIn(Cleaned):
    """An item of the outlet's price list by its code; `qty` pieces, uses or hours."""

    code: Annotated[str, Text(20)]
    qty: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.qty, bool) or not 1 <= self.qty <= MAX_QTY:
            raise Invalid.field("qty", "A quantity is a whole number from 1 to 999.")
        if not self.code:
            raise Invalid.field("code", "Name an item of the price list.")


def _items(items: list[ItemIn]) -> None:
    if not items:
        raise Invalid.field("items", "Choose at least one item.")
    if len(items) > MAX_ITEMS:
        raise Invalid.field("items", "At most 50 items in one charge.")


@dataclass
class ChargeIn(Cleaned):
    """One sale on a tag. `device_seq` grows with every sale of the device: sending the same
    (device_id, device_seq) again answers the first charge and applies nothing."""

    tag: Annotated[str, Text(32)]
    device_id: Annotated[str, Text(64)]
    device_seq: int
    items: list[ItemIn]
    occurred_at: datetime | None = None  # the device's time; the server's when missing

    def __post_init__(self) -> None:
        super().__post_init__()
        _seq(self.device_seq)
        _items(self.items)
        _aware("occurred_at", self.occurred_at)
        if not self.device_id:
            raise Invalid.field("device_id", "Name the device (at most 64 characters).")
        if not self.tag:
            raise Invalid.field("tag", "Scan a key tag.")

    def wanted(self) -> list[ItemQty]:
        return [ItemQty(item.code, item.qty) for item in self.items]


@dataclass(frozen=True, slots=True)
class LineOut:
    code: str
    name: str
    unit: str
    qty: int
    unit_price_fen: int
    amount_fen: int


@dataclass(frozen=True, slots=True)
class ChargeOut:
    """The answer to a sale: `tab_fen` the guest's running total, `remaining_fen` what is
    left of `limit_fen`; `replayed` true when this repeats the first answer to the same
    (device_id, device_seq)."""

    charge_id: uuid.UUID
    visit_number: str
    guest_name: str
    amount_fen: int
    tab_fen: int
    limit_fen: int
    remaining_fen: int
    lines: list[LineOut]
    occurred_at: datetime
    replayed: bool

    @classmethod
    def of(cls, result: ChargeResult) -> ChargeOut:
        return cls(
            charge_id=result.charge_id,
            visit_number=result.visit_number,
            guest_name=result.guest_name,
            amount_fen=result.amount_fen,
            tab_fen=result.tab_fen,
            limit_fen=result.limit_fen,
            remaining_fen=result.remaining_fen,
            lines=[
                LineOut(
                    str(line["code"]),
                    str(line["name"]),
                    str(line["unit"]),
                    int(line["qty"]),
                    int(line["unit_price_fen"]),
                    int(line["amount_fen"]),
                )
                for line in result.lines
            ],
            occurred_at=result.occurred_at,
            replayed=result.replayed,
        )


@dataclass(frozen=True, slots=True)
class TagOut:
    """A tag as the POS shows it: `status` open (chargeable), blocked, closed or unknown."""

    uid: str
    status: str
    visit_number: str
    guest_name: str
    tab_fen: int
    limit_fen: int
    remaining_fen: int

    @classmethod
    def of(cls, found: TagLookup) -> TagOut:
        return cls(
            found.uid,
            found.status,
            found.visit_number,
            found.guest_name,
            found.tab_fen,
            found.limit_fen,
            found.remaining_fen,
        )


@dataclass
class VoidIn(Cleaned):
    reason: Annotated[str, Text(200)] = ""


@dataclass(frozen=True, slots=True)
class VoidOut:
    void_id: uuid.UUID
    charge_id: uuid.UUID
    visit_number: str
    amount_fen: int
    tab_fen: int
    limit_fen: int
    remaining_fen: int

    @classmethod
    def of(cls, result: VoidResult) -> VoidOut:
        return cls(
            result.void_id,
            result.charge_id,
            result.visit_number,
            result.amount_fen,
            result.tab_fen,
            result.limit_fen,
            max(0, result.limit_fen - result.tab_fen),
        )


@dataclass
class QueuedChargeIn(Cleaned):
    """A sale the reader made while offline: its own sequence number and time."""

    device_seq: int
    tag: Annotated[str, Text(32)]
    items: list[ItemIn]
    occurred_at: datetime

    def __post_init__(self) -> None:
        super().__post_init__()
        _seq(self.device_seq)
        _items(self.items)
        _aware("occurred_at", self.occurred_at)

    def queued(self) -> QueuedCharge:
        return QueuedCharge(
            device_seq=self.device_seq,
            tag_uid=self.tag,
            items=[ItemQty(item.code, item.qty) for item in self.items],
            occurred_at=self.occurred_at,
        )


@dataclass
class ChargeBatchIn(Cleaned):
    """A reader's queued sales (at most 500 a batch; sent again as they are when the answer
    was lost: a batch applies once)."""

    device_id: Annotated[str, Text(64)]
    charges: list[QueuedChargeIn]

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.device_id:
            raise Invalid.field("device_id", "Name the device (at most 64 characters).")
        if len(self.charges) > 500:
            raise Invalid.field("charges", "At most 500 charges in one batch.")


@dataclass(frozen=True, slots=True)
class BatchEntryOut:
    """`outcome`: applied, duplicate (applied or recorded before), conflict (recorded for the
    cashier: `reason` limit, blocked, closed, unknown) or rejected (`reason` unknown_item or
    device_seq_reused: not recorded, fix the reader)."""

    device_seq: int
    outcome: str
    reason: str | None
    charge_id: uuid.UUID | None
    conflict_id: uuid.UUID | None
    amount_fen: int

    @classmethod
    def of(cls, entry: BatchEntry) -> BatchEntryOut:
        return cls(
            entry.device_seq,
            entry.outcome,
            entry.reason,
            entry.charge_id,
            entry.conflict_id,
            entry.amount_fen,
        )


@dataclass(frozen=True, slots=True)
class ChargeBatchOut:
    device_id: str
    applied: int
    duplicates: int
    conflicts: int
    rejected: int
    results: list[BatchEntryOut]


# ---- console forms ----


@dataclass
class PosChargeForm(Cleaned):
    """The POS page's charge: the tag, the chosen items as `code:qty` pairs, the form's
    token (its device id on the server) so a double tap charges once."""

    tag: Annotated[str, Text(32)] = ""
    items: Annotated[str, Text(1000)] = ""
    token: Annotated[str, Text(64)] = ""

    def wanted(self) -> list[ItemQty]:
        wanted: list[ItemQty] = []
        for part in self.items.split(","):
            code, _sep, qty = part.strip().partition(":")
            if not code:
                continue
            number = read_int(qty or "1", minimum=1, maximum=MAX_QTY)
            if number is None:
                raise Invalid.field("items", "A quantity is a whole number from 1 to 999.")
            wanted.append(ItemQty(code.strip()[:20], number))
        if not wanted:
            raise Invalid.field("items", "Choose at least one item.")
        return wanted


@dataclass
class PosTagForm(Cleaned):
    tag: Annotated[str, Text(32)] = ""


@dataclass
class ResolveConflictForm(Cleaned):
    note: Annotated[str, Text(200)] = ""
    visit_number: Annotated[str, Text(20)] = ""
