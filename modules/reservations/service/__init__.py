"""Inventory, availability and booking: the ONLY entry point other modules call.

The payments module reaches a reservation only through the listener `service.paying`
registers; the front desk calls `list_day`, `mark_checked_in`,
`mark_checked_out`, `list_units`, `set_unit_status`; the booking page calls
`search_availability`, `create_hold`, `get_reservation`, `find_by_code`. Services flush,
never commit: the caller's transaction (a request, a job) commits.

Errors: `Invalid` (422, field errors), `SoldOut`/`NotBookable`/`WrongStatus`/`Busy`
(409), `NotFound` (404). After a 409 from a booking call nothing was sold, but a `Busy`
one (a deadlock the database broke) leaves the transaction unusable: let it roll back.
"""

from app.actor import SYSTEM, Actor
from modules.reservations.domain import PaymentState, ReservationStatus, Source, UnitStatus
from modules.reservations.schemas import (
    Calendar,
    Cancellation,
    DayLists,
    GuestDetails,
    NightPrice,
    Offer,
    PayPage,
    RatePlanView,
    ReservationView,
    UnitTypeView,
    UnitView,
    VoyageView,
)
from modules.reservations.service.booking import Stay
from modules.reservations.service.calendar import calendar, set_calendar
from modules.reservations.service.errors import Busy, NotBookable, SoldOut, WrongStatus
from modules.reservations.service.extension import Extension, extend_stay
from modules.reservations.service.idempotency import replay_or_claim, run_once, store_answer
from modules.reservations.service.inventory import (
    RatePlanInput,
    create_rate_plan,
    create_unit,
    create_unit_type,
    create_voyage,
    get_unit_type,
    list_rate_plans,
    list_unit_types,
    list_units,
    list_voyages,
    rename_unit_type,
    set_unit_status,
)
from modules.reservations.service.lifecycle import (
    cancel,
    cancellation_preview,
    confirm,
    expire_holds,
    get_reservation,
    mark_checked_in,
    mark_checked_out,
    mark_no_show,
    modify,
    on_cancelled,
    set_payment_state,
)
from modules.reservations.service.paying import (
    RESERVATION,
    WrongBookingCode,
    cancel_and_refund,
    guest_card,
    guest_return,
    pay_page,
)
from modules.reservations.service.reading import find_by_code, list_day, search_reservations
from modules.reservations.service.selling import (
    book,
    create_hold,
    rate_plan_for,
    search_availability,
    sell,
    sell_once,
)
from modules.reservations.service.statistics import (
    DayCounts,
    Party,
    day_counts,
    missed_arrivals,
    parties,
)
from modules.reservations.service.views import china_today as today

__all__ = [
    "RESERVATION",
    "SYSTEM",
    "Actor",
    "Busy",
    "Calendar",
    "Cancellation",
    "DayCounts",
    "DayLists",
    "Extension",
    "GuestDetails",
    "NightPrice",
    "NotBookable",
    "Offer",
    "Party",
    "PayPage",
    "PaymentState",
    "RatePlanInput",
    "RatePlanView",
    "ReservationStatus",
    "ReservationView",
    "SoldOut",
    "Source",
    "Stay",
    "UnitStatus",
    "UnitTypeView",
    "UnitView",
    "VoyageView",
    "WrongBookingCode",
    "WrongStatus",
    "book",
    "calendar",
    "cancel",
    "cancel_and_refund",
    "cancellation_preview",
    "confirm",
    "create_hold",
    "create_rate_plan",
    "create_unit",
    "create_unit_type",
    "create_voyage",
    "day_counts",
    "expire_holds",
    "extend_stay",
    "find_by_code",
    "get_reservation",
    "get_unit_type",
    "guest_card",
    "guest_return",
    "list_day",
    "list_rate_plans",
    "list_unit_types",
    "list_units",
    "list_voyages",
    "mark_checked_in",
    "mark_checked_out",
    "mark_no_show",
    "missed_arrivals",
    "modify",
    "on_cancelled",
    "parties",
    "pay_page",
    "rate_plan_for",
    "rename_unit_type",
    "replay_or_claim",
    "run_once",
    "search_availability",
    "search_reservations",
    "sell",
    "sell_once",
    "set_calendar",
    "set_payment_state",
    "set_unit_status",
    "store_answer",
    "today",
]
