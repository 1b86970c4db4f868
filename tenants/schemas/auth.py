"""Forms of sign-in, password reset and one's own account.

Every field has a default so that a missing field is reported by the service as a field
error on the re-rendered page, never as a bare validation failure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LoginForm:
    tenant: str = ""
    email: str = ""
    password: str = ""
    next: str | None = None


@dataclass
class ForgotForm:
    tenant: str = ""
    email: str = ""


@dataclass
class ResetForm:
    token: str = ""
    password: str = ""
    password_confirm: str = ""


@dataclass
class PasswordChangeForm:
    current_password: str = ""
    new_password: str = ""
    new_password_confirm: str = ""
