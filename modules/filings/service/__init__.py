"""Bureau filing's behaviour; the only entry point other modules may call.

Other modules call `file(db, tenant_id, kind, subject_type, subject_id, payload, *,
depends_on=None)` inside their own transaction, and nothing else is needed: the filing
is delivered exactly once by the tenant's `filings.drain` job. Each topic module lists
its public names in `__all__`; they are re-exported here by name."""

from modules.filings.service.backlog import FILING_GAUGES, filing_backlog
from modules.filings.service.client import Answer, BureauClient, Credentials
from modules.filings.service.drain import (
    DrainResult,
    drain,
    let_go_of_queueing_lock,
)
from modules.filings.service.filing import (
    FilingNotRefilable,
    FilingNotRetryable,
    FilingPage,
    FilingView,
    attention_count,
    file,
    filing_detail,
    forget_registration,
    list_filings,
    parse_payload,
    refile,
    retry_filing,
    seal_held,
)
from modules.filings.service.queue import DRAIN_QUEUE, DRAIN_TASK
from modules.filings.service.registration import (
    ConnectionTest,
    NotRegistered,
    RegistrationView,
    alert_owners,
    box_for,
    credentials_for,
    pause_filing,
    registration_view,
    resume_filing,
    save_registration,
    test_connection,
)
from modules.filings.service.sending import (
    Batch,
    send_due,
)
from modules.filings.service.states import (
    FilingStatus,
    filing_states,
)
from modules.filings.service.sweep import (
    SweepResult,
    sweep,
)

__all__ = [
    "DRAIN_QUEUE",
    "DRAIN_TASK",
    "FILING_GAUGES",
    "Answer",
    "Batch",
    "BureauClient",
    "ConnectionTest",
    "Credentials",
    "DrainResult",
    "FilingNotRefilable",
    "FilingNotRetryable",
    "FilingPage",
    "FilingStatus",
    "FilingView",
    "NotRegistered",
    "RegistrationView",
    "SweepResult",
    "alert_owners",
    "attention_count",
    "box_for",
    "credentials_for",
    "drain",
    "file",
    "filing_backlog",
    "filing_detail",
    "filing_states",
    "forget_registration",
    "let_go_of_queueing_lock",
    "list_filings",
    "parse_payload",
    "pause_filing",
    "refile",
    "registration_view",
    "resume_filing",
    "retry_filing",
    "save_registration",
    "seal_held",
    "send_due",
    "sweep",
    "test_connection",
]
