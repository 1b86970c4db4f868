"""Guest services' behaviour: the ONLY entry point other modules and the routes call.

Split by topic (requests, orders, menus, feedback); every public name is re-exported here.
Every guest-side function takes the stay the terminal resolved from its device and reads or
changes nothing outside that stay."""

from modules.guestservices.schemas import (
    ComplaintView,
    GuestFeedback,
    MenuItemView,
    OrderView,
    RatingsSummary,
    RequestQueue,
    RequestView,
)
from modules.guestservices.service.feedback import (
    answer_complaint,
    close_complaint,
    complaint_detail,
    complaints,
    file_complaint,
    guest_feedback,
    overdue_complaint_count,
    rate,
    ratings_summary,
)
from modules.guestservices.service.menus import (
    get_menu_item,
    menu,
    save_menu_item,
)
from modules.guestservices.service.orders import (
    advance_order,
    order_queue,
    parse_quantities,
    place_order,
    stay_orders,
)
from modules.guestservices.service.requests import (
    advance_request,
    cancel_request,
    new_request_count,
    request_checkout,
    request_queue,
    request_service,
    stay_requests,
)
from modules.guestservices.service.views import (
    NO_STAY,
)

__all__ = [
    "NO_STAY",
    "ComplaintView",
    "GuestFeedback",
    "MenuItemView",
    "OrderView",
    "RatingsSummary",
    "RequestQueue",
    "RequestView",
    "advance_order",
    "advance_request",
    "answer_complaint",
    "cancel_request",
    "close_complaint",
    "complaint_detail",
    "complaints",
    "file_complaint",
    "get_menu_item",
    "guest_feedback",
    "menu",
    "new_request_count",
    "order_queue",
    "overdue_complaint_count",
    "parse_quantities",
    "place_order",
    "rate",
    "ratings_summary",
    "request_checkout",
    "request_queue",
    "request_service",
    "save_menu_item",
    "stay_orders",
    "stay_requests",
]
