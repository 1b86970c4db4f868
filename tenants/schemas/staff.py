"""Forms of staff management and of accepting an invitation (defaults: see schemas.auth)."""

from __future__ import annotations

from dataclasses import dataclass

from app.web.input import Cleaned, Secret


@dataclass
class InviteForm(Cleaned):
    email: str = ""
    display_name: str = ""
    role: str = ""


@dataclass
class RoleForm(Cleaned):
    role: str = ""


@dataclass
class AcceptForm(Cleaned):
    token: Secret = ""
    display_name: str = ""
    password: Secret = ""
    password_confirm: Secret = ""
    current_password: Secret = ""
