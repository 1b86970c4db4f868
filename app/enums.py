"""Status enums with their labels: one source for Python and templates.

    class StayStatus(LabelledEnum):
        RESERVED = "reserved", "Reserved"
        IN_HOUSE = "in_house", "In house"

A member is its string (it compares equal to, and is stored as, "in_house"); `.label` is the
English msgid that pages translate (`{{ _(status.label) }}`), and `StayStatus.labels()` maps
every stored value to its msgid for templates that only have the raw value.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self


class LabelledEnum(StrEnum):
    _label: str

    def __new__(cls, value: str, label: str | None = None) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label or value
        return member

    @property
    def label(self) -> str:
        return self._label

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {m.value: m._label for m in cls}

    @classmethod
    def parse(cls, value: Any) -> Self | None:
        """The member for a stored or submitted value, None for anything else."""
        try:
            return cls(value)
        except ValueError:
            return None
