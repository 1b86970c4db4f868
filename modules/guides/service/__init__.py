"""The guide archive's behaviour: the ONLY entry point other modules call.

Split by topic (guides, assignments, records, public look-up); every public name is
re-exported here. Contracts use `list_guides` / `guides_by_ids`; groups use
`assign_to_group`, `release_assignment` and `assignments_for_group`."""

from modules.guides.schemas import (  # noqa: F401 - re-exported
    AssignmentView,
    CertificateView,
    ComplaintView,
    GuideData,
    GuideRecord,
    GuideSummary,
    GuideView,
    PublicGuide,
    RatingView,
)
from modules.guides.service.assignments import *  # noqa: F403
from modules.guides.service.guides import *  # noqa: F403
from modules.guides.service.public import *  # noqa: F403
from modules.guides.service.records import *  # noqa: F403
from modules.guides.service.views import SYSTEM, Actor  # noqa: F401 - re-exported
