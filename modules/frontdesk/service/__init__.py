"""The front desk's behaviour: the ONLY entry point other modules call.

Split by topic (stays, folio, settlement, housekeeping, booking page, documents); every
public name is re-exported here. Other modules use `post_charge`, `folio` and
`current_stay_for_unit`; the bureau's monthly hotel statistics use `month_figures`."""

from app.actor import SYSTEM, Actor
from modules.frontdesk.schemas import (
    AuditResult,
    DailyFiguresView,
    DeskDay,
    FolioLineView,
    FolioView,
    HousekeepingBoard,
    HousekeepingTile,
    MonthFigures,
    MonthReport,
    StayPage,
    StayView,
)
from modules.frontdesk.service.audit import (
    audit_days_due,
    daily_figures,
    run_night_audit,
)
from modules.frontdesk.service.booking import (
    ID_TYPE_LABELS,
    MAX_NIGHTS,
    PREFERENCE_LABELS,
    BookingQuery,
    booking_offer,
    booking_search,
    default_query,
    guest_details,
    hold_booking,
    parse_query,
    reservation_for_guest,
)
from modules.frontdesk.service.documents import (
    Issuer,
    booking_qr,
    confirmation_pdf,
    invoice_pdf,
    issuer_of,
)
from modules.frontdesk.service.extension import (
    Extended,
    extend_stay,
    extend_stay_as_asked,
    extension_alternatives,
    extension_departure,
)
from modules.frontdesk.service.folio import (
    folio,
    parse_amount,
    post_adjustment,
    post_charge,
    take_payment,
)
from modules.frontdesk.service.housekeeping import (
    housekeeping_board,
    housekeeping_tile,
    set_room_status,
)
from modules.frontdesk.service.reports import (
    month_csv,
    month_figures,
    month_report,
    parse_month,
)
from modules.frontdesk.service.settlement import (
    check_out,
)
from modules.frontdesk.service.stays import (
    CheckInOptions,
    check_in,
    check_in_options,
    current_stay_for_unit,
    desk_day,
    find_booking,
    get_stay,
    move_room,
    stay_for_reservation,
    stay_page,
)

__all__ = [
    "ID_TYPE_LABELS",
    "MAX_NIGHTS",
    "PREFERENCE_LABELS",
    "SYSTEM",
    "Actor",
    "AuditResult",
    "BookingQuery",
    "CheckInOptions",
    "DailyFiguresView",
    "DeskDay",
    "Extended",
    "FolioLineView",
    "FolioView",
    "HousekeepingBoard",
    "HousekeepingTile",
    "Issuer",
    "MonthFigures",
    "MonthReport",
    "StayPage",
    "StayView",
    "audit_days_due",
    "booking_offer",
    "booking_qr",
    "booking_search",
    "check_in",
    "check_in_options",
    "check_out",
    "confirmation_pdf",
    "current_stay_for_unit",
    "daily_figures",
    "default_query",
    "desk_day",
    "extend_stay",
    "extend_stay_as_asked",
    "extension_alternatives",
    "extension_departure",
    "find_booking",
    "folio",
    "get_stay",
    "guest_details",
    "hold_booking",
    "housekeeping_board",
    "housekeeping_tile",
    "invoice_pdf",
    "issuer_of",
    "month_csv",
    "month_figures",
    "month_report",
    "move_room",
    "parse_amount",
    "parse_month",
    "parse_query",
    "post_adjustment",
    "post_charge",
    "reservation_for_guest",
    "run_night_audit",
    "set_room_status",
    "stay_for_reservation",
    "stay_page",
    "take_payment",
]
