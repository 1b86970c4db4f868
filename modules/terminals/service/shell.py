"""The terminal shell: rendering a guest page inside it, the home screen's tiles, and
what a terminal page answers when the device is not (or no longer) paired.

For other modules (guest services) — a page of yours inside the terminal:

    from modules.terminals import service as terminals

    class MyPages(Controller):
        path = "/terminal/services"
        opt = {"guard": Device()}  # app.security.access
        exception_handlers = terminals.TERMINAL_EXCEPTION_HANDLERS  # unpaired -> pairing
        @get("/")
        async def page(self, request, ctx: Ctx) -> Template:
            return await terminals.terminal_page(request, ctx, "guestservices/x.html",
                                                 active="services", ...)

Your template extends "terminals/base.html" and fills `{% block content %}`. The home
screen already shows tiles for /terminal/services, /terminal/dining, /terminal/bill and
/terminal/feedback (see TERMINAL_TILES); to add another, append a `TerminalTile` to
`TERMINAL_TILES` from your routes/terminal.py (its label is an English msgid in your .po).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from litestar.response import Redirect, Template

from app.errors import NotAuthenticated
from app.web.errors import handle_exception, is_htmx, wants_json
from modules.terminals.service.stay import device_unit, terminal_stay
from tenants.context import RequestContext

__all__ = [
    "NO_STORE",
    "TERMINAL_EXCEPTION_HANDLERS",
    "TERMINAL_TILES",
    "TerminalTile",
    "terminal_page",
]

# Terminal pages carry a guest's name and bill: never kept by the browser or a proxy,
# so nothing of a departed guest comes back with the back button.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
PAIR_URL = "/terminal/pair"


@dataclass(frozen=True, slots=True)
class TerminalTile:
    key: str
    label: str  # an English msgid
    href: str
    icon: str  # a name from templates/terminals/_partials/icons.html
    order: int
    needs_stay: bool = False  # shown only while a guest is checked in
    kinds: tuple[str, ...] = ()  # tenant kinds it is for ("cruise",); empty: all
    in_nav: bool = False  # also in the bottom bar

    def shown(self, kinds: tuple[str, ...], checked_in: bool) -> bool:
        if self.needs_stay and not checked_in:
            return False
        return not self.kinds or any(k in kinds for k in self.kinds)


TERMINAL_TILES: list[TerminalTile] = [
    TerminalTile("info", "Hotel information", "/terminal/info", "info", 10, in_nav=True),
    TerminalTile(
        "itinerary", "Itinerary", "/terminal/itinerary", "itinerary", 15, kinds=("cruise",)
    ),
    TerminalTile("spots", "Scenic guide", "/terminal/spots", "spots", 20),
    TerminalTile("videos", "Videos", "/terminal/videos", "videos", 30),
    # The guest-services module serves these four.
    TerminalTile("services", "Services", "/terminal/services", "services", 40, True, in_nav=True),
    TerminalTile("dining", "Room service", "/terminal/dining", "dining", 50, True, in_nav=True),
    TerminalTile("bill", "My bill", "/terminal/bill", "bill", 60, True, in_nav=True),
    TerminalTile("feedback", "Rate your stay", "/terminal/feedback", "feedback", 70, True),
]


def tiles_for(kinds: tuple[str, ...], checked_in: bool) -> list[TerminalTile]:
    shown = [t for t in TERMINAL_TILES if t.shown(kinds, checked_in)]
    return sorted(shown, key=lambda t: t.order)


async def terminal_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    template: str,
    *,
    active: str = "",
    status_code: int = 200,
    **context: Any,
) -> Template:
    """A guest page inside the terminal shell (greeting, navigation, language switch),
    computed from the device's current stay and sent with `Cache-Control: no-store`."""
    device_id = ctx.principal.device_id
    stay = await terminal_stay(ctx.db, ctx.tenant_id, device_id) if device_id else None
    unit = await device_unit(ctx.db, ctx.tenant_id, device_id) if device_id else None
    kinds = ctx.tenant.kinds if ctx.tenant else ()
    tiles = tiles_for(kinds, stay is not None)
    shell = {
        "tenant": ctx.tenant,
        "stay": stay,
        "unit_number": unit.number if unit else "",
        "is_cruise": "cruise" in kinds,
        "tiles": tiles,
        "nav": [t for t in tiles if t.in_nav],
        "active": active,
    }
    return Template(
        template_name=template,
        context={"shell": shell, **context},
        status_code=status_code,
        headers=NO_STORE,
    )


def _not_paired(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """An unknown, revoked or re-paired device goes to the pairing screen, not to the
    staff sign-in page."""
    if wants_json(request):
        return handle_exception(request, exc)
    if is_htmx(request):
        return Response("", status_code=401, headers={"HX-Redirect": PAIR_URL, **NO_STORE})
    return Redirect(PAIR_URL, status_code=303, headers=NO_STORE)


TERMINAL_EXCEPTION_HANDLERS: dict[Any, Any] = {NotAuthenticated: _not_paired}
