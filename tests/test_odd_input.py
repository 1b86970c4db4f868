"""Odd input never answers 5xx: every form and API route of the app, walked from the route
table, gets NUL bytes, a Unicode digit ('²'), 10,000-character strings, emoji, negative
numbers and 'NaN' in every field its schema names (plus a few generic ones).

Routes are read from the app at run time (like tests/test_route_isolation.py), so a new
module's routes are covered the day they are mounted. The caller is one tenant dressed for
each kind of access: its signed-in owner, an API key with every scope, a paired terminal;
path identifiers are the tenant's own rows, so the handlers get past the 404 and read the
odd values.
"""

from __future__ import annotations

import dataclasses
import time
import typing
import uuid
from typing import Any

from litestar import Litestar
from litestar.enums import RequestEncodingType

from app.security.access import Scope
from app.web.input import Cleaned
from tests.factories.registry import MissingFactory, make_api_key
from tests.factories.tenants import Staff, make_tenant
from tests.factories.terminals import make_device, use_terminal
from tests.helpers import csrf, sign_in
from tests.test_route_isolation import Endpoint, endpoints, row_of

ODD_VALUES = ("a\x00b", "²", "x" * 10_000, "😀🏨", "-1", "NaN")
DEEP_VALUES = ("²", "😀🏨", "-1", "NaN")
# Fields tried on every route besides the ones its schema names: what routes often read.
GENERIC_FIELDS = ("name", "q", "page", "amount", "quantity", "note", "code", "date", "status")
# Routes whose answer ends the walk's session or is not the app's own page.
SKIPPED = ("/logout", "/schema", "/static", "/healthz")
WALK_SECONDS = 60


