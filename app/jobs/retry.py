"""Retry policy shared by every task: exponential backoff, then the dead-letter state.

A job that raises is tried again after `base ** (attempt + 1)` seconds (3 s, 9 s, 27 s,
81 s … with the default base), at most `max_attempts` more times; after that procrastinate
leaves it `failed` — our dead-letter state, listed in the console with a retry button.
An error that waiting cannot fix (a refused recipient, a malformed request) raises
`PermanentError` and goes to the dead-letter state at once instead of hammering a
partner `max_attempts` more times.
"""

from __future__ import annotations

import attr
from procrastinate import RetryDecision, RetryStrategy
from procrastinate.jobs import Job

MAX_WAIT_SECONDS = 3600


class PermanentError(Exception):
    """Raise (or subclass) in a task when retrying cannot help: the job fails at once."""


@attr.dataclass(kw_only=True)
class Backoff(RetryStrategy):
    """procrastinate's RetryStrategy, plus: permanent errors are not retried, and no single
    wait exceeds an hour (a partner that is down all night is tried hourly, not daily)."""

    max_wait: int = MAX_WAIT_SECONDS

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, PermanentError):
            return None
        decision = super().get_retry_decision(exception=exception, job=job)
        if decision is None:
            return None
        return RetryDecision(retry_in={"seconds": min(self.delay(job.attempts), self.max_wait)})

    def delay(self, attempts: int) -> int:
        """Seconds to wait after the run that had `attempts` earlier runs."""
        return self.wait + self.linear_wait * attempts + self.exponential_wait ** (attempts + 1)

    def is_final(self, job: Job) -> bool:
        """True when this run is the last one: if it fails, the job is dead-lettered.

        A job retried from the console has used its attempts, so it gets exactly one run."""
        return self.max_attempts is not None and job.attempts >= self.max_attempts


def backoff(max_attempts: int = 6, base: int = 3) -> Backoff:
    """The default policy: 6 retries over about 18 minutes (3 s … 729 s)."""
    return Backoff(max_attempts=max_attempts, exponential_wait=base)


DEFAULT_RETRY = backoff()
