"""The public sign-up form."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.web.input import Cleaned, Secret


@dataclass
class SignupForm(Cleaned):
    name: str = ""
    slug: str = ""
    # One checkbox sends a string, several a list.
    kinds: list[str] | str = field(default_factory=list)
    enterprise_code: str = ""
    owner_name: str = ""
    owner_email: str = ""
    password: Secret = ""

    def kind_list(self) -> tuple[str, ...]:
        items = [self.kinds] if isinstance(self.kinds, str) else self.kinds
        return tuple(dict.fromkeys(k for k in items if k))
