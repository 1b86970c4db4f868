"""What other modules and the routes may call in boarding (exported by name)."""

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
    # report
    "REPORT_TASK",
    "ReportOutcome",
    "VoyageFigures",
    "file_due_reports",
    "file_voyage_report",
    "voyage_arrived",
    "voyage_figures",
]
