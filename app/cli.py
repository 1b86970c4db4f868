"""The `zhilv` command: database set-up, migrations, serving, the development stack, and
the commands each package adds (tenants, API keys, operators, worker)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click

from app.settings import get_settings


@click.group()
def main() -> None:
    """智旅 Zhilv."""


def devtools_missing(exc: ModuleNotFoundError) -> click.ClickException:
    """The development commands import `devtools/` inside themselves (never at module level,
    an import-linter contract holds it): the production image leaves it out, and there such
    a command says so instead of failing with a traceback."""
    if not (exc.name or "").startswith("devtools"):
        raise exc
    ctx = click.get_current_context(silent=True)
    command = ctx.command_path if ctx else "zhilv"
    return click.ClickException(
        f"`{command}` needs the development tools (devtools/), which this installation "
        "does not contain (the production image leaves them out). Run it from a source "
        "checkout: `make run`."
    )


@main.group()
def db() -> None:
    """Database server set-up."""


@db.command("init")
@click.option("--admin-url", required=True, help="A superuser (or CREATEROLE+CREATEDB) URL.")
@click.option("--database", default="zhilv", show_default=True)
@click.option("--owner", default="zhilv_owner", show_default=True)
@click.option("--app", "app_role", default="zhilv_app", show_default=True)
@click.option("--owner-password", envvar="ZHILV_OWNER_PASSWORD", default=None)
@click.option("--app-password", envvar="ZHILV_APP_PASSWORD", default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the two URLs as JSON.")
def db_init(
    admin_url: str,
    database: str,
    owner: str,
    app_role: str,
    owner_password: str | None,
    app_password: str | None,
    as_json: bool,
) -> None:
    """Create the owner and application roles and the database (idempotent)."""
    from app.db.admin import init_database, run

    urls = run(
        init_database(
            admin_url,
            database=database,
            owner=owner,
            app=app_role,
            owner_password=owner_password,
            app_password=app_password,
        )
    )
    if as_json:
        click.echo(json.dumps({"database_owner_url": urls.owner_url, "database_url": urls.app_url}))
    else:
        click.echo(f"DATABASE_OWNER_URL={urls.owner_url}")
        click.echo(f"DATABASE_URL={urls.app_url}")


@main.command()
@click.option("--revision", default="head", show_default=True)
def migrate(revision: str) -> None:
    """Apply migrations as the owner role (DATABASE_OWNER_URL, else DATABASE_URL)."""
    from app.db.admin import migrate as do_migrate

    url = get_settings().owner_url
    if not url:
        raise click.ClickException("set DATABASE_OWNER_URL or DATABASE_URL (or use `zhilv dev`)")
    do_migrate(url, revision)
    click.echo(f"migrated to {revision}")


@main.command()
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--workers", type=int, default=None)
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the web app with granian."""
    from granian import Granian
    from granian.constants import Interfaces

    settings = get_settings()
    Granian(
        "app.asgi:create",
        address=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        interface=Interfaces.ASGI,
        factory=True,
        log_access=False,
    ).serve()


def dev_database() -> None:
    """Fill DATABASE_URL/DATABASE_OWNER_URL from an embedded PostgreSQL when unset."""
    if os.environ.get("DATABASE_URL"):
        return
    from app.db.admin import init_database, run

    try:
        from devtools.embedded_db import start_embedded
    except ModuleNotFoundError as exc:
        raise devtools_missing(exc) from exc

    settings = get_settings()
    admin_url = start_embedded((settings.data_dir / "pg").resolve())
    urls = run(init_database(admin_url))
    os.environ["DATABASE_URL"] = urls.app_url
    os.environ["DATABASE_OWNER_URL"] = urls.owner_url
    get_settings.cache_clear()
    click.echo(f"embedded PostgreSQL at {settings.data_dir / 'pg'} (data kept across restarts)")


@main.command()
@click.option("--no-worker", is_flag=True, help="Do not start the job worker beside the server.")
def dev(no_worker: bool) -> None:
    """The development stack: database, migrations, demo tenants, worker and server."""
    from app.db.admin import migrate as do_migrate

    try:
        from devtools.bureau.dev import start_for_development
        from devtools.demo import seed_demo
        from devtools.stripe_emulator import dev_stripe_emulator
    except ModuleNotFoundError as exc:
        raise devtools_missing(exc) from exc

    dev_database()
    settings = get_settings()
    assert settings.owner_url
    do_migrate(settings.owner_url)
    children: list[subprocess.Popen[bytes]] = []
    bureau = start_for_development(settings.bureau_url, settings.data_dir / "bureau-sim.json")
    if bureau is not None:
        children.append(bureau)
        click.echo(f"bureau stand-in at {settings.bureau_url} (BUREAU_URL)")
    stripe_emulator = dev_stripe_emulator()
    if stripe_emulator is not None:
        click.echo(f"Stripe emulator at {stripe_emulator.url} (STRIPE_API_BASE)")
    settings = get_settings()
    try:
        if settings.demo_data:
            seed_demo()
        if not no_worker:
            children.append(subprocess.Popen([sys.executable, "-m", "app.cli", "worker"]))
        click.echo(f"Zhilv is serving on {settings.base_url}  (Ctrl-C stops it)")
        serve.callback(host=None, port=None, workers=None)  # type: ignore[misc]
    finally:
        for child in children:
            child.terminate()
            child.wait(timeout=10)
        if stripe_emulator is not None:
            stripe_emulator.stop()


@main.command(
    "bureau-sim",
    add_help_option=False,
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
@click.pass_context
def bureau_sim(ctx: click.Context) -> None:
    """The tourism bureau stand-in for development (`zhilv bureau-sim --help`)."""
    try:
        from devtools.bureau.cli import bureau_sim as stand_in
    except ModuleNotFoundError as exc:
        raise devtools_missing(exc) from exc
    stand_in.main(args=ctx.args, prog_name="zhilv bureau-sim")


def _register_package_commands() -> None:
    from modules.boarding.cli import gate
    from tenants.cli import apikeys, operators, tenants
    from workers.cli import worker

    for command in (tenants, apikeys, operators, worker, gate):
        main.add_command(command)


_register_package_commands()

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
