"""Chinese first: every msgid in code and templates has a zh_CN translation."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir

from app.i18n import translations
from app.settings import PROJECT_ROOT

# gettext itself, and the error classes whose first argument is an English msgid
# translated when the error is rendered.
ERRORS = (
    "AppError",
    "NotAuthenticated",
    "Forbidden",
    "NotFound",
    "Conflict",
    "Invalid",
    "TooManyRequests",
    "Unavailable",
)
KEYWORDS = {
    "_": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "field": (2,),  # Invalid.field(name, message)
    **{name: (1,) for name in ERRORS},
}
METHOD_MAP = [
    ("app/**.py", "python"),
    ("tenants/**.py", "python"),
    ("modules/**.py", "python"),
    ("workers/**.py", "python"),
    ("templates/**.html", "jinja2"),
]


def _msgids() -> dict[str, str]:
    found: dict[str, str] = {}
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT),
        METHOD_MAP,
        options_map=options,
        keywords=KEYWORDS,
        directory_filter=lambda d: not d.split("/")[-1].startswith(".") and "node_modules" not in d,
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, filename)
    return found


def test_every_msgid_has_a_chinese_translation():
    catalog = translations("zh_CN")
    missing = [
        f"{where}: {msgid!r}"
        for msgid, where in sorted(_msgids().items(), key=lambda i: i[1])
        if catalog.gettext(msgid) == msgid
    ]
    assert not missing, f"{len(missing)} strings lack zh_CN:\n" + "\n".join(missing)


def test_every_console_navigation_label_is_translated(app):
    catalog = translations("zh_CN")
    missing = [i.label for i in app.state.nav if catalog.gettext(i.label) == i.label]
    assert not missing
