"""Every registered route, walked: another tenant's identifiers answer 404, always.

Written once for all modules: routes are read from the app at run time, so a new module's
routes are covered the day they are mounted.

- Every identifier in a path (a uuid or int parameter, or a name ending in `id`) must be
  declared in the route's `opt["owns"]` (param -> model or table name); the request
  context checks the row is visible to the bound tenant and answers 404 otherwise.
- Every route declares a typed guard (`opt["guard"]`, app/security/access.py); the app
  refuses to start otherwise (`check_guards`), and this test says which route is missing one.
- Each route with identifiers is called, with every method it supports and an empty
  body, by tenant B (B's signed-in owner, an API key of B with every scope, B's slug,
  a paired terminal of B) using tenant A's identifiers; the answer must be 404.
- Every staff route whose guard admits only some roles is called by a member of each role
  it does not admit; the answer must be 403.

Tenant A's identifiers are any of A's rows in the owned table, made with the factory
registry (tests/factories/registry.py) when A has none.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar, get, post
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody, URLEncodedBody
from litestar.routes import HTTPRoute
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import bind_tenant
from app.security.access import GUARD_TYPES, Guard, Public, Role, Scope, guard_of
from app.security.access import ApiKey as ApiKeyGuard
from app.security.access import Staff as StaffGuard
from tenants.context import Ctx
from tenants.models import ApiKey, Tenant
from tests.factories import registry
from tests.factories.registry import MissingFactory, make_api_key, make_row
from tests.factories.tenants import Staff, make_staff, make_tenant
from tests.factories.terminals import make_device, use_terminal
from tests.helpers import csrf, sign_in

# Framework routes (Litestar's OpenAPI pages, static files) carry no guard of ours.
FRAMEWORK = ("/schema", "/static/")
NOT_IDENTIFIERS = {"tenant_slug"}
SKIPPED_METHODS = {"OPTIONS", "HEAD"}
# Operators work across tenants by design: their routes are checked for declarations only.
CROSS_TENANT_BY_DESIGN = {"operator"}


@dataclass(frozen=True)
class Endpoint:
    route: HTTPRoute
    handler: HTTPRouteHandler
    method: str

    @property
    def opt(self) -> dict[str, Any]:
        return self.handler.opt

    @property
    def guard(self) -> Guard:
        return guard_of(self.opt)

    @property
    def access(self) -> str:
        return self.guard.access

    @property
    def owns(self) -> dict[str, str]:
        return {name: _table(model) for name, model in self.opt.get("owns", {}).items()}

    @property
    def identifiers(self) -> set[str]:
        return {
            name for name, p in self.route.path_parameters.items() if _is_identifier(name, p.type)
        }

    def __str__(self) -> str:
        return f"{self.method} {self.route.path}"


def _table(model: Any) -> str:
    return model if isinstance(model, str) else str(model.__tablename__)


def _is_identifier(name: str, type_: Any) -> bool:
    if name in NOT_IDENTIFIERS:
        return False
    return type_ in (uuid.UUID, int) or name == "id" or name.endswith("_id")


def endpoints(app: Litestar) -> list[Endpoint]:
    return [
        Endpoint(route, handler, method)
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        for method in sorted(handler.http_methods - SKIPPED_METHODS)
    ]


def declaration_problems(app: Litestar) -> list[str]:
    """Identifiers not declared in `owns`, and `owns` naming no path parameter."""
    problems = []
    for e in endpoints(app):
        params = set(e.route.path_parameters)
        for name in sorted(e.identifiers - set(e.owns)):
            problems.append(f"{e}: path parameter {name!r} is not declared in opt['owns']")
        for name in sorted(set(e.owns) - params):
            problems.append(f"{e}: opt['owns'] names {name!r}, which is not a path parameter")
    return problems


def access_problems(app: Litestar) -> list[str]:
    problems = []
    for e in endpoints(app):
        if e.route.path.startswith(FRAMEWORK):
            continue
        guard = e.opt.get("guard")
        if not isinstance(guard, GUARD_TYPES):
            problems.append(f"{e}: no typed opt['guard'] (say who may call it, even Public())")
        elif (
            not isinstance(guard, Public) and "ctx" not in e.handler.parsed_fn_signature.parameters
        ):
            problems.append(
                f"{e}: a {guard.access!r} guard is only checked for handlers taking `ctx: Ctx`"
            )
    return problems


async def row_of(db: AsyncSession, table: str, owner: Staff) -> uuid.UUID:
    """Any row of `owner`'s tenant in `table` (created by the registry when there is none)."""
    if table == "tenants":
        return owner.tenant.id
    if table == "users":
        return owner.user.id
    columns = set(
        (
            await db.execute(
                text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = :t"
                ),
                {"t": table},
            )
        ).scalars()
    )
    if not columns:
        raise MissingFactory(f"opt['owns'] names table {table!r}, which does not exist")
    if "tenant_id" not in columns:
        raise MissingFactory(
            f"global table {table!r} in opt['owns']: teach row_of() how to pick one"
        )
    await bind_tenant(db, owner.tenant.id)
    found = (
        await db.execute(
            text(f"SELECT id FROM {table} WHERE tenant_id = :t LIMIT 1"), {"t": owner.tenant.id}
        )
    ).scalar()
    return found if found is not None else await make_row(db, table, owner.tenant)


