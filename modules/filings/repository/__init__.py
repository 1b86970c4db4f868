"""All SQL of bureau filing, always filtered by the tenant it was built for (row-level
security is the second lock).

- `filings`: the registration and filings one at a time, as the console and `file()`
  see them (ORM).
- `sending`: what drains do in bulk — claim a batch of due filings, record every attempt
  and outcome of the batch in one statement, release what waited for them.
- `queue`: the tenant's drain jobs in procrastinate's table.
"""

from modules.filings.repository.filings import FilingRepository, RegistrationRepository
from modules.filings.repository.queue import DrainQueue
from modules.filings.repository.sending import Attempt, Claimed, SendingRepository

__all__ = [
    "Attempt",
    "Claimed",
    "DrainQueue",
    "FilingRepository",
    "RegistrationRepository",
    "SendingRepository",
]
