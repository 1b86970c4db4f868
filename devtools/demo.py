"""Demo enterprises for development (`make run`): four Chongqing businesses a local
hotelier would recognise, each with an owner, a few staff and API keys for its devices.

Created once (an enterprise whose code exists is left alone) and never in production.
Every start prints the owner logins. The passwords below are DEMO-ONLY, fixed so that
the README and the terminal can show them; never reuse them anywhere real.

`seed_demo_tenant` builds one such enterprise under any code, so tests can have two
fully populated tenants of the same kind.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import click
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import Database, TenantId, bind_tenant
from app.identifiers import USCC_CHARSET, make_uscc
from app.security.passwords import hash_password
from app.settings import get_settings
from modules.boarding import demo as boarding_demo
from modules.contracts import demo as contracts_demo
from modules.distribution import demo as distribution_demo
from modules.filings import demo as filings_demo
from modules.frontdesk import demo as frontdesk_demo
from modules.groups import demo as groups_demo
from modules.guestservices import demo as guestservices_demo
from modules.guides import demo as guides_demo
from modules.keytags import demo as keytags_demo
from modules.payments import demo as payments_demo
from modules.reservations import demo as reservations_demo
from modules.terminals import demo as terminals_demo
from tenants import service

DEMO_PASSWORD = "Zhilv-demo-2026"  # noqa: S105 - demo only, printed on purpose
OPERATOR_EMAIL = "operator@zhilv.demo"
OPERATOR_NAME = "平台运维"


@dataclass(frozen=True, slots=True)
class DemoPerson:
    role: str
    name: str
    mailbox: str  # the part before @ (the domain is the enterprise's code)


@dataclass(frozen=True, slots=True)
class DemoKey:
    name: str
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DemoEnterprise:
    slug: str
    name: str
    kinds: tuple[str, ...]
    region: str  # GB/T 2260 county code (REFERENCE.md §5.1)
    org_base: str  # 8 characters of the organisation code, before its check character
    owner: str
    staff: tuple[DemoPerson, ...]
    keys: tuple[DemoKey, ...] = ()
    address: str = ""  # printed on confirmations and receipts
    phone: str = ""

    @property
    def enterprise_code(self) -> str:
        return make_uscc(self.region, self.org_base)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    slug: str
    name: str
    enterprise_code: str
    email: str
    password: str
    created: bool
    # A cruise line's voyage boarding today: its gangway page (path) and who opens it.
    gangway_path: str = ""
    gangway_email: str = ""
    # A hot-spring resort: the bar's POS page and the exit desk (paths) and who opens them.
    pos_path: str = ""
    exit_path: str = ""
    keytags_email: str = ""


@dataclass(slots=True)
class DemoTenant:
    """What `seed_demo_tenant` made: everything a test needs to act as its people."""

    tenant_id: TenantId
    slug: str
    owner_email: str
    password: str
    staff_emails: dict[str, list[str]] = field(default_factory=dict)
    api_key_ids: list[str] = field(default_factory=list)
    api_tokens: list[str] = field(default_factory=list)
    # Ids of the rows made, by table: what a route's `owns` declaration names, so a
    # test can find an identifier of this tenant for any path parameter.
    ids_by_table: dict[str, list[uuid.UUID]] = field(default_factory=dict)


# The staff each kind of enterprise has, beside the owner.
STAFF_BY_KIND: dict[str, tuple[DemoPerson, ...]] = {
    "hotel": (
        DemoPerson("manager", "李娟", "manager"),
        DemoPerson("front_desk", "张敏", "frontdesk"),
        DemoPerson("cashier", "陈刚", "cashier"),
        DemoPerson("auditor", "赵丽", "auditor"),
    ),
    "agency": (
        DemoPerson("manager", "刘洋", "manager"),
        DemoPerson("agent", "杨雪", "agent"),
        DemoPerson("guide", "黄磊", "guide1"),
        DemoPerson("guide", "周婷", "guide2"),
    ),
    "cruise": (
        DemoPerson("manager", "吴涛", "manager"),
        DemoPerson("front_desk", "郑佳", "purser"),
        DemoPerson("cashier", "孙鹏", "cashier"),
    ),
    "hot_spring": (
        DemoPerson("manager", "马骏", "manager"),
        DemoPerson("front_desk", "胡蓉", "frontdesk"),
        DemoPerson("cashier", "何平", "cashier"),
    ),
}

# Only scopes some route requires today (the console offers no others): a partner's
# booking system on the reservations API, a cruise line's gangway scanners on the boarding
# API, a hot-spring resort's outlet readers (the bar's, linked to its outlet) and exit gate
# on the key-tag API.
_BOOKING = ("reservations:read", "reservations:write")
GANGWAY_KEY = "登船口扫码设备"
POS_KEY = "餐饮吧台 POS"
EXIT_GATE_KEY = "出口闸机"
KEYS_BY_KIND: dict[str, tuple[DemoKey, ...]] = {
    "hotel": (DemoKey("携程酒店直连接口", _BOOKING),),
    "agency": (DemoKey("官网线路预订接口", ("reservations:read",)),),
    "cruise": (DemoKey("官网船票预订接口", _BOOKING), DemoKey(GANGWAY_KEY, ("boarding:scan",))),
    "hot_spring": (
        DemoKey("美团门票直连接口", _BOOKING),
        DemoKey(POS_KEY, ("pos:charge",)),
        DemoKey(EXIT_GATE_KEY, ("gate:exit",)),
    ),
}

DEMO_ENTERPRISES: tuple[DemoEnterprise, ...] = (
    DemoEnterprise(
        slug="jiefangbei-hotel",
        name="重庆解放碑山城江景酒店",
        kinds=("hotel",),
        region="500103",  # 渝中区
        org_base="MA5U0B01",
        owner="王建国",
        staff=STAFF_BY_KIND["hotel"],
        keys=KEYS_BY_KIND["hotel"],
        address="重庆市渝中区民族路 188 号",
        phone="023-6380 1234",
    ),
    DemoEnterprise(
        slug="bayu-travel",
        name="重庆巴渝国际旅行社有限公司",
        kinds=("agency",),
        region="500105",  # 江北区
        org_base="MA60C2Q7",
        owner="陈思远",
        staff=STAFF_BY_KIND["agency"],
        keys=KEYS_BY_KIND["agency"],
        address="重庆市江北区建新北路 66 号 12 楼",
        phone="023-6786 5200",
    ),
    DemoEnterprise(
        slug="xiayun-cruises",
        name="重庆峡韵长江三峡游轮有限公司",
        kinds=("cruise",),
        region="500108",  # 南岸区
        org_base="MA5YH8K3",
        owner="谭志强",
        staff=STAFF_BY_KIND["cruise"],
        keys=KEYS_BY_KIND["cruise"],
        address="重庆市南岸区南滨路 22 号",
        phone="023-6288 9900",
    ),
    DemoEnterprise(
        slug="jinyun-springs",
        name="重庆北碚缙云温泉度假酒店",
        kinds=("hot_spring", "hotel"),
        region="500109",  # 北碚区
        org_base="MA61D4R9",
        owner="罗晓梅",
        staff=STAFF_BY_KIND["hot_spring"],
        keys=KEYS_BY_KIND["hot_spring"],
        address="重庆市北碚区北温泉街道温泉路 101 号",
        phone="023-6822 8888",
    ),
)

_NAME_BY_KIND = {
    "hotel": "演示酒店",
    "agency": "演示旅行社",
    "cruise": "演示游轮公司",
    "hot_spring": "演示温泉度假村",
}
_REGION_BY_KIND = {
    "hotel": "500103",
    "agency": "500105",
    "cruise": "500108",
    "hot_spring": "500109",
}


@cache
def _demo_hash() -> str:
    """One argon2 hash of the shared demo password (hashing is deliberately slow)."""
    return hash_password(DEMO_PASSWORD)


def _email(mailbox: str, slug: str) -> str:
    return f"{mailbox}@{slug}.demo"


def _org_base_for(slug: str) -> str:
    """A stable organisation-code base derived from the slug (unique in practice)."""
    digest = hashlib.sha256(slug.encode()).digest()
    return "".join(USCC_CHARSET[b % len(USCC_CHARSET)] for b in digest[:8])


def enterprise_for(kind: str, slug: str, name: str | None = None) -> DemoEnterprise:
    """A demo enterprise of one kind under any code (tests use two of the same kind)."""
    return DemoEnterprise(
        slug=slug,
        name=name or f"{_NAME_BY_KIND[kind]} {slug}",
        kinds=(kind,),
        region=_REGION_BY_KIND[kind],
        org_base=_org_base_for(slug),
        owner="演示老板",
        staff=STAFF_BY_KIND[kind],
        keys=KEYS_BY_KIND[kind],
    )


async def _populate(db: AsyncSession, spec: DemoEnterprise) -> DemoTenant:
    owner_email = _email("owner", spec.slug)
    tenant, _user = await service.create_tenant(
        db,
        service.NewTenant(
            name=spec.name,
            slug=spec.slug,
            kinds=spec.kinds,
            owner_email=owner_email,
            owner_password=DEMO_PASSWORD,
            owner_name=spec.owner,
            enterprise_code=spec.enterprise_code,
        ),
    )
    tenant.address, tenant.phone = spec.address, spec.phone
    made = DemoTenant(
        tenant_id=TenantId(tenant.id),
        slug=spec.slug,
        owner_email=owner_email,
        password=DEMO_PASSWORD,
    )
    made.ids_by_table["tenants"] = [tenant.id]
    owner = await service.add_member(  # the owner's membership, made with the tenant
        db,
        made.tenant_id,
        email=owner_email,
        display_name=spec.owner,
        role="owner",
        password_hash=_demo_hash(),
    )
    made.ids_by_table["memberships"] = [owner.id]
    for person in spec.staff:
        email = _email(person.mailbox, spec.slug)
        membership = await service.add_member(
            db,
            made.tenant_id,
            email=email,
            display_name=person.name,
            password_hash=_demo_hash(),
            role=person.role,
        )
        made.staff_emails.setdefault(person.role, []).append(email)
        made.ids_by_table.setdefault("memberships", []).append(membership.id)
    for key in spec.keys:
        created = await service.create_api_key(db, made.tenant_id, name=key.name, scopes=key.scopes)
        made.api_key_ids.append(str(created.id))
        made.ids_by_table.setdefault("api_keys", []).append(created.id)
        made.api_tokens.append(created.token)
    return made


async def seed_demo_tenant(
    db: AsyncSession, *, kind: str, slug: str, name: str | None = None
) -> DemoTenant:
    """One fully populated demo enterprise of `kind` under `slug`: owner, staff of the
    roles that kind has, and API keys (whose tokens are returned, as on creation)."""
    return await _populate(db, enterprise_for(kind, slug, name))


async def seed_modules(db: AsyncSession, tenant_id: TenantId, spec: DemoEnterprise) -> Any:
    """Each module's demo data for one enterprise (every seed is idempotent, so an older
    development database gains what newer modules bring). Returns the bureau registration
    to announce to the stand-in."""
    await bind_tenant(db, tenant_id)
    await payments_demo.seed_demo(db, tenant_id, spec.kinds)
    await reservations_demo.seed_demo(db, tenant_id, spec.kinds)
    # The cruise line's voyages are its inventory: before the modules that read them.
    await boarding_demo.seed_demo(db, tenant_id, spec.kinds)
    await frontdesk_demo.seed_demo(db, tenant_id, spec.kinds)
    await reservations_demo.seed_deposits(db, tenant_id, spec.kinds)
    registration = await filings_demo.seed_demo_bureau(
        db,
        tenant_id,
        kinds=spec.kinds,
        enterprise_code=spec.enterprise_code,
        district_code=spec.region,
        settings=get_settings(),
    )
    # After the registration: the arrived voyage's report is filed with the bureau.
    await boarding_demo.seed_demo_people(db, tenant_id, spec.kinds)
    # After the registration too (last month's report is filed from its visits), and after
    # the inventory (its online day tickets are reservations' unit types).
    keys = await _device_keys(db, tenant_id, spec)
    await keytags_demo.seed_demo(db, tenant_id, spec.kinds, pos_key_id=keys.get(POS_KEY))
    await terminals_demo.seed_demo(db, tenant_id, spec.kinds)
    await guestservices_demo.seed_demo(db, tenant_id, spec.kinds)
    await guides_demo.seed_demo(db, tenant_id, spec.kinds)
    await contracts_demo.seed_demo(db, tenant_id, spec.kinds)
    await groups_demo.seed_demo(db, tenant_id, spec.kinds)
    await db.flush()  # write this tenant's rows while it is still the one bound
    return registration


async def _device_keys(
    db: AsyncSession, tenant_id: TenantId, spec: DemoEnterprise
) -> dict[str, uuid.UUID]:
    """The enterprise's demo keys by name; an enterprise made before a key was added to
    its kind gets it now (an older development database gains the resort's POS and gate)."""
    live = {k.name: k.id for k in await service.list_api_keys(db, tenant_id) if not k.revoked_at}
    for key in spec.keys:
        if key.name not in live:
            created = await service.create_api_key(db, tenant_id, name=key.name, scopes=key.scopes)
            live[key.name] = created.id
    return live


async def seed(db: AsyncSession) -> list[DemoLogin]:
    """Create the missing demo enterprises and the demo operator; returns every owner
    login (created now or before)."""
    logins, _, _ = await _seed(db)
    return logins


async def _seed(
    db: AsyncSession,
) -> tuple[list[DemoLogin], list[Any], distribution_demo.DistributionDemo]:
    logins: list[DemoLogin] = []
    registrations: list[Any] = []
    slugs: dict[str, TenantId] = {}
    for spec in DEMO_ENTERPRISES:
        tenant_id = await service.tenant_id_by_slug(db, spec.slug)
        exists = tenant_id is not None
        if tenant_id is None:
            tenant_id = (await _populate(db, spec)).tenant_id
        slugs[spec.slug] = tenant_id
        registrations.append(await seed_modules(db, tenant_id, spec))
        boarding = await boarding_demo.voyage_boarding_today(db, tenant_id)
        pos = await keytags_demo.pos_outlet(db, tenant_id, spec.kinds)
        logins.append(
            DemoLogin(
                slug=spec.slug,
                name=spec.name,
                enterprise_code=spec.enterprise_code,
                email=_email("owner", spec.slug),
                password=DEMO_PASSWORD,
                created=not exists,
                gangway_path=f"/console/boarding/voyages/{boarding.id}/gangway" if boarding else "",
                gangway_email=_email("purser", spec.slug) if boarding else "",
                pos_path=f"/console/keytags/pos/{pos.id}" if pos else "",
                exit_path="/console/keytags/exit" if pos else "",
                keytags_email=_email("cashier", spec.slug) if pos else "",
            )
        )
    # Where enterprises meet: the agency distributes the hotel's, the cruise line's and the
    # resort's products (every enterprise exists by now).
    distribution = await distribution_demo.seed_network(db, slugs)
    await bind_tenant(db, None)
    await service.create_operator(
        db, email=OPERATOR_EMAIL, password=DEMO_PASSWORD, name=OPERATOR_NAME
    )
    return logins, registrations, distribution


def print_logins(
    logins: list[DemoLogin],
    base_url: str,
    distribution: distribution_demo.DistributionDemo | None = None,
) -> None:
    click.echo("")
    click.echo(f"Demo enterprises (DEMO-ONLY passwords) — sign in at {base_url}/console/login")
    click.echo(f"  {'enterprise code':<18} {'e-mail':<30} {'password':<16} enterprise")
    for login in logins:
        click.echo(f"  {login.slug:<18} {login.email:<30} {login.password:<16} {login.name}")
    click.echo("  Staff of each: manager@, frontdesk@, cashier@, agent@, guide1@ … same password.")
    click.echo(
        f"Guest terminals — {base_url}/terminal/jiefangbei-hotel/demo/<room> opens a room's "
        "terminal without a code (development only; or console → 客房终端 → 以此终端打开)"
    )
    for login in logins:
        if login.gangway_path:
            click.echo(
                f"Gangway (扫码登船) of {login.name}'s voyage boarding today — "
                f"{base_url}{login.gangway_path}"
            )
            click.echo(
                f"  sign in as {login.gangway_email} (or owner@); scanners call "
                f"POST {base_url}/api/v1/boarding/scans with the key 「{GANGWAY_KEY}」"
            )
    for login in logins:
        if login.pos_path:
            click.echo(
                f"Key tags (手牌) of {login.name} — the bar's POS {base_url}{login.pos_path}, "
                f"the exit desk {base_url}{login.exit_path}"
            )
            click.echo(
                f"  sign in as {login.keytags_email} (or owner@); outlet readers call "
                f"POST {base_url}/api/v1/keytags/charges with the key 「{POS_KEY}」, the exit "
                f"gate POST {base_url}/api/v1/keytags/gate with 「{EXIT_GATE_KEY}」"
            )
    if distribution is not None:
        print_distribution(distribution, base_url)
    click.echo(f"Platform operator — sign in at {base_url}/platform/login")
    click.echo(f"  {OPERATOR_EMAIL:<49} {DEMO_PASSWORD}")
    click.echo("")


def print_distribution(d: distribution_demo.DistributionDemo, base_url: str) -> None:
    agency, hotel = distribution_demo.AGENCY, distribution_demo.HOTEL
    click.echo(
        f"Distribution — {agency} (agent@{agency}.demo) books its suppliers' rooms, cabins and "
        f"spa tickets at {base_url}/console/distribution/buying (分销采购); the suppliers see "
        f"agreements at {base_url}/console/distribution/agreements and last month's closed "
        f"statements at {base_url}/console/distribution/statements"
    )
    click.echo(
        f"  the OTA 「{distribution_demo.OTA_NAME}」 calls {base_url}/api/v1/distribution/... "
        f"with {hotel}'s key 「{d.ota_key}」; see its callbacks with "
        f"`.venv/bin/python -m devtools.webhook_receiver {d.ota_secret or '<secret>'} 8765`"
    )


def seed_demo() -> bool:
    """Create the demo enterprises unless they exist, and print the logins. Refuses in
    production (returns False): demo accounts with published passwords must never exist
    on a real deployment."""
    settings = get_settings()
    if settings.env == "production":
        click.echo("demo data is never created in production (ZHILV_ENV=production)", err=True)
        return False
    if not settings.database_url:
        raise click.ClickException("DATABASE_URL is not set")

    async def _go() -> tuple[list[DemoLogin], list[Any], distribution_demo.DistributionDemo]:
        database = Database.from_url(settings.database_url or "", pool_size=1, max_overflow=0)
        try:
            async with database.transaction() as db:
                return await _seed(db)
        finally:
            await database.dispose()

    logins, registrations, distribution = asyncio.run(_go())
    filings_demo.register_with_stand_in(settings.bureau_url, registrations)
    print_logins(logins, settings.base_url, distribution)
    sys.stdout.flush()
    return True