class Caller:
    """Tenant B, dressed for each kind of access."""

    def __init__(self, client: Any, owner: Staff, token: str) -> None:
        self.client, self.owner, self.token = client, owner, token

    async def call(self, e: Endpoint, ids: dict[str, uuid.UUID]) -> int:
        return int((await self.request(e, ids)).status_code)

    async def request(self, e: Endpoint, ids: dict[str, uuid.UUID]) -> Any:
        """The answer to `e` with these identifiers (an empty body of the handler's kind)."""
        values: dict[str, Any] = {}
        for name, p in e.route.path_parameters.items():
            if name in ids:
                values[name] = ids[name]
            elif name == "tenant_slug":
                values[name] = self.owner.tenant.slug
            else:
                values[name] = 1 if p.type is int else "x"
        url = e.route.path_format.format(**values)
        headers = {"x-csrftoken": await csrf(self.client)}
        form = {"_csrf_token": headers["x-csrftoken"]}
        params = {}
        if e.access == "apikey":
            headers["authorization"] = f"Bearer {self.token}"
        if (
            e.access == "tenant_token"
        ):  # an e-mailed link of tenant B (the secret is not checked yet)
            params["token"] = form["token"] = f"{self.owner.tenant.id}.probe"
        body = self._body(e, form)
        headers.update(body.pop("headers", {}))
        return await self.client.request(
            e.method, url, params=params, headers=headers, follow_redirects=False, **body
        )

    @staticmethod
    def _body(e: Endpoint, form: dict[str, str]) -> dict[str, Any]:
        """An empty body of the kind the handler reads (the 404 must come before validation)."""
        if e.method in ("GET", "DELETE"):
            return {}
        data = e.handler.parsed_fn_signature.parameters.get("data")
        media = (
            getattr(data.kwarg_definition, "media_type", None)
            if data
            else RequestEncodingType.URL_ENCODED
        )
        if media == RequestEncodingType.URL_ENCODED:
            return {"data": form}
        if media == RequestEncodingType.MULTI_PART:
            return {"data": form, "files": {"_empty": ("empty.txt", b"")}}
        if media == RequestEncodingType.MESSAGEPACK:
            return {"content": b"\x80", "headers": {"content-type": "application/x-msgpack"}}
        return {"json": {}}


@dataclass
class World:
    a: Staff
    b: Staff
    caller: Caller


async def build_world(app: Litestar, client: Any, db: AsyncSession) -> World:
    a = await make_tenant(db)
    b = await make_tenant(db)
    _, token = await make_api_key(db, b.tenant, scopes={s.value for s in Scope})
    await sign_in(client, b)
    # B's in-room terminal: `access="device"` routes are called as it.
    terminal = await make_device(db, tenant=b.tenant)
    use_terminal(client, terminal)
    return World(a, b, Caller(client, b, token))


