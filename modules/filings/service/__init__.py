"""Bureau filing's behaviour; the only entry point other modules may call.

Other modules call `file(db, tenant_id, kind, subject_type, subject_id, payload, *,
depends_on=None)` inside their own transaction, and nothing else is needed: the filing
is delivered exactly once by the tenant's `filings.drain` job. Each topic module lists
its public names in `__all__`; they are all re-exported here."""

from modules.filings.service.backlog import FILING_GAUGES as FILING_GAUGES
from modules.filings.service.backlog import filing_backlog as filing_backlog
from modules.filings.service.drain import *  # noqa: F403
from modules.filings.service.filing import *  # noqa: F403
from modules.filings.service.queue import DRAIN_QUEUE as DRAIN_QUEUE
from modules.filings.service.queue import DRAIN_TASK as DRAIN_TASK
from modules.filings.service.registration import *  # noqa: F403
from modules.filings.service.sending import *  # noqa: F403
from modules.filings.service.states import *  # noqa: F403
from modules.filings.service.sweep import *  # noqa: F403
