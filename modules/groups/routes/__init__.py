"""Routes of the groups module, collected for the composition root: the console only."""

from typing import Any

from app.web.nav import NavItem
from modules.groups import permissions
from modules.groups.routes import console

ROUTES: list[Any] = [*console.ROUTES]
NAV = [
    NavItem(
        key="groups",
        label="Group tours",
        href="/console/groups",
        roles=permissions.GROUPS,
        module="groups",
        order=42,
    )
]
