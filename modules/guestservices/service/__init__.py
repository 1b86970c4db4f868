"""Guest services' behaviour: the ONLY entry point other modules and the routes call.

Split by topic (requests, orders, menus, feedback); every public name is re-exported here.
Every guest-side function takes the stay the terminal resolved from its device and reads or
changes nothing outside that stay."""

from modules.guestservices.schemas import (  # noqa: F401 - re-exported
    ComplaintView,
    GuestFeedback,
    MenuItemView,
    OrderView,
    RatingsSummary,
    RequestQueue,
    RequestView,
)
from modules.guestservices.service.feedback import *  # noqa: F403
from modules.guestservices.service.menus import *  # noqa: F403
from modules.guestservices.service.orders import *  # noqa: F403
from modules.guestservices.service.requests import *  # noqa: F403
from modules.guestservices.service.views import NO_STAY  # noqa: F401 - re-exported
