"""One mapper from errors to responses: JSON on the API, a page or an htmx fragment in
the console. Database error text never reaches a client."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DBAPIError

from app.errors import AppError, NotAuthenticated, TooManyRequests
from app.i18n import gettext as _
from app.web.logging import request_id_var

log = logging.getLogger("zhilv.errors")

_DEFAULT_MESSAGES = {
    400: "The request is not valid.",
    401: "Please sign in.",
    403: "You are not allowed to do this.",
    404: "Not found.",
    405: "This method is not allowed here.",
    409: "This conflicts with the current state.",
    413: "The upload is too large.",
    422: "Some fields are not valid.",
    429: "Too many attempts. Please wait and try again.",
    500: "Something went wrong on our side. Please try again; if it keeps happening, "
    "tell support the request id.",
    503: "Service temporarily unavailable.",
}


def wants_json(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/schema", "/healthz")):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def _login_url(request: Request[Any, Any, Any]) -> str:
    guard = request.route_handler.opt.get("guard") if request.scope.get("route_handler") else None
    access = getattr(guard, "access", None)
    if access == "device":
        return "/terminal/pair"  # a terminal that lost its pairing pairs again
    base = "/platform/login" if access == "operator" else "/console/login"
    return f"{base}?next={request.url.path}"


def _translate_errors(errors: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if not errors:
        return None
    return [{**e, "message": _(str(e.get("message", "")))} for e in errors]


def _from_validation(exc: ValidationException) -> tuple[int, str, str, list[dict[str, Any]] | None]:
    fields = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict) and item.get("key"):
            fields.append(
                {"field": item["key"], "code": "invalid", "message": item.get("message", "")}
            )
    if fields:
        return 422, "invalid", _DEFAULT_MESSAGES[422], fields
    return 400, "bad_request", str(exc.detail) or _DEFAULT_MESSAGES[400], None


def _is_data_error(exc: Exception) -> bool:
    """A value PostgreSQL or the driver refused as data (too long, out of range, not
    text): odd input that a field rule missed, answered 422 rather than 500."""
    if not isinstance(exc, DBAPIError):
        return False
    state = str(getattr(exc.orig, "sqlstate", None) or "")
    return state.startswith("22") or type(getattr(exc.orig, "__cause__", None)).__name__ == (
        "DataError"
    )


def _classify(exc: Exception) -> tuple[int, str, str, list[dict[str, Any]] | None]:
    if isinstance(exc, AppError):
        return exc.status_code, exc.code, exc.message, exc.errors
    if _is_data_error(exc):
        log.warning("input refused by the database (a field rule is missing): %s", exc)
        return 422, "invalid", "A value is too long or not valid for its field.", None
    if isinstance(exc, ValidationException):
        return _from_validation(exc)
    if isinstance(exc, NotFoundException):
        return 404, "not_found", _DEFAULT_MESSAGES[404], None
    if isinstance(exc, NotAuthorizedException):
        return 401, "not_authenticated", _DEFAULT_MESSAGES[401], None
    if isinstance(exc, PermissionDeniedException):
        return 403, "forbidden", _DEFAULT_MESSAGES[403], None
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        code = {405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "bad_request")
        return exc.status_code, code, _DEFAULT_MESSAGES.get(exc.status_code, str(exc.detail)), None
    return HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", _DEFAULT_MESSAGES[500], None


def status_for(exc: Exception) -> int:
    """The status `handle_exception` answers this error with (for the request log, which
    sees errors raised before a route's own handler, such as a refused CSRF check)."""
    return _classify(exc)[0]


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    status, code, message, errors = _classify(exc)
    if status >= 500:
        log.error("unhandled error on %s", request.url.path, exc_info=exc)
    message = _(message)
    errors = _translate_errors(errors)
    headers: dict[str, str] = {}
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after)
    if wants_json(request):
        body: dict[str, Any] = {"code": code, "message": message}
        if errors:
            body["errors"] = errors
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)
    if isinstance(exc, NotAuthenticated | NotAuthorizedException):
        if is_htmx(request):
            return Response("", status_code=401, headers={"HX-Redirect": _login_url(request)})
        return Redirect(_login_url(request), status_code=303)
    context = {
        "status": status,
        "code": code,
        "message": message,
        "errors": errors or [],
        "request_id": request_id_var.get(),
    }
    template = "_partials/error.html" if is_htmx(request) else "error.html"
    if is_htmx(request):
        headers.update({"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"})
    return Template(template_name=template, context=context, status_code=status, headers=headers)
