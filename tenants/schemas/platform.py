"""Forms of the platform operator console."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class OperatorLoginForm:
    email: str = ""
    password: str = ""
    next: str = ""


@dataclass
class SuspendForm:
    reason: str = ""
