"""Views and console forms of the cashier and outlet reports: a shift's money (expected against
counted cash, totals by method), outlets' takings for a period (by item), the day's charges and
what each concession is owed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated

from app.web.input import Cleaned, Text
from modules.keytags.domain import TenderKind, TenderMethod
from modules.keytags.models import Shift
from modules.keytags.repository.reports import ChargeRow, ItemRow, OutletRow

# Money that comes in to the drawer, and money that goes out of it.
IN_KINDS = (TenderKind.DEPOSIT, TenderKind.PAYMENT, TenderKind.TOPUP)
OUT_KINDS = (TenderKind.DEPOSIT_RETURN, TenderKind.REFUND)


@dataclass(frozen=True, slots=True)
class MethodTotal:
    """One method's money in a shift: taken, given back, and the net."""

    method: str
    count: int
    taken_fen: int
    returned_fen: int

    @property
    def label(self) -> str:
        return TenderMethod.labels().get(self.method, self.method)

    @property
    def net_fen(self) -> int:
        return self.taken_fen - self.returned_fen


@dataclass(frozen=True, slots=True)
class ShiftReport:
    """A shift's cash: float + cash taken − cash given back = expected; counted − expected is
    over (positive) or short (negative) once the shift is closed."""

    shift: Shift
    user_name: str
    outlet_name: str | None
    methods: list[MethodTotal]
    # An outlet's shift: the outlet's charges and voids recorded while it was open.
    outlet_takings: OutletRow | None = None

    @property
    def is_open(self) -> bool:
        return self.shift.closed_at is None

    def _method(self, method: str) -> MethodTotal:
        for m in self.methods:
            if m.method == method:
                return m
        return MethodTotal(method, 0, 0, 0)

    @property
    def cash(self) -> MethodTotal:
        return self._method(TenderMethod.CASH)

    @property
    def cash_in_fen(self) -> int:
        return self.cash.taken_fen

    @property
    def cash_out_fen(self) -> int:
        return self.cash.returned_fen

    @property
    def expected_cash_fen(self) -> int:
        return self.shift.opening_float_fen + self.cash.net_fen

    @property
    def counted_cash_fen(self) -> int | None:
        return self.shift.counted_cash_fen

    @property
    def difference_fen(self) -> int | None:
        """Counted − expected (over > 0, short < 0); None while open."""
        if self.shift.counted_cash_fen is None or self.shift.expected_cash_fen is None:
            return None
        return self.shift.counted_cash_fen - self.shift.expected_cash_fen

    @property
    def other_methods(self) -> list[MethodTotal]:
        return [m for m in self.methods if m.method != TenderMethod.CASH]

    @property
    def tenders(self) -> int:
        return sum(m.count for m in self.methods)


@dataclass(frozen=True, slots=True)
class Period:
    """Local dates [first, last], both included, and their instants [start_at, end_at)."""

    first: date
    last: date
    start_at: datetime
    end_at: datetime

    @property
    def one_day(self) -> bool:
        return self.first == self.last

    @property
    def slug(self) -> str:
        return self.first.isoformat() if self.one_day else f"{self.first}_{self.last}"


@dataclass(frozen=True, slots=True)
class OutletTakings:
    outlet: OutletRow
    items: list[ItemRow]


@dataclass(frozen=True, slots=True)
class OutletReport:
    period: Period
    outlets: list[OutletTakings]

    @property
    def charges(self) -> int:
        return sum(o.outlet.charges for o in self.outlets)

    @property
    def gross_fen(self) -> int:
        return sum(o.outlet.gross_fen for o in self.outlets)

    @property
    def voids_fen(self) -> int:
        return sum(o.outlet.voids_fen for o in self.outlets)

    @property
    def net_fen(self) -> int:
        return sum(o.outlet.net_fen for o in self.outlets)


@dataclass(frozen=True, slots=True)
class Concession:
    """A concession outlet's takings (net charges), the resort's commission and what the
    concessionaire is owed."""

    outlet: OutletRow
    commission_fen: int

    @property
    def takings_fen(self) -> int:
        return self.outlet.net_fen

    @property
    def owed_fen(self) -> int:
        return self.takings_fen - self.commission_fen


@dataclass(frozen=True, slots=True)
class ConcessionReport:
    period: Period
    concessions: list[Concession]

    @property
    def takings_fen(self) -> int:
        return sum(c.takings_fen for c in self.concessions)

    @property
    def commission_fen(self) -> int:
        return sum(c.commission_fen for c in self.concessions)

    @property
    def owed_fen(self) -> int:
        return sum(c.owed_fen for c in self.concessions)


@dataclass(frozen=True, slots=True)
class OutletDay:
    outlet_id: uuid.UUID | None
    name: str
    charges: list[ChargeRow] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return sum(c.amount_fen for c in self.charges)


@dataclass(frozen=True, slots=True)
class DayCharges:
    day: date
    outlets: list[OutletDay]
    truncated: bool

    @property
    def total_fen(self) -> int:
        return sum(o.total_fen for o in self.outlets)


@dataclass
class OpenShiftForm(Cleaned):
    opening_float: Annotated[str, Text(16)] = ""
    outlet: Annotated[str, Text(40)] = ""  # an outlet's id, or empty for the desk


@dataclass
class CloseShiftForm(Cleaned):
    counted: Annotated[str, Text(16)] = ""
    note: Annotated[str, Text(200)] = ""
