"""Pure rules of booking: nightly prices under a rate plan, deposits, cancellation fees,
stay restrictions, confirmation codes, masked ID numbers. No database, no clock: the
caller passes `now`, so every rule is tested without fixtures.

Money is integer fen; percentages are basis points (1% = 100 bp); a percentage of a
price is rounded half up to the fen.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app import clock
from app.enums import LabelledEnum
from app.i18n import gettext as _

CHINA = clock.zone(clock.DEFAULT_TZ)


class ReservationStatus(LabelledEnum):
    HELD = "held", "Held"
    CONFIRMED = "confirmed", "Confirmed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"
    NO_SHOW = "no_show", "No-show"
    CHECKED_IN = "checked_in", "Checked in"
    CHECKED_OUT = "checked_out", "Checked out"


# Reservations that occupy inventory.
ACTIVE = frozenset(
    {ReservationStatus.HELD, ReservationStatus.CONFIRMED, ReservationStatus.CHECKED_IN}
)
# What a guest may still pay for online, change or cancel.
OPEN = frozenset({ReservationStatus.HELD, ReservationStatus.CONFIRMED})


class PaymentState(LabelledEnum):
    UNPAID = "unpaid", "Unpaid"
    DEPOSIT_PAID = "deposit_paid", "Deposit paid"
    PAID = "paid", "Paid"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REFUNDED = "refunded", "Refunded"


class UnitStatus(LabelledEnum):
    CLEAN = "clean", "Clean"
    DIRTY = "dirty", "Dirty"
    INSPECTED = "inspected", "Inspected"
    OUT_OF_ORDER = "out_of_order", "Out of order"


class VoyageStatus(LabelledEnum):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class Source(LabelledEnum):
    DIRECT = "direct", "Direct"
    BOOKING_PAGE = "booking_page", "Booking page"
    FRONT_DESK = "front_desk", "Front desk"
    API = "api", "API"
    DISTRIBUTION = "distribution", "Distribution"


# Cancellation deadlines count back from this local time on the arrival day (hotel
# check-in time; cruise boarding is in the evening, so it is generous for cabins too).
ARRIVAL_TIME = time(14, 0)
MAX_NIGHTS = 30
# Confirmation codes: no 0/O, 1/I/L, so a code read over the phone is not misheard.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


@dataclass(frozen=True, slots=True)
class PlanTerms:
    """What a rate plan says about price, deposit and cancellation."""

    kind: str = "rack"
    discount_bp: int = 0
    net_price_fen: int | None = None
    free_cancel_hours: int = 24
    cancel_fee_kind: str = "first_night"  # none | first_night | percent | full
    cancel_fee_bp: int = 0
    deposit_kind: str = "none"  # none | first_night | percent | full
    deposit_bp: int = 0


@dataclass(frozen=True, slots=True)
class DayTerms:
    """One inventory date as the booking rules see it."""

    day: date
    total: int
    sold: int
    price_fen: int
    closed: bool = False
    closed_to_arrival: bool = False
    min_stay: int = 1

    @property
    def free(self) -> int:
        return 0 if self.closed else max(0, self.total - self.sold)


def percent_of(amount_fen: int, bp: int) -> int:
    """`bp` basis points of an amount, rounded half up to the fen."""
    return (amount_fen * bp + 5000) // 10000


def nights_between(arrival: date, departure: date) -> list[date]:
    return [arrival + timedelta(days=i) for i in range((departure - arrival).days)]


def night_price(rack_fen: int, plan: PlanTerms) -> int:
    """A distributor's net price is fixed; other plans take a percentage off rack."""
    if plan.net_price_fen is not None:
        return plan.net_price_fen
    return rack_fen - percent_of(rack_fen, plan.discount_bp)


def price_nights(racks: list[tuple[date, int]], plan: PlanTerms) -> list[tuple[date, int]]:
    """Each night's price for ONE unit under the plan."""
    return [(day, night_price(rack, plan)) for day, rack in racks]


def stay_total(nights: list[tuple[date, int]], quantity: int = 1) -> int:
    return sum(price for _, price in nights) * quantity


def _by_kind(kind: str, bp: int, nights: list[tuple[date, int]], quantity: int) -> int:
    total = stay_total(nights, quantity)
    if kind == "none" or not nights:
        return 0
    if kind == "first_night":
        return min(total, nights[0][1] * quantity)
    if kind == "percent":
        return percent_of(total, bp)
    return total


def deposit_due(plan: PlanTerms, nights: list[tuple[date, int]], quantity: int = 1) -> int:
    """What the guest pays when booking online; the rest is settled at the desk."""
    return _by_kind(plan.deposit_kind, plan.deposit_bp, nights, quantity)


def free_cancellation_until(plan: PlanTerms, arrival: date) -> datetime:
    """The last moment (aware, China time) a cancellation costs nothing."""
    start = datetime.combine(arrival, ARRIVAL_TIME, tzinfo=CHINA)
    return start - timedelta(hours=plan.free_cancel_hours)


