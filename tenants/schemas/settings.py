"""The enterprise settings form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from app.web.input import Cleaned, Text


@dataclass
class SettingsForm(Cleaned):
    name: str = ""
    enterprise_code: str = ""
    address: Annotated[str, Text(200)] = ""
    phone: Annotated[str, Text(40)] = ""
    locale: str = ""
    timezone: str = ""
    # One checkbox sends a string, several a list; none sends nothing.
    modules: list[str] | str = field(default_factory=list)

    def module_list(self) -> tuple[str, ...]:
        items = [self.modules] if isinstance(self.modules, str) else self.modules
        return tuple(dict.fromkeys(m for m in items if m))
