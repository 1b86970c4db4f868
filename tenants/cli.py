"""`zhilv tenants …`, `zhilv apikeys …`, `zhilv operators …`.

Each command runs one transaction as the application role (DATABASE_URL), binding the
tenant it works on exactly as a request would, so row-level security applies here too.
With `--json` a command prints one JSON document and nothing else, for scripts.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import Database, TenantId
from app.errors import AppError
from app.settings import get_settings
from tenants import service
from tenants.context import bind_tenant_by_slug

T = TypeVar("T")


def _database() -> Database:
    url = get_settings().database_url
    if not url:
        raise click.ClickException("DATABASE_URL is not set")
    return Database.from_url(url, pool_size=1, max_overflow=0)


def _run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction; errors become a clear message and exit 1."""

    async def _go() -> T:
        database = _database()
        try:
            async with database.transaction() as db:
                return await work(db)
        finally:
            await database.dispose()

    try:
        return asyncio.run(_go())
    except AppError as exc:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors or [])
        raise click.ClickException(f"{exc.message} {detail}".strip()) from exc


async def _tenant_id(db: AsyncSession, slug: str) -> TenantId:
    """Resolve and bind the tenant named on the command line."""
    tenant = await bind_tenant_by_slug(db, slug.strip().lower())
    if tenant is None:
        raise click.ClickException(f"no enterprise with the code {slug!r}")
    return tenant.id


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k.strip() for item in values for k in item.split(",") if k.strip()))


# tenants ---------------------------------------------------------------------------------
@click.group()
def tenants() -> None:
    """Enterprises (tenants)."""


@tenants.command("create")
@click.option("--name", required=True)
@click.option("--slug", required=True, help="The code staff type to sign in.")
@click.option(
    "--kind",
    "kinds",
    required=True,
    multiple=True,
    help="hotel, agency, cruise, hot_spring; repeat (or separate with commas) for several.",
)
@click.option("--owner-email", required=True)
@click.option("--owner-password", required=True)
@click.option("--owner-name", default="")
@click.option("--enterprise-code", default=None, help="18-character unified social credit code.")
@click.option("--json", "as_json", is_flag=True)
def create(
    name: str,
    slug: str,
    kinds: tuple[str, ...],
    owner_email: str,
    owner_password: str,
    owner_name: str,
    enterprise_code: str | None,
    as_json: bool,
) -> None:
    """Provision an enterprise with its owner."""
    data = service.NewTenant(
        name=name,
        slug=slug,
        kinds=_split(kinds),
        owner_email=owner_email,
        owner_password=owner_password,
        owner_name=owner_name,
        enterprise_code=enterprise_code,
        locale=get_settings().default_locale,
        timezone=get_settings().default_timezone,
    )

    async def work(db: AsyncSession) -> dict[str, str]:
        tenant, user = await service.create_tenant(db, data)
        return {"tenant_id": str(tenant.id), "slug": tenant.slug, "owner_email": user.email}

    result = _run(work)
    click.echo(
        json.dumps(result) if as_json else f"created {result['slug']} ({result['tenant_id']})"
    )


@tenants.command("list")
@click.option("--status", type=click.Choice(["active", "suspended"]), default=None)
@click.option("--json", "as_json", is_flag=True)
def list_tenants(status: str | None, as_json: bool) -> None:
    """List enterprises, newest first."""

    async def work(db: AsyncSession) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            result = await service.list_tenants_for_operator(db, page=page, status=status)
            rows += [
                {
                    "tenant_id": str(t.id),
                    "slug": t.slug,
                    "name": t.name,
                    "kinds": list(t.kinds),
                    "status": t.status,
                    "staff": t.staff,
                    "created_at": t.created_at.isoformat(),
                }
                for t in result.tenants
            ]
            if not result.has_next:
                return rows
            page += 1

    rows = _run(work)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        kinds = ",".join(r["kinds"])
        click.echo(f"{r['slug']:<28} {r['status']:<10} {kinds:<18} {r['staff']:>4}  {r['name']}")


# API keys --------------------------------------------------------------------------------
@click.group()
def apikeys() -> None:
    """API keys for devices and partners."""


@apikeys.command("create")
@click.option("--tenant", "slug", required=True, help="The enterprise's code (slug).")
@click.option("--name", required=True, help="Which device or partner holds the key.")
@click.option(
    "--scopes",
    required=True,
    help="Comma-separated: " + ", ".join(service.SCOPES),
)
@click.option("--json", "as_json", is_flag=True)
def create_key(slug: str, name: str, scopes: str, as_json: bool) -> None:
    """Create a key; its token is printed once and cannot be shown again."""

    async def work(db: AsyncSession) -> service.CreatedApiKey:
        tenant_id = await _tenant_id(db, slug)
        return await service.create_api_key(
            db, tenant_id, name=name, scopes=service.parse_scopes(scopes)
        )

    key = _run(work)
    if as_json:
        click.echo(json.dumps({"id": str(key.id), "token": key.token, "scopes": list(key.scopes)}))
        return
    click.echo(f"key {key.id} ({', '.join(key.scopes)})")
    click.echo(key.token)
    click.echo("Store it now: it is not shown again.", err=True)


@apikeys.command("list")
@click.option("--tenant", "slug", required=True)
@click.option("--json", "as_json", is_flag=True)
def list_keys(slug: str, as_json: bool) -> None:
    """List an enterprise's keys (never their tokens)."""

    async def work(db: AsyncSession) -> list[service.ApiKeyView]:
        return await service.list_api_keys(db, await _tenant_id(db, slug))

    keys = _run(work)
    rows: list[dict[str, Any]] = [
        {
            "id": str(k.id),
            "name": k.name,
            "scopes": list(k.scopes),
            "hint": k.hint,
            "last_used_at": k.last_used_at.isoformat() if k.last_used_at else None,
            "revoked": k.revoked_at is not None,
        }
        for k in keys
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        state = "revoked" if r["revoked"] else "active"
        click.echo(f"{r['id']}  …{r['hint']}  {state:<8} {','.join(r['scopes']):<30} {r['name']}")


@apikeys.command("revoke")
@click.option("--tenant", "slug", required=True)
@click.argument("key_id", type=click.UUID)
def revoke_key(slug: str, key_id: uuid.UUID) -> None:
    """Revoke a key at once."""

    async def work(db: AsyncSession) -> bool:
        return await service.revoke_api_key(db, await _tenant_id(db, slug), key_id)

    changed = _run(work)
    click.echo("revoked" if changed else "already revoked")


# operators -------------------------------------------------------------------------------
@click.group()
def operators() -> None:
    """Platform operators."""


@operators.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="Used only when the account is new.")
@click.option("--name", default="")
@click.option("--json", "as_json", is_flag=True)
def create_operator(email: str, password: str, name: str, as_json: bool) -> None:
    """Create a platform operator, or make an existing user one (password unchanged)."""

    async def work(db: AsyncSession) -> tuple[str, bool]:
        user, created = await service.create_operator(db, email=email, password=password, name=name)
        return str(user.id), created

    user_id, created = _run(work)
    if as_json:
        click.echo(json.dumps({"user_id": user_id, "email": email.strip(), "created": created}))
    elif created:
        click.echo(f"operator {email.strip()} created; sign in at /platform/login")
    else:
        click.echo(f"{email.strip()} is now an operator (existing password kept)")
