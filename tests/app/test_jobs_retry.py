"""The retry policy: exponential backoff, a ceiling, and no retry for permanent errors."""

from __future__ import annotations

from procrastinate.jobs import Job

from app import clock
from app.jobs.retry import DEFAULT_RETRY, Backoff, PermanentError, backoff


def _job(attempts: int) -> Job:
    return Job(
        id=1, queue="default", lock=None, queueing_lock=None, task_name="t.x", attempts=attempts
    )


class TestBackoff:
    def test_waits_grow_exponentially_between_attempts(self):
        policy = backoff(max_attempts=6, base=3)
        waits = []
        for attempts in range(6):
            decision = policy.get_retry_decision(exception=RuntimeError(), job=_job(attempts))
            assert decision is not None and decision.retry_at is not None
            waits.append(policy.delay(attempts))
        assert waits == [3, 9, 27, 81, 243, 729]

    def test_no_single_wait_exceeds_an_hour(self):
        policy = Backoff(max_attempts=20, exponential_wait=3)
        assert policy.delay(10) > 3600
        decision = policy.get_retry_decision(exception=RuntimeError(), job=_job(10))
        assert decision is not None and decision.retry_at is not None

        assert (decision.retry_at - clock.now()).total_seconds() <= 3600

    def test_gives_up_after_the_last_attempt(self):
        policy = backoff(max_attempts=2)
        assert policy.get_retry_decision(exception=RuntimeError(), job=_job(1)) is not None
        assert policy.get_retry_decision(exception=RuntimeError(), job=_job(2)) is None
        assert not policy.is_final(_job(1))
        assert policy.is_final(_job(2))

    def test_permanent_errors_are_not_retried(self):
        class Refused(PermanentError):
            pass

        assert DEFAULT_RETRY.get_retry_decision(exception=Refused("550"), job=_job(0)) is None
