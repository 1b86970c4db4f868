"""Forms of the bureau filing pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from app.web.input import MAX_ANY_TEXT, Cleaned, Secret, Text


@dataclass
class RegistrationForm(Cleaned):
    enterprise_code: str = ""
    district_code: str = ""
    # Empty keeps the stored secret (it is never shown again).
    filing_secret: Secret = ""


@dataclass
class RefileForm(Cleaned):
    payload: Annotated[str, Text(MAX_ANY_TEXT, multiline=True)] = ""
