"""The guide archive's behaviour: the ONLY entry point other modules call.

Split by topic (guides, assignments, records, public look-up); every public name is
re-exported here. Contracts use `list_guides` / `guides_by_ids`; groups use
`assign_to_group`, `release_assignment` and `assignments_for_group`."""

from modules.guides.schemas import (
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
from modules.guides.service.assignments import (
    AssignmentOverlap,
    GuideUnavailable,
    assign_to_group,
    assignments_for_group,
    assignments_for_guide,
    release_assignment,
)
from modules.guides.service.guides import (
    GuideListRow,
    LicenceTaken,
    create_guide,
    get_guide,
    guide_photo,
    guides_by_ids,
    licences_due_count,
    list_guides,
    search_guides,
    set_photo,
    update_guide,
)
from modules.guides.service.public import (
    public_guide,
    public_photo,
    registry_publisher,
)
from modules.guides.service.records import (
    add_certificate,
    add_complaint,
    add_rating,
    certificate_download,
    delete_certificate,
    guide_record,
    resolve_complaint,
)
from modules.guides.service.views import (
    SYSTEM,
    Actor,
)

__all__ = [
    "SYSTEM",
    "Actor",
    "AssignmentOverlap",
    "AssignmentView",
    "CertificateView",
    "ComplaintView",
    "GuideData",
    "GuideListRow",
    "GuideRecord",
    "GuideSummary",
    "GuideUnavailable",
    "GuideView",
    "LicenceTaken",
    "PublicGuide",
    "RatingView",
    "add_certificate",
    "add_complaint",
    "add_rating",
    "assign_to_group",
    "assignments_for_group",
    "assignments_for_guide",
    "certificate_download",
    "create_guide",
    "delete_certificate",
    "get_guide",
    "guide_photo",
    "guide_record",
    "guides_by_ids",
    "licences_due_count",
    "list_guides",
    "public_guide",
    "public_photo",
    "registry_publisher",
    "release_assignment",
    "resolve_complaint",
    "search_guides",
    "set_photo",
    "update_guide",
]