def walked(app: Litestar) -> list[Endpoint]:
    """Routes the walk calls: identifiers all declared, not operator-wide by design."""
    return [
        e
        for e in endpoints(app)
        if e.identifiers and e.identifiers <= set(e.owns) and e.access not in CROSS_TENANT_BY_DESIGN
    ]


async def cross_tenant_answers(app: Litestar, db: AsyncSession, world: World) -> list[str]:
    """Every walked route called by B with A's identifiers; what did not answer 404."""
    problems = []
    for e in walked(app):
        ids = {name: await row_of(db, table, world.a) for name, table in e.owns.items()}
        status = await world.caller.call(e, ids)
        if status != 404:
            problems.append(
                f"{e} as {e.access} of tenant B with tenant A's ids answered {status}, not 404"
            )
    return problems


async def own_id_answers(app: Litestar, db: AsyncSession, world: World) -> list[str]:
    """The control: B's own identifiers are found on GET routes, so the 404s mean isolation.
    A route taking an agreement's id may be the distributor's page: it finds an agreement
    naming B as its partner (another supplier's), not one B owns."""
    problems = []
    cache: dict[str, Any] = {}
    for e in walked(app):
        if e.method != "GET":
            continue
        ids = {name: await row_of(db, table, world.b) for name, table in e.owns.items()}
        status = await world.caller.call(e, ids)
        if status == 404 and PARTNER_TABLES & set(e.owns.values()):
            status = await world.caller.call(e, await partner_ids(db, e, world, cache))
        if status == 404:
            problems.append(
                f"{e} answered 404 to tenant B's own ids: the walk cannot tell isolation from a bad URL"
            )
    return problems


# Tables whose rows the other side of a relation may read (policy `partner_read`).
PARTNER_TABLES = {"dist_agreements", "distributors"}


async def partner_ids(
    db: AsyncSession, e: Endpoint, world: World, cache: dict[str, Any]
) -> dict[str, uuid.UUID]:
    """The route's identifiers from an agreement of another supplier naming B as partner."""
    from tests.factories.distribution import make_agreement, make_distributor, make_product

    if "agreement" not in cache:
        supplier = await make_tenant(db, kinds=("hotel",))
        partner = await make_distributor(db, tenant=supplier.tenant, partner=world.b.tenant)
        agreement = await make_agreement(db, tenant=supplier.tenant, distributor=partner)
        await make_product(db, tenant=supplier.tenant, agreement=agreement)
        cache.update(supplier=supplier, agreement=agreement)
    return await ids_for_agreement(db, e, cache["agreement"], cache["supplier"])


def refused_roles(e: Endpoint) -> list[Role]:
    """The roles a staff route's guard does not admit (owners pass every guard)."""
    guard = e.opt.get("guard")  # framework routes (OpenAPI, static files) have none
    if not isinstance(guard, StaffGuard) or not guard.roles:
        return []
    return [r for r in Role if r is not Role.OWNER and not guard.admits(r)]


async def role_answers(app: Litestar, client: Any, db: AsyncSession, world: World) -> list[str]:
    """Every staff route called by a member of each role its guard leaves out: 403 each."""
    problems = []
    by_role: dict[Role, list[Endpoint]] = {}
    for e in endpoints(app):
        for role in refused_roles(e):
            by_role.setdefault(role, []).append(e)
    for role, routes in by_role.items():
        member = await make_staff(db, tenant=world.b.tenant, role=role.value)
        await sign_in(client, member)
        caller = Caller(client, member, world.caller.token)
        for e in routes:
            ids = {name: uuid.uuid4() for name in e.route.path_parameters if name != "tenant_slug"}
            status = await caller.call(e, ids)
            if status != 403:
                problems.append(
                    f"{e} as {role.value} (not in its guard) answered {status}, not 403"
                )
    await sign_in(client, world.b)
    return problems


