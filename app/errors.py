"""The one error tree. Modules subclass these (`ContractAlreadySigned(Conflict)`).

`app.web.errors` renders them: JSON `{"code", "message", "errors"?}` on the API, a
friendly page or an htmx fragment in the console. Database error text never
reaches a client.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status_code = 400
    code = "bad_request"
    message = "The request is not valid."  # an English msgid, translated at render time

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        self.message = message or type(self).message
        if code:
            self.code = code
        self.errors = errors
        super().__init__(self.message)


class NotAuthenticated(AppError):
    status_code = 401
    code = "not_authenticated"
    message = "Please sign in."


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    message = "You are not allowed to do this."


class NotFound(AppError):
    """Also what another tenant's object answers: never 403, no existence oracle."""

    status_code = 404
    code = "not_found"
    message = "Not found."


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    message = "This conflicts with the current state."


class Invalid(AppError):
    """422 with field errors: `errors=[{"field": ..., "message": ...}]`."""

    status_code = 422
    code = "invalid"
    message = "Some fields are not valid."

    @classmethod
    def field(cls, field: str, message: str, code: str = "invalid") -> Invalid:
        return cls(errors=[{"field": field, "code": code, "message": message}])


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"
    message = "Too many attempts. Please wait and try again."

    def __init__(self, message: str | None = None, *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(AppError):
    status_code = 503
    code = "unavailable"
    message = "Service temporarily unavailable."
