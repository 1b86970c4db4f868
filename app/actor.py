"""The acting person: who made a change and from where, as audit logs and records name them.

One shape for every module. A staff member in the console has `user_id` (and a display
name); a device or partner acts through `api_key_id` or `device_id`; the system (demo
data, scheduled jobs) is `SYSTEM`. Requests build it once: `ctx.actor`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: uuid.UUID | None = None
    name: str = ""
    ip: str | None = None
    user_agent: str | None = None
    api_key_id: uuid.UUID | None = None
    device_id: uuid.UUID | None = None


# The system itself (demo data, scheduled jobs): no person, named 系统 where a name shows.
SYSTEM = Actor(name="系统")