class TestDeclarations:
    def test_every_identifier_in_a_path_is_declared_in_owns(self, app):
        problems = declaration_problems(app)
        assert not problems, "\n".join(problems)

    def test_every_route_says_who_may_call_it(self, app):
        problems = access_problems(app)
        assert not problems, "\n".join(problems)


class TestRoles:
    async def test_a_role_outside_the_guard_gets_403_on_every_staff_route(self, app, client, db):
        world = await build_world(app, client, db)
        assert sum(len(refused_roles(e)) for e in endpoints(app)) > 20, "the walk found no roles"
        problems = await role_answers(app, client, db, world)
        assert not problems, "\n".join(problems)

    def test_guards_take_only_kernel_roles_and_scopes(self):
        with pytest.raises(TypeError):
            StaffGuard("manager")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            ApiKeyGuard("boarding.scan")  # type: ignore[arg-type]


class TestCrossTenantIdentifiers:
    async def test_tenant_b_gets_404_for_tenant_a_identifiers_on_every_route(self, app, client, db):
        world = await build_world(app, client, db)
        problems = await cross_tenant_answers(app, db, world)
        assert not problems, "\n".join(problems)

    async def test_tenant_b_finds_its_own_identifiers_on_every_get_route(self, app, client, db):
        world = await build_world(app, client, db)
        problems = await own_id_answers(app, db, world)
        assert not problems, "\n".join(problems)


# Distribution: where two tenants meet ---------------------------------------------------
#
# A distributor tenant may read the agreements naming it (policy `partner_read`), so the
# context's `owns` check lets its own agreement's id through on EVERY route, the supplier's
# included: from there the service must answer only what the agreement covers. The walk
# below calls every route taking an agreement id as agency B, partner of agreement X of
# supplier S1, with (1) Y, S1's agreement with another agency, and Z, another supplier's
# agreement: 404 everywhere; (2) X itself: nothing written, and no page shows what X does
# not cover (S1's other products, Y, the other agency).


@dataclass
class DistributionWorld:
    s1: Staff
    s2: Staff
    b: Staff
    c: Staff
    x: Any
    y: Any
    z: Any
    authorised: str  # the name of the room type X authorises
    hidden: str  # the name of S1's room type authorised only under Y


async def build_distribution_world(
    client: Any, db: AsyncSession
) -> tuple[DistributionWorld, Caller]:
    from tests.factories.distribution import make_agreement, make_distributor, make_product
    from tests.factories.reservations import make_stock

    s1 = await make_tenant(db, kinds=("hotel",), name="解放碑供应商酒店")
    s2 = await make_tenant(db, kinds=("cruise",), name="长江游轮公司")
    b = await make_tenant(db, kinds=("agency",), name="甲旅行社")
    c = await make_tenant(db, kinds=("agency",), name="乙旅行社丙")
    await bind_tenant(db, s1.tenant.id)
    shown = await make_stock(db, tenant=s1.tenant, name="授权江景房")
    hidden = await make_stock(db, tenant=s1.tenant, name="未授权总统套房")
    x = await make_agreement(
        db,
        tenant=s1.tenant,
        distributor=await make_distributor(db, tenant=s1.tenant, partner=b.tenant),
    )
    await make_product(db, tenant=s1.tenant, agreement=x, stock=shown)
    y = await make_agreement(
        db,
        tenant=s1.tenant,
        distributor=await make_distributor(db, tenant=s1.tenant, partner=c.tenant),
    )
    await make_product(db, tenant=s1.tenant, agreement=y, stock=hidden, net_price_fen=43210)
    z = await make_agreement(
        db,
        tenant=s2.tenant,
        distributor=await make_distributor(db, tenant=s2.tenant, partner=c.tenant),
    )
    await make_product(db, tenant=s2.tenant, agreement=z)
    _, token = await make_api_key(db, b.tenant, scopes={s.value for s in Scope})
    await sign_in(client, b)
    world = DistributionWorld(s1, s2, b, c, x, y, z, "授权江景房", "未授权总统套房")
    return world, Caller(client, b, token)


