"""Forms of the console's system pages."""

from __future__ import annotations

from dataclasses import dataclass

from app.web.input import Cleaned


@dataclass
class RetryJobForm(Cleaned):
    # procrastinate's job id. It travels in the form, not the path: the table has no
    # tenant_id for `owns` to check, so the service checks ownership instead.
    job_id: int
