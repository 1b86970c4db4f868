"""Views and console forms of members with a prepaid card (储值卡), and their statuses."""

from __future__ import annotations

from app.enums import LabelledEnum


class MemberStatus(LabelledEnum):
    ACTIVE = "active", "Active"
    LOST = "lost", "Reported lost"
    CLOSED = "closed", "Closed"


class MemberEntryKind(LabelledEnum):
    TOPUP = "topup", "Top-up"
    SPEND = "spend", "Spent"
    REFUND = "refund", "Refund"
    ADJUST = "adjust", "Adjustment"
