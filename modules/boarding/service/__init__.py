"""What other modules and the routes may call in boarding (exported by name)."""

from modules.boarding.service.keys import KeyView, pass_keys, rotate_key, verification_keys
from modules.boarding.service.passes import (
    PASS_GRACE_AFTER_ARRIVAL,
    PASS_OPENS_BEFORE_BOARDING,
    IssuedPass,
    PassCheck,
    issue_passes,
    pass_code,
    revoke_passes,
    revoked_pass_ids,
    verify_code,
)
from modules.boarding.service.report import (
    REPORT_TASK,
    ReportOutcome,
    VoyageFigures,
    file_due_reports,
    file_voyage_report,
    voyage_arrived,
    voyage_figures,
)

__all__: list[str] = [
    "PASS_GRACE_AFTER_ARRIVAL",
    "PASS_OPENS_BEFORE_BOARDING",
    "REPORT_TASK",
    "IssuedPass",
    "KeyView",
    "PassCheck",
    "ReportOutcome",
    "VoyageFigures",
    "file_due_reports",
    "file_voyage_report",
    "issue_passes",
    "pass_code",
    "pass_keys",
    "revoke_passes",
    "revoked_pass_ids",
    "rotate_key",
    "verification_keys",
    "verify_code",
    "voyage_arrived",
    "voyage_figures",
]