def cancellation_fee(
    plan: PlanTerms,
    nights: list[tuple[date, int]],
    *,
    arrival: date,
    now: datetime,
    quantity: int = 1,
) -> int:
    """Nothing before the free-cancellation deadline; after it, the plan's fee
    (first night, a percentage of the stay, or all of it), never more than the stay."""
    if now <= free_cancellation_until(plan, arrival):
        return 0
    return _by_kind(plan.cancel_fee_kind, plan.cancel_fee_bp, nights, quantity)


def no_show_fee(plan: PlanTerms, nights: list[tuple[date, int]], quantity: int = 1) -> int:
    """A guest who never came pays what a late cancellation costs, and at least the first
    night (the unit was kept for them that night)."""
    late = _by_kind(plan.cancel_fee_kind, plan.cancel_fee_bp, nights, quantity)
    first = nights[0][1] * quantity if nights else 0
    return max(late, first)


def refundable(paid_fen: int, fee_fen: int) -> int:
    return max(0, paid_fen - fee_fen)


def payment_state(paid_fen: int, total_fen: int, refunded_fen: int = 0) -> str:
    """The booking's payment state from money in (net of refunds) and refunds made."""
    if refunded_fen > 0:
        return "refunded" if paid_fen <= 0 else "partially_refunded"
    if paid_fen <= 0:
        return "unpaid"
    return "paid" if paid_fen >= total_fen else "deposit_paid"


def stay_problem(
    days: list[DayTerms], *, arrival: date, departure: date, quantity: int = 1
) -> str | None:
    """Why these dates cannot be sold (a code), or None. `days` are the inventory rows
    found for the nights; a missing date is not for sale."""
    nights = nights_between(arrival, departure)
    if not nights:
        return "no_nights"
    if len(nights) > MAX_NIGHTS:
        return "too_long"
    found = {d.day: d for d in days}
    if any(n not in found for n in nights):
        return "not_for_sale"
    first = found[arrival]
    if first.closed_to_arrival:
        return "closed_to_arrival"
    if len(nights) < first.min_stay:
        return "min_stay"
    if any(found[n].free < quantity for n in nights):
        return "sold_out"
    return None


PROBLEM_MESSAGES = {
    "no_nights": "The departure must be after the arrival.",
    "too_long": "A booking can be at most 30 nights.",
    "not_for_sale": "These dates are not on sale yet.",
    "closed_to_arrival": "Arrivals are closed on this date.",
    "min_stay": "These dates need a longer stay.",
    "sold_out": "Sold out for these dates.",
}


def describe_cancellation(plan: PlanTerms, *, sailing: bool = False) -> str:
    """One sentence for guests, in the current language (a cruise cabin's speaks of the
    sailing and the fare, not of arrival and nights)."""
    if sailing:
        return _describe_sailing_cancellation(plan)
    fee = {
        "none": _("no fee"),
        "first_night": _("the first night is charged"),
        "percent": _("%(percent)s%% of the stay is charged", percent=_pct(plan.cancel_fee_bp)),
        "full": _("the full stay is charged"),
    }[plan.cancel_fee_kind]
    if plan.cancel_fee_kind == "none":
        return _("Free cancellation at any time.")
    if plan.free_cancel_hours == 0:
        return _("Free cancellation until arrival; after that %(fee)s.", fee=fee)
    return _(
        "Free cancellation until %(hours)s hours before arrival; after that %(fee)s.",
        hours=plan.free_cancel_hours,
        fee=fee,
    )


def _describe_sailing_cancellation(plan: PlanTerms) -> str:
    fee = {
        "none": _("no fee"),
        "first_night": _("the first night's fare is charged"),
        "percent": _("%(percent)s%% of the fare is charged", percent=_pct(plan.cancel_fee_bp)),
        "full": _("the full fare is charged"),
    }[plan.cancel_fee_kind]
    if plan.cancel_fee_kind == "none":
        return _("Free cancellation at any time.")
    if plan.free_cancel_hours == 0:
        return _("Free cancellation until sailing; after that %(fee)s.", fee=fee)
    return _(
        "Free cancellation until %(hours)s hours before sailing; after that %(fee)s.",
        hours=plan.free_cancel_hours,
        fee=fee,
    )


def _pct(bp: int) -> str:
    whole, rest = divmod(bp, 100)
    return f"{whole}" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0")


def new_code(rng: secrets.SystemRandom | None = None) -> str:
    """A confirmation code a guest can read out: `ZL` and 8 unambiguous characters."""
    pick = (rng or secrets.SystemRandom()).choice
    return "ZL" + "".join(pick(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def mask_id(number: str) -> str:
    """An ID number as staff lists show it: the region and the last four only."""
    number = number.strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def fits_party(capacity: int, quantity: int, adults: int, children: int) -> bool:
    return adults >= 1 and children >= 0 and adults + children <= capacity * quantity
