"""Views and console forms of the resort's set-up: locker sections and lockers, tag stock,
outlets and their price lists, the key-tag rules."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SectionOccupancy:
    """A changing room's lockers at a glance (the desk's occupancy board)."""

    section_id: uuid.UUID
    code: str
    name: str
    kind: str
    total: int
    free: int
    occupied: int
    out_of_order: int
