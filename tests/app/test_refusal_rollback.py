"""A refused request writes nothing: the request's transaction is rolled back whenever the
answer is 400 or above (forms shown again with 409/422 errors included), and committed
below 400 (redirects included), whatever the handler remembers to do.

Each module's real form is posted with a refusal. To see that everything written in the
request's transaction is undone, and not only what a savepoint of the handler already
undoes, the app's sessions here write one marker row as their transaction begins (before
the tenant is resolved, the guard checked and the form handled): after a refusal the
marker must be gone, after an accepted request it must be there."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar import Response, get
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from app.db.engine import Database
from app.security.access import Staff as StaffGuard
from tenants.context import Ctx
from tests.factories.filings import make_registration
from tests.factories.reservations import make_unit_type
from tests.factories.tenants import Staff, make_tenant
from tests.helpers import csrf, form_post, sign_in

MARKER = "test.refusal_rollback"


class MarkingSession(Session):
    """A session that writes a marker row when its transaction begins (once)."""


@event.listens_for(MarkingSession, "after_begin")
def _mark(session: Session, transaction: Any, connection: Any) -> None:
    label = _LABEL[0]
    if session.info.get("marked") or label is None:
        return
    session.info["marked"] = True
    connection.execute(
        text(
            "INSERT INTO rate_limit_hits (bucket, key, window_start, count, expires_at) "
            "VALUES (:b, :k, now(), 1, now() + interval '1 hour')"
        ),
        {"b": MARKER, "k": f"{label}:{uuid.uuid4()}"},
    )


_LABEL: list[str | None] = [None]


@pytest.fixture
def app(settings, connection: AsyncConnection):  # type: ignore[no-untyped-def]
    from app.main import create_app

    maker = async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
        sync_session_class=MarkingSession,
    )
    return create_app(settings, database=Database(connection.engine, maker))


async def markers(db: AsyncSession, label: str) -> int:
    found = await db.scalar(
        text("SELECT count(*) FROM rate_limit_hits WHERE bucket = :b AND key LIKE :k"),
        {"b": MARKER, "k": f"{label}:%"},
    )
    return int(found or 0)


async def answered(label: str, call: Awaitable[Any]) -> int:
    """The status of `call`, whose request's transaction writes markers named `label`."""
    _LABEL[0] = label
    try:
        response = await call
    finally:
        _LABEL[0] = None
    return int(response.status_code)


@pytest.fixture
async def owner(db: AsyncSession) -> Staff:
    return await make_tenant(db, kinds=("hotel", "agency"))


@pytest.fixture
async def signed_in(client, owner):  # type: ignore[no-untyped-def]
    await sign_in(client, owner)
    await csrf(client)
    return client


async def _unit(db: AsyncSession, owner: Staff) -> str:
    from app.db.engine import TenantId
    from modules.reservations import service

    ut = await make_unit_type(db, tenant=owner.tenant, units=1)
    units = await service.list_units(db, TenantId(owner.tenant.id), unit_type_id=ut.id)
    return str(units[0].id)


Form = Callable[[Any, AsyncSession, Staff], Awaitable[Any]]
HTMX = {"HX-Request": "true"}


async def _reservations(client: Any, db: AsyncSession, owner: Staff) -> Any:
    return await form_post(client, "/console/inventory/unit-types", {"code": "", "name": ""})


async def _frontdesk(client: Any, db: AsyncSession, owner: Staff) -> Any:
    unit = await _unit(db, owner)
    path = f"/console/housekeeping/units/{unit}/status"
    return await form_post(client, path, {"status": "nonsense"}, headers=HTMX)


async def _payments(client: Any, db: AsyncSession, owner: Staff) -> Any:
    headers = {"stripe-signature": "t=1,v1=00", "content-type": "application/json"}
    return await client.post("/webhooks/stripe", content=b'{"id": "evt_x"}', headers=headers)


async def _terminals(client: Any, db: AsyncSession, owner: Staff) -> Any:
    return await form_post(client, "/console/terminals", {"name": " ", "unit_id": "nope"})


