"""Group tours' behaviour; the only entry point other modules may call. Each topic
module lists its public names in `__all__`; they are re-exported here by name."""

from modules.groups.service.editing import (
    Actor,
    ContractTaken,
    GroupLocked,
    cancel_group,
    create_group,
    next_group_no,
    update_group,
)
from modules.groups.service.filing import (
    AlreadyFiled,
    Missing,
    file_group,
    filing_problems,
    group_payload,
)
from modules.groups.service.guiding import (
    assign_guide,
    release_guide,
)
from modules.groups.service.views import (
    FormChoices,
    GroupList,
    GroupPage,
    GroupRow,
    form_choices,
    group_page,
    list_groups,
)

__all__ = [
    "Actor",
    "AlreadyFiled",
    "ContractTaken",
    "FormChoices",
    "GroupList",
    "GroupLocked",
    "GroupPage",
    "GroupRow",
    "Missing",
    "assign_guide",
    "cancel_group",
    "create_group",
    "file_group",
    "filing_problems",
    "form_choices",
    "group_page",
    "group_payload",
    "list_groups",
    "next_group_no",
    "release_guide",
    "update_group",
]
