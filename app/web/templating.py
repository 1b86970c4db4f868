"""Jinja2 set-up: gettext, money and time filters, the console shell's globals."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from app import clock, i18n
from app.money import format_fen
from app.settings import PROJECT_ROOT
from app.web.headers import CSP_NONCE

TEMPLATE_DIR = PROJECT_ROOT / "templates"


def format_dt(
    value: datetime | None, tz: str = clock.DEFAULT_TZ, fmt: str = "%Y-%m-%d %H:%M"
) -> str:
    if value is None:
        return ""
    return value.astimezone(clock.zone(tz)).strftime(fmt)


def configure_environment(env: Environment) -> None:
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.filters["fen"] = format_fen
    env.filters["dt"] = format_dt
    env.globals["current_locale"] = i18n.current_locale
    env.globals["LOCALE_NAMES"] = i18n.LOCALE_NAMES
    env.globals["csp_nonce"] = CSP_NONCE  # nonce="{{ csp_nonce }}" on an inline <script>/<style>
    env.autoescape = True


def template_config(directory: Path = TEMPLATE_DIR) -> TemplateConfig[JinjaTemplateEngine]:
    def _engine_callback(engine: JinjaTemplateEngine) -> None:
        configure_environment(engine.engine)

    return TemplateConfig(
        directory=directory, engine=JinjaTemplateEngine, engine_callback=_engine_callback
    )


def render_string(source: str, **context: Any) -> str:
    """Small texts (notification bodies) rendered with the same filters."""
    env = Environment(autoescape=False)  # noqa: S701 - plain-text messages, never HTML
    configure_environment(env)
    env.autoescape = False
    return env.from_string(source).render(**context)