async def _guestservices(client: Any, db: AsyncSession, owner: Staff) -> Any:
    return await form_post(client, "/console/guestservices/menu/", {"name": "", "kind": ""})


async def _contracts(client: Any, db: AsyncSession, owner: Staff) -> Any:
    await make_registration(db, tenant=owner.tenant, district_code="500105")
    bad = {"contract_type": "domestic_group", "route_name": "", "price_total": "三百"}
    return await form_post(client, "/console/contracts/new", bad)


async def _guides(client: Any, db: AsyncSession, owner: Staff) -> Any:
    return await form_post(client, "/console/guides/", {"name": "", "licence_no": ""})


async def _groups(client: Any, db: AsyncSession, owner: Staff) -> Any:
    return await form_post(client, "/console/groups/", {"route_name": ""})


async def _filings(client: Any, db: AsyncSession, owner: Staff) -> Any:
    return await form_post(client, "/console/filings/registration/", {"org_code": "x"})


async def _staff(client: Any, db: AsyncSession, owner: Staff) -> Any:
    return await form_post(client, "/console/staff/invite", {"email": "not-an-email"})


async def _settings(client: Any, db: AsyncSession, owner: Staff) -> Any:
    return await form_post(client, "/console/settings/", {"name": "", "timezone": "Mars/Base"})


REFUSED_FORMS: dict[str, Form] = {
    "reservations": _reservations,
    "frontdesk": _frontdesk,
    "payments": _payments,
    "terminals": _terminals,
    "guestservices": _guestservices,
    "contracts": _contracts,
    "guides": _guides,
    "groups": _groups,
    "filings": _filings,
    "tenants.staff": _staff,
    "tenants.settings": _settings,
}


class TestRefusedFormsWriteNothing:
    @pytest.mark.parametrize("module", sorted(REFUSED_FORMS))
    async def test_a_refused_submission_leaves_no_row(self, signed_in, db, owner, module):
        status = await answered(module, REFUSED_FORMS[module](signed_in, db, owner))
        assert 400 <= status < 500, f"{module}: the refusal answered {status}"
        assert await markers(db, module) == 0, f"{module}: a {status} answer committed"


class TestAcceptedRequestsCommit:
    async def test_a_page_answered_200_commits(self, signed_in, db):
        status = await answered("page", signed_in.get("/console/staff"))
        assert status == 200
        assert await markers(db, "page") == 1

    async def test_a_redirect_after_a_form_commits(self, client, db, owner):
        token = await csrf(client)
        data = {
            "tenant": owner.tenant.slug,
            "email": owner.user.email,
            "password": owner.password,
            "_csrf_token": token,
        }
        call = client.post("/console/login", data=data, follow_redirects=False)
        assert await answered("login", call) == 303
        assert await markers(db, "login") == 1

    async def test_a_response_built_without_a_status_commits(self, app, signed_in, db):
        """Litestar gives a Response built without a status the route's default (200,
        201) only when it sends it: that is a success, not a missing answer."""

        @get("/console/_probe/bare", opt={"guard": StaffGuard()})
        async def bare(ctx: Ctx) -> Response[bytes]:
            return Response(b"csv")

        app.register(bare)
        status = await answered("bare", signed_in.get("/console/_probe/bare"))
        assert status == 200
        assert await markers(db, "bare") == 1


class TestWhatARefusalKeeps:
    async def test_a_failed_sign_in_is_counted_though_its_request_rolls_back(
        self, client, db, owner
    ):
        token = await csrf(client)
        data = {
            "tenant": owner.tenant.slug,
            "email": owner.user.email,
            "password": "wrong-password-1",
            "_csrf_token": token,
        }
        call = client.post("/console/login", data=data, follow_redirects=False)
        assert await answered("failed-login", call) == 422
        assert await markers(db, "failed-login") == 0
        kept = await db.scalar(
            text("SELECT count(*) FROM login_attempts WHERE email = :e AND NOT succeeded"),
            {"e": owner.user.email.lower()},
        )
        assert kept == 1
