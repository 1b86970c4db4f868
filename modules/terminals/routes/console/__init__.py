"""The console's terminal pages: the devices (devices), the content tabs (content: pages
and spots; media: videos, announcements, the itinerary)."""

from typing import Any

from modules.terminals.routes.console import content, devices, media

ROUTES: list[Any] = [*devices.ROUTES, *content.ROUTES, *media.ROUTES]
