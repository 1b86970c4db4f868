"""The demo seed: four recognisable Chongqing enterprises with valid credit codes, owner
logins that work, created once, never in production."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.db.admin import DatabaseUrls
from app.db.engine import bind_tenant, make_engine
from app.identifiers import uscc_problem
from app.settings import get_settings
from devtools import demo
from modules.distribution import demo as distribution_demo
from modules.distribution.models import DistributionOrder, Statement
from tenants.models import ApiKey, Membership, Tenant, User
from tests.factories.tenants import unique
from tests.helpers import form_post

# REFERENCE.md §5.1: 渝中区, 江北区, 南岸区, 北碚区 and the rest of Chongqing.
CHONGQING_REGIONS = {f"5001{n:02d}" for n in range(1, 21)} | {f"5001{n}" for n in range(51, 57)}


async def count(db, model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return await db.scalar(stmt)


@dataclass(frozen=True)
class FirstStart:
    """The demo command's first run: what it printed, the logins it made, and the database
    it seeded."""

    urls: DatabaseUrls
    exit_code: int
    output: str
    logins: list[demo.DemoLogin]


@pytest.fixture(scope="module")
async def first_start(committed_urls: DatabaseUrls) -> FirstStart:
    """A seed runs every module's demo (about 20 s), so the first start is made once, by
    the command `make run` runs, into the committed database (where no test makes demo
    enterprises); the checks below read it, each in a transaction that is rolled back, and
    seeding again is tried on top of it."""
    logins: list[list[demo.DemoLogin]] = []
    seed = demo._seed

    async def recording(db: Any) -> Any:
        made = await seed(db)
        logins.append(made[0])
        return made

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", committed_urls.app_url)
        patch.setattr(demo, "_seed", recording)
        get_settings.cache_clear()
        result = await asyncio.to_thread(
            CliRunner().invoke, _seed_command(), [], catch_exceptions=False
        )
    get_settings.cache_clear()
    assert len(logins) == 1, result.output
    return FirstStart(committed_urls, result.exit_code, result.output, logins[0])


@pytest.fixture(scope="module")
async def demo_engine(first_start: FirstStart) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(first_start.urls.app_url, pool_size=1, max_overflow=2)
    yield engine
    await engine.dispose()


class TestSeed:
    """Checks a demo user makes on first start, and seeding again; `db` and `client` are
    over the seeded database here."""

    @pytest.fixture
    async def connection(self, demo_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
        async with demo_engine.connect() as conn:
            transaction = await conn.begin()
            try:
                yield conn
            finally:
                if transaction.is_active:
                    await transaction.rollback()

    async def test_four_enterprises_with_staff_keys_and_working_logins(
        self, first_start, client, db
    ):
        logins = first_start.logins
        assert [login.created for login in logins] == [True] * 4
        await _four_enterprises_of_the_four_kinds_with_valid_codes(db)
        await _each_has_staff_and_device_keys(db)
        await _every_owner_login_works(client, logins)
        await _the_demo_operator_can_open_the_platform(client)

    async def test_the_agency_distributes_every_supplier_with_last_month_closed(self, db):
        """Each of the hotel, the cruise line and the resort sold through the agency last
        month (real orders: a room, a cabin with its passengers, day tickets), and last
        month's statement with the agency is closed; the printed guide names the OTA's key."""
        for slug in distribution_demo.SUPPLIERS:
            tenant = (await db.execute(select(Tenant).where(Tenant.slug == slug))).scalar_one()
            await bind_tenant(db, tenant.id)
            orders = (
                await db.scalars(
                    select(DistributionOrder).where(DistributionOrder.tenant_id == tenant.id)
                )
            ).all()
            assert any(o.status == "confirmed" and o.reservation_id for o in orders), slug
            statements = (
                await db.scalars(select(Statement).where(Statement.tenant_id == tenant.id))
            ).all()
            closed = [s for s in statements if s.status == "closed"]
            assert closed and all(s.sales_fen != 0 for s in closed), slug

    def test_the_guide_says_where_distribution_is(self, first_start):
        assert "/console/distribution/buying" in first_start.output
        assert "分销 " in first_start.output and "webhook_receiver whsec_" in first_start.output

    async def test_seeding_again_creates_nothing(self, db):
        users = await count(db, User)
        assert await count(db, Tenant, slug="jiefangbei-hotel") == 1
        again = await demo.seed(db)
        assert [login.created for login in again] == [False] * 4
        assert await count(db, User) == users
        assert await count(db, Tenant, slug="jiefangbei-hotel") == 1


async def _four_enterprises_of_the_four_kinds_with_valid_codes(db) -> None:
    tenants = {
        t.slug: t
        for t in (
            await db.execute(
                select(Tenant).where(Tenant.slug.in_([s.slug for s in demo.DEMO_ENTERPRISES]))
            )
        ).scalars()
    }
    assert {k for t in tenants.values() for k in t.kinds} == {
        "hotel",
        "agency",
        "cruise",
        "hot_spring",
    }
    for tenant in tenants.values():
        assert uscc_problem(tenant.enterprise_code) is None
        assert tenant.enterprise_code[2:8] in CHONGQING_REGIONS
    assert tenants["jiefangbei-hotel"].enterprise_code[2:8] == "500103"  # 渝中区
    assert "解放碑" in tenants["jiefangbei-hotel"].name
    assert "三峡" in tenants["xiayun-cruises"].name
    assert tenants["jinyun-springs"].enterprise_code[2:8] == "500109"  # 北碚区


async def _each_has_staff_and_device_keys(db) -> None:
    for spec in demo.DEMO_ENTERPRISES:
        tenant = (await db.execute(select(Tenant).where(Tenant.slug == spec.slug))).scalar_one()
        await bind_tenant(db, tenant.id)
        assert await count(db, Membership, tenant_id=tenant.id) == len(spec.staff) + 1
        assert await count(db, Membership, tenant_id=tenant.id, role="owner") == 1
        names = set(
            (await db.scalars(select(ApiKey.name).where(ApiKey.tenant_id == tenant.id))).all()
        )
        assert {key.name for key in spec.keys} <= names and len(spec.keys) >= 1
        # Beside its own keys, the hotel holds the key of the demo OTA that distributes it.
        assert len(names) == len(spec.keys) + (spec.slug == distribution_demo.HOTEL)


async def _every_owner_login_works(client, logins) -> None:
    for login in logins:
        client.cookies.clear()
        response = await form_post(
            client,
            "/console/login",
            {"tenant": login.slug, "email": login.email, "password": login.password},
            follow_redirects=False,
        )
        assert response.status_code == 303, login.slug
        assert login.name in (await client.get("/console/")).text


async def _the_demo_operator_can_open_the_platform(client) -> None:
    client.cookies.clear()
    response = await form_post(
        client,
        "/platform/login",
        {"email": demo.OPERATOR_EMAIL, "password": demo.DEMO_PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = await client.get("/platform")
    assert "重庆解放碑山城江景酒店" in page.text


class TestSeedOneTenant:
    async def test_two_populated_tenants_of_one_kind(self, client, db):
        a = await demo.seed_demo_tenant(db, kind="cruise", slug=unique("demo-a"))
        b = await demo.seed_demo_tenant(db, kind="cruise", slug=unique("demo-b"))
        assert a.tenant_id != b.tenant_id
        assert (
            a.staff_emails.keys() == b.staff_emails.keys() == {"manager", "front_desk", "cashier"}
        )
        codes = {
            t.enterprise_code
            for t in (
                await db.execute(select(Tenant).where(Tenant.id.in_([a.tenant_id, b.tenant_id])))
            ).scalars()
        }
        assert len(codes) == 2
        assert all(uscc_problem(c) is None for c in codes)
        for made in (a, b):
            await bind_tenant(db, made.tenant_id)
            assert len(made.ids_by_table["memberships"]) == 4  # owner + 3 staff
            assert await count(db, Membership, tenant_id=made.tenant_id) == 4
            assert made.ids_by_table["api_keys"] == [uuid.UUID(k) for k in made.api_key_ids]
            me = await client.get(
                "/api/v1/me", headers={"Authorization": f"Bearer {made.api_tokens[0]}"}
            )
            assert me.json()["tenant"]["slug"] == made.slug


class TestSeedDemoCommand:
    async def test_prints_the_logins_on_every_start(self, first_start, monkeypatch):
        _prints_the_logins(first_start.exit_code, first_start.output)
        monkeypatch.setenv("DATABASE_URL", first_start.urls.app_url)
        get_settings.cache_clear()
        try:
            result = await asyncio.to_thread(
                CliRunner().invoke, _seed_command(), [], catch_exceptions=False
            )
        finally:
            monkeypatch.undo()
            get_settings.cache_clear()
        _prints_the_logins(result.exit_code, result.output)

    @pytest.mark.parametrize("env", ["production"])
    async def test_refuses_in_production(self, monkeypatch, env, db):
        monkeypatch.setenv("ZHILV_ENV", env)
        monkeypatch.setenv("BASE_URL", "https://zhilv.example.cn")
        monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
        monkeypatch.setenv("FILING_ENCRYPTION_KEY", "k" * 44)
        monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_live_example")
        monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_example")
        get_settings.cache_clear()
        try:
            result = await asyncio.to_thread(
                CliRunner().invoke, _seed_command(), [], catch_exceptions=False
            )
        finally:
            monkeypatch.undo()
            get_settings.cache_clear()
        assert result.exit_code == 0
        assert "never" in result.output
        assert "owner@" not in result.output


def _prints_the_logins(exit_code: int, output: str) -> None:
    assert exit_code == 0
    assert "jiefangbei-hotel" in output
    assert "owner@jiefangbei-hotel.demo" in output
    assert demo.DEMO_PASSWORD in output
    assert demo.OPERATOR_EMAIL in output
    assert "DEMO-ONLY" in output
    # The hot-spring resort's bar POS and exit desk, and who opens them.
    assert "/console/keytags/pos/" in output
    assert "/console/keytags/exit" in output
    assert "cashier@jinyun-springs.demo" in output


def _seed_command():
    import click

    @click.command()
    def seed() -> None:
        demo.seed_demo()

    return seed


def test_demo_keys_hold_only_scopes_some_route_requires(app):
    """A demo key with a scope nothing serves (a gangway key before boarding exists)
    would advertise what is not there."""
    from devtools.demo import DEMO_ENTERPRISES

    for spec in DEMO_ENTERPRISES:
        for key in spec.keys:
            assert set(key.scopes) <= app.state.scopes_in_use, (spec.slug, key.name)
