"""The front desk's behaviour: the ONLY entry point other modules call.

Split by topic (stays, folio, settlement, housekeeping, booking page, documents); every
public name is re-exported here. Other modules use `post_charge`, `folio` and
`current_stay_for_unit`; the bureau's monthly hotel statistics use `month_figures`."""

from modules.frontdesk.schemas import (  # noqa: F401 - re-exported
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
from modules.frontdesk.service.audit import *  # noqa: F403
from modules.frontdesk.service.booking import *  # noqa: F403
from modules.frontdesk.service.documents import *  # noqa: F403
from modules.frontdesk.service.extension import *  # noqa: F403
from modules.frontdesk.service.folio import *  # noqa: F403
from modules.frontdesk.service.housekeeping import *  # noqa: F403
from modules.frontdesk.service.reports import *  # noqa: F403
from modules.frontdesk.service.settlement import *  # noqa: F403
from modules.frontdesk.service.stays import *  # noqa: F403
from modules.frontdesk.service.views import SYSTEM, Actor  # noqa: F401 - re-exported