def agreement_routes(app: Litestar) -> list[Endpoint]:
    return [e for e in walked(app) if "dist_agreements" in e.owns.values()]


async def ids_for_agreement(
    db: AsyncSession, e: Endpoint, agreement: Any, supplier: Staff
) -> dict[str, uuid.UUID]:
    """The route's identifiers, all taken from `agreement` (of `supplier`) where they can be."""
    ids = {}
    for name, table in e.owns.items():
        await bind_tenant(db, supplier.tenant.id)
        if table == "dist_agreements":
            ids[name] = agreement.id
        elif table == "distributors":
            ids[name] = agreement.distributor_id
        else:
            column = "agreement_id" if table.startswith("dist_") else None
            found = None
            if column:
                found = (
                    await db.execute(
                        text(f"SELECT id FROM {table} WHERE agreement_id = :a LIMIT 1"),
                        {"a": agreement.id},
                    )
                ).scalar()
            ids[name] = found or await row_of(db, table, supplier)
    return ids


async def _agreement_state(db: AsyncSession, world: DistributionWorld) -> list[Any]:
    await bind_tenant(db, world.s1.tenant.id)
    rows = await db.execute(
        text(
            "SELECT a.number, a.status, a.valid_to, p.unit_type_id, p.net_price_fen, p.active "
            "FROM dist_agreements a LEFT JOIN dist_agreement_products p "
            "ON p.tenant_id = a.tenant_id AND p.agreement_id = a.id "
            "WHERE a.tenant_id = :t ORDER BY a.number, p.id"
        ),
        {"t": world.s1.tenant.id},
    )
    counts = await db.execute(
        text("SELECT (SELECT count(*) FROM distributors), (SELECT count(*) FROM dist_agreements)")
    )
    return [*rows.all(), *counts.all()]


class TestDistributionAgreements:
    async def test_another_agreement_answers_404_on_every_route(self, app, client, db):
        world, caller = await build_distribution_world(client, db)
        routes = agreement_routes(app)
        assert routes, "no route takes an agreement id: the walk has nothing to check"
        problems = []
        for e in routes:
            for foreign, supplier in ((world.y, world.s1), (world.z, world.s2)):
                ids = await ids_for_agreement(db, e, foreign, supplier)
                status = await caller.call(e, ids)
                if status != 404:
                    problems.append(
                        f"{e} as agency B with agreement {foreign.number} answered {status}"
                    )
        assert not problems, "\n".join(problems)

    async def test_own_agreement_shows_only_what_it_covers_and_writes_nothing(
        self, app, client, db
    ):
        world, caller = await build_distribution_world(client, db)
        calls = [
            (e, await ids_for_agreement(db, e, world.x, world.s1)) for e in agreement_routes(app)
        ]
        before = await _agreement_state(db, world)  # after the rows the ids needed were made
        problems, seen = [], []
        leaks = (world.hidden, world.y.number, "乙旅行社丙", "432.10")
        for e, ids in calls:
            response = await caller.request(e, ids)
            if e.method == "GET" and response.status_code == 200:
                seen.append(response.text)
                problems += [f"{e} shows {leak!r}" for leak in leaks if leak in response.text]
        assert not problems, "\n".join(problems)
        assert any(world.authorised in page for page in seen), "no page showed X's own product"
        assert await _agreement_state(db, world) == before

    async def test_the_suppliers_pages_are_not_the_distributors(self, client, db):
        world, _ = await build_distribution_world(client, db)
        for path in (
            f"/console/distribution/agreements/{world.x.id}",
            f"/console/distribution/distributors/{world.x.distributor_id}",
        ):
            assert (await client.get(path)).status_code == 404, path
        page = await client.get(f"/console/distribution/suppliers/{world.x.id}")
        assert page.status_code == 200 and world.authorised in page.text
        assert world.hidden not in page.text


