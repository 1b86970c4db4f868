"""The composition root: the one place that lists the packages and mounts their routes."""

from __future__ import annotations

import logging
from typing import Any

from granian.utils.proxies import wrap_asgi_with_proxy_headers
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from sqlalchemy import text

import modules.boarding.routes
import modules.contracts.routes
import modules.distribution.routes
import modules.distribution.service
import modules.filings.routes
import modules.filings.service
import modules.frontdesk.routes
import modules.groups.routes
import modules.guestservices.routes
import modules.guides.routes
import modules.keytags.routes
import modules.payments.routes
import modules.reservations.routes
import modules.terminals.routes
import tenants.routes
from app import events
from app.db.engine import Database
from app.security.access import check_guards
from app.settings import PROJECT_ROOT, Settings, get_settings
from app.web import health, metrics, pages
from app.web.errors import handle_exception
from app.web.headers import security_headers
from app.web.logging import configure_logging
from app.web.nav import NavItem
from app.web.pipeline import request_pipeline
from app.web.templating import template_config
from tenants.context import provide_context, record_answer

log = logging.getLogger("zhilv")

# Packages with routes, in the order their navigation appears.
PACKAGES: list[Any] = [
    tenants.routes,
    modules.reservations.routes,
    modules.boarding.routes,
    modules.keytags.routes,
    modules.frontdesk.routes,
    modules.payments.routes,
    modules.terminals.routes,
    modules.guestservices.routes,
    modules.contracts.routes,
    modules.guides.routes,
    modules.groups.routes,
    modules.distribution.routes,
    modules.filings.routes,
]

VENDOR_DIR = PROJECT_ROOT / "node_modules"


def _route_handlers() -> list[Any]:
    handlers: list[Any] = [health.healthz, metrics.metrics, pages.landing, pages.switch_language]
    for package in PACKAGES:
        handlers.extend(package.ROUTES)
    handlers.append(
        create_static_files_router(path="/static", directories=[PROJECT_ROOT / "app" / "static"])
    )
    handlers.append(
        create_static_files_router(
            path="/static/vendor",
            # htmx; the gangway page's camera QR reader (@zxing/browser, self-contained UMD)
            directories=[
                VENDOR_DIR / "htmx.org" / "dist",
                VENDOR_DIR / "@zxing" / "browser" / "umd",
            ],
            name="vendor",
            include_in_schema=False,
        )
    )
    return handlers


def _nav() -> list[NavItem]:
    items = [item for package in PACKAGES for item in getattr(package, "NAV", [])]
    return sorted(items, key=lambda i: (i.section, i.order))


async def _check_role(app: Litestar) -> None:
    """The application role must not bypass row-level security."""
    settings: Settings = app.state.settings
    async with app.state.database.engine.connect() as conn:
        row = (
            await conn.execute(
                text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
            )
        ).scalar()
    if row:
        message = (
            "DATABASE_URL connects as a superuser or BYPASSRLS role: tenant isolation by "
            "row-level security would not hold. Use the application role (zhilv db init)."
        )
        if settings.env == "production":
            raise RuntimeError(message)
        log.warning(message)


def _our_handlers(app: Litestar) -> list[Any]:
    """Every route handler of ours: Litestar's own OpenAPI pages and the static-file
    routers are left out (public by nature)."""
    return [
        handler
        for route in app.routes
        if not route.path.startswith(("/schema", "/static"))
        for handler in getattr(route, "route_handlers", [])
    ]


def _framework_route(handler: Any) -> bool:
    """The OPTIONS answers Litestar adds to every path: they list the allowed methods and
    run no handler of ours."""
    return set(handler.http_methods) == {"OPTIONS"}


def _proxy_headers(trusted: str) -> Any:
    """Believe X-Forwarded-For/-Proto only from the configured reverse proxies, so that
    throttling and the audit log see the real client address."""

    def middleware(app: Any) -> Any:
        return wrap_asgi_with_proxy_headers(app, trusted) if trusted else app

    return middleware


def _csrf(settings: Settings) -> CSRFConfig:
    """Console and public forms carry a token matching the `zhilv_csrf` cookie. Checked by
    the request pipeline, not as the app's `csrf_config`: that would put two more layers
    (the check and an exception handler) in front of every route, the API's included."""
    return CSRFConfig(
        secret=settings.secret_key,
        cookie_name="zhilv_csrf",
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
        header_name="x-csrftoken",
    )


def create_app(settings: Settings | None = None, database: Database | None = None) -> Litestar:
    settings = settings or get_settings()
    configure_logging(
        settings.log_level, settings.log_json, production=settings.env == "production"
    )
    events.subscribe_all(modules.distribution.service.EVENT_HANDLERS)  # redemptions
    if database is None:
        if not settings.database_url:
            raise RuntimeError("DATABASE_URL is not set (make run sets it up for development)")
        database = Database.from_url(
            settings.database_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
        )

    async def on_shutdown(app: Litestar) -> None:
        await app.state.database.dispose()

    app = Litestar(
        route_handlers=_route_handlers(),
        dependencies={"ctx": Provide(provide_context)},
        after_request=record_answer,  # the transaction commits below 400, else rolls back
        middleware=[
            _proxy_headers(settings.forwarded_allow_ips),
            metrics.request_metrics(),
            # request id and log, CSP nonce, locale, input screen, CSRF (not on /api/):
            # one layer, see app/web/pipeline.py
            request_pipeline(_csrf(settings)),
        ],
        logging_config=None,  # our JSON logs (configure_logging), not Litestar's defaults
        exception_handlers={Exception: handle_exception},
        before_send=[security_headers(settings)],
        template_config=template_config(),
        openapi_config=OpenAPIConfig(
            title="Zhilv API",
            version="1",
            path="/schema",
            description="智旅 Zhilv — API for devices and partners. Authenticate with "
            "`Authorization: Bearer <API key>`; errors are `{code, message, errors?}`.",
            components=Components(
                security_schemes={
                    "apiKey": SecurityScheme(type="http", scheme="bearer", description="API key")
                }
            ),
        ),
        state=State(
            {
                "settings": settings,
                "database": database,
                "nav": _nav(),
                "tenant_gauges": [modules.filings.service.FILING_GAUGES],  # GET /metrics
            }
        ),
        on_startup=[_check_role],
        on_shutdown=[on_shutdown],
        request_max_body_size=20 * 1024 * 1024,
        debug=False,
    )
    # A route without a typed guard stops start-up; the API-key page offers only the
    # scopes some route requires.
    used = check_guards(_our_handlers(app), exempt=_framework_route)
    app.state.scopes_in_use = frozenset(used)
    return app