def _unwrap(annotation: Any) -> Any:
    """The dataclass behind `Annotated[X, Body(...)]`, `X | None` or `X`."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if args and not dataclasses.is_dataclass(annotation):
        return next((a for a in args if dataclasses.is_dataclass(a)), annotation)
    return annotation


def _shape(cls: Any, value: str) -> Any:
    """A JSON body for `cls` with `value` in every field (nested dataclasses followed)."""
    if not dataclasses.is_dataclass(cls):
        return {name: value for name in GENERIC_FIELDS}
    hints = typing.get_type_hints(cls)
    body: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        inner = _unwrap(hints.get(f.name))
        body[f.name] = _shape(inner, value) if dataclasses.is_dataclass(inner) else value
    return body


def _media(e: Endpoint) -> tuple[Any, Any]:
    data = e.handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return None, None
    media = getattr(data.kwarg_definition, "media_type", None) or RequestEncodingType.JSON
    return media, _unwrap(data.annotation)


def _query_names(e: Endpoint) -> list[str]:
    params = e.handler.parsed_fn_signature.parameters
    path = set(e.route.path_parameters)
    dependencies = set(e.handler.resolve_dependencies())
    return [
        name
        for name in params
        if name not in path | dependencies | {"data", "request", "ctx", "state", "scope"}
    ]


def _form(cls: Any, value: str) -> dict[str, str]:
    names = [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else []
    return {name: value for name in (*names, *GENERIC_FIELDS)}


class Walker:
    def __init__(self, client: Any, db: Any, owner: Staff, token: str) -> None:
        self.client, self.db, self.owner, self.token = client, db, owner, token
        self.ids: dict[str, uuid.UUID] = {}

    async def url(self, e: Endpoint) -> str:
        values: dict[str, Any] = {}
        for name, p in e.route.path_parameters.items():
            table = e.owns.get(name)
            if name == "tenant_slug":
                values[name] = self.owner.tenant.slug
            elif table:
                if table not in self.ids:
                    try:
                        self.ids[table] = await row_of(self.db, table, self.owner)
                    except MissingFactory:
                        self.ids[table] = uuid.uuid4()
                values[name] = self.ids[table]
            else:
                values[name] = 1 if p.type is int else uuid.uuid4() if p.type is uuid.UUID else "x"
        return e.route.path_format.format(**values)

    async def call(self, e: Endpoint, value: str) -> int:
        url = await self.url(e)
        token = await csrf(self.client)
        headers = {"x-csrftoken": token, "idempotency-key": f"odd-{uuid.uuid4()}"}
        if e.access == "apikey" or url.startswith("/api/"):
            headers["authorization"] = f"Bearer {self.token}"
        names = (*_query_names(e), *GENERIC_FIELDS)
        # httpx refuses URLs over 64 kB: long values go into a few query fields only
        params = {name: value for name in names[: 3 if len(value) > 1000 else None]}
        kwargs: dict[str, Any] = {}
        media, cls = _media(e)
        if e.method not in ("GET", "DELETE"):
            if media == RequestEncodingType.URL_ENCODED:
                kwargs["data"] = {**_form(cls, value), "_csrf_token": token}
            elif media == RequestEncodingType.MULTI_PART:
                kwargs["data"] = {**_form(cls, value), "_csrf_token": token}
                kwargs["files"] = {"_odd": ("odd.txt", value.encode())}
            elif media == RequestEncodingType.JSON:
                kwargs["json"] = _shape(cls, value)
        response = await self.client.request(
            e.method, url, params=params, headers=headers, follow_redirects=False, **kwargs
        )
        return int(response.status_code)


def walked(app: Litestar) -> list[Endpoint]:
    """Every route but framework ones; API and terminal first (console actions may end
    what they rely on), one-click console actions without input last."""
    found = [e for e in endpoints(app) if not any(s in e.route.path for s in SKIPPED)]
    order = {"apikey": 0, "device": 1, "public": 2}
    return sorted(found, key=lambda e: (order.get(e.access, 3), e.route.path, e.method))


def values_for(e: Endpoint) -> tuple[str, ...]:
    """All odd values for routes reading a body; for query-only pages the ones that reach
    the handler (the kernel's screen refuses NUL and overlong values before any route, and
    the walk is kept under a minute); one for pages that declare no input at all."""
    if _media(e)[0] is not None or e.route.path.startswith("/api/"):
        return ODD_VALUES
    if _query_names(e):
        return DEEP_VALUES
    return ("²",) if e.method == "GET" else ()


async def odd_input_answers(app: Litestar, walker: Walker) -> list[str]:
    problems = []
    for e in walked(app):
        for value in values_for(e):
            status = await walker.call(e, value)
            if status >= 500:
                problems.append(f"{e} with {value[:12]!r}… in every field answered {status}")
    return problems


class TestOddInput:
    async def test_no_route_answers_5xx_to_odd_input(self, app, client, db):
        owner = await make_tenant(db)
        _, token = await make_api_key(db, owner.tenant, scopes={s.value for s in Scope})
        await sign_in(client, owner)
        use_terminal(client, await make_device(db, tenant=owner.tenant))
        started = time.monotonic()
        problems = await odd_input_answers(app, Walker(client, db, owner, token))
        assert not problems, "\n".join(problems)
        assert time.monotonic() - started < WALK_SECONDS * 2, "the walk got slow: trim it"


class TestEveryBodyIsCleaned:
    def test_every_form_and_api_body_inherits_the_kernel_text_rule(self, app):
        """A body dataclass outside `Cleaned` would skip trimming and field lengths."""
        bodies = {_media(e)[1] for e in endpoints(app)} - {None}
        found = set()
        while bodies:
            cls = bodies.pop()
            if not dataclasses.is_dataclass(cls) or cls in found:
                continue
            found.add(cls)
            hints = typing.get_type_hints(cls)
            bodies |= {_unwrap(hints.get(f.name)) for f in dataclasses.fields(cls)}
        missing = sorted(c.__qualname__ for c in found if not issubclass(c, Cleaned))
        assert found and not missing, f"not Cleaned: {missing}"


class TestTheWalkHasTeeth:
    def test_json_bodies_are_shaped_from_nested_schemas(self):
        from modules.reservations.schemas import BookingIn

        body = _shape(BookingIn, "²")
        assert body["guest"]["name"] == "²" and body["adults"] == "²"
