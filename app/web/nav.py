"""Console navigation: each package contributes items; the shell shows only the tenant's
enabled modules and the pages the user's role may open."""

from __future__ import annotations

from dataclasses import dataclass

from app.security.access import Staff


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str
    label: str  # an English msgid
    href: str
    # The guard of the page it opens (shown only to those it admits); None: every role.
    roles: Staff | None = None
    module: str | None = None  # None: always on
    section: str = "main"  # main | admin
    order: int = 100
    # A fragment URL for a count beside the label, fetched by htmx after the page loads
    # (so rendering the shell costs no query); an empty answer shows no badge.
    badge_url: str | None = None

    def visible(self, role: str | None, enabled_modules: tuple[str, ...]) -> bool:
        if self.module and self.module not in enabled_modules:
            return False
        return self.roles is None or self.roles.admits(role)
