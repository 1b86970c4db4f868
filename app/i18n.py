"""Translations: English msgids, zh-CN first.

Catalogs are `app/locale/<locale>/LC_MESSAGES/*.po` (one file per area of the
product, merged), compiled in memory at first use (no build step). The current
locale lives in a context variable set per request (`use_locale`), so `_()` works
the same in routes, services and templates.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LOCALE_DIR = Path(__file__).parent / "locale"
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}

_current: ContextVar[str] = ContextVar("zhilv_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> NullTranslations:
    """All `*.po` files of the locale merged (one per area of the product)."""
    files = sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po"))
    if not files:
        return NullTranslations()
    merged: Translations | None = None
    for po in files:
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        part = Translations(fp=buf)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    assert merged is not None
    return merged


def current_locale() -> str:
    return _current.get()


def set_locale(locale: str | None) -> str:
    chosen = locale if locale in LOCALES else DEFAULT_LOCALE
    _current.set(chosen)
    return chosen


@contextmanager
def use_locale(locale: str | None) -> Iterator[str]:
    token = _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def gettext(message: str, **params: object) -> str:
    text = translations(_current.get()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(_current.get()).ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


def lazy_gettext(message: str, **params: object) -> LazyProxy:
    return LazyProxy(gettext, message, enable_cache=False, **params)


_ = gettext