# Routes that exist only in the tests below, to show the walk has teeth.
@get(
    "/console/_probe/members/{membership_id:uuid}",
    opt={"guard": StaffGuard(), "owns": {"membership_id": "memberships"}},
)
async def _guarded(ctx: Ctx, membership_id: FromPath[uuid.UUID]) -> str:
    return "ok"


@dataclass
class _Note:
    note: str


@post(
    "/console/_probe/members/{membership_id:uuid}/note",
    opt={"guard": StaffGuard(Role.MANAGER), "owns": {"membership_id": "memberships"}},
)
async def _guarded_form(
    ctx: Ctx, membership_id: FromPath[uuid.UUID], data: URLEncodedBody[_Note]
) -> str:
    return "ok"


@post(
    "/api/v1/_probe/keys/{key_id:uuid}",
    opt={"guard": ApiKeyGuard(Scope.RESERVATIONS_WRITE), "owns": {"key_id": ApiKey}},
)
async def _guarded_json(ctx: Ctx, key_id: FromPath[uuid.UUID], data: JSONBody[_Note]) -> str:
    return "ok"


@get(
    "/console/_probe/people/{user_id:uuid}",
    opt={"guard": StaffGuard(), "owns": {"user_id": "users"}},
)
async def _leaky(ctx: Ctx, user_id: FromPath[uuid.UUID]) -> str:
    """Owns a GLOBAL table, so the context finds any user: the service would have to check."""
    return "leak"


@get("/console/_probe/forgotten/{key_id:uuid}", opt={"guard": StaffGuard()})
async def _undeclared(ctx: Ctx, key_id: FromPath[uuid.UUID]) -> str:
    return "leak"


@get("/console/_probe/anyone", opt={"guard": StaffGuard()})
async def _no_ctx() -> str:
    return "nobody checked"


@get("/console/_probe/files/{path:path}")
async def _implicit(path: FromPath[Path]) -> str:
    return "implicit"


class TestTheWalkHasTeeth:
    @pytest.fixture
    async def app(self, settings, database):  # type: ignore[no-untyped-def]
        """An application of its own: these tests register probe routes on it, which must not
        reach the shared one the other tests walk."""
        from app.main import create_app

        return create_app(settings, database=database)

    async def test_guarded_routes_are_walked_and_answer_404(self, app, client, db):
        for handler in (_guarded, _guarded_form, _guarded_json):
            app.register(handler)
        world = await build_world(app, client, db)
        assert {
            "GET /console/_probe/members/{membership_id:uuid}",
            "POST /console/_probe/members/{membership_id:uuid}/note",
            "POST /api/v1/_probe/keys/{key_id:uuid}",
        } <= {str(e) for e in walked(app)}
        assert await cross_tenant_answers(app, db, world) == []
        assert await own_id_answers(app, db, world) == []

    async def test_a_route_reaching_a_global_table_by_id_is_reported(self, app, client, db):
        app.register(_leaky)
        world = await build_world(app, client, db)
        problems = await cross_tenant_answers(app, db, world)
        assert any("/console/_probe/people/" in p and "answered 200" in p for p in problems)

    def test_an_undeclared_identifier_is_reported(self, app):
        app.register(_undeclared)
        assert any("'key_id' is not declared" in p for p in declaration_problems(app))

    def test_a_protected_route_without_ctx_and_an_implicit_public_route_are_reported(self, app):
        app.register(_no_ctx)
        app.register(_implicit)
        problems = access_problems(app)
        assert any("/console/_probe/anyone" in p and "ctx" in p for p in problems)
        assert any("/console/_probe/files/" in p and "no typed opt['guard']" in p for p in problems)

    async def test_a_table_without_a_factory_is_named(self, db, monkeypatch):
        monkeypatch.delitem(registry.TABLE_FACTORIES, "api_keys")
        owner = await make_tenant(db)
        with pytest.raises(MissingFactory, match="'api_keys'"):
            await row_of(db, "api_keys", owner)


def test_tenant_model_is_a_global_table():
    """row_of() treats `tenants` and `users` as global; keep that true."""
    assert "tenant_id" not in Tenant.__table__.columns
