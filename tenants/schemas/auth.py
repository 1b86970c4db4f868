"""Forms of sign-in, password reset and one's own account.

Every field has a default so that a missing field is reported by the service as a field
error on the re-rendered page, never as a bare validation failure."""

from __future__ import annotations

from dataclasses import dataclass

from app.web.input import Cleaned, Secret


@dataclass
class LoginForm(Cleaned):
    tenant: str = ""
    email: str = ""
    password: Secret = ""
    next: str | None = None


@dataclass
class ForgotForm(Cleaned):
    tenant: str = ""
    email: str = ""


@dataclass
class ResetForm(Cleaned):
    token: Secret = ""
    password: Secret = ""
    password_confirm: Secret = ""


@dataclass
class PasswordChangeForm(Cleaned):
    current_password: Secret = ""
    new_password: Secret = ""
    new_password_confirm: Secret = ""
