"""Forms of staff management and of accepting an invitation (defaults: see schemas.auth)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class InviteForm:
    email: str = ""
    display_name: str = ""
    role: str = ""


@dataclass
class RoleForm:
    role: str = ""


@dataclass
class AcceptForm:
    token: str = ""
    display_name: str = ""
    password: str = ""
    password_confirm: str = ""
    current_password: str = ""
