"""Forms of the bureau filing pages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RegistrationForm:
    enterprise_code: str = ""
    district_code: str = ""
    # Empty keeps the stored secret (it is never shown again).
    filing_secret: str = ""


@dataclass
class RefileForm:
    payload: str = ""
