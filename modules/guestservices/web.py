"""Small helpers the guest-services pages share (console and terminal)."""

from __future__ import annotations

from typing import Any

from modules.guestservices import domain

QUEUE_ROLES = frozenset({"manager", "front_desk"})
MANAGER_ROLES = frozenset({"manager"})


def labels() -> dict[str, Any]:
    """English msgids of every code the pages show (templates translate them)."""
    return {
        "kind": domain.KIND_LABELS,
        "status": domain.STATUS_LABELS,
        "action": domain.ACTION_LABELS,
        "menu": domain.MENU_LABELS,
        "order_status": domain.ORDER_STATUS_LABELS,
        "order_action": domain.ORDER_ACTION_LABELS,
        "category": domain.COMPLAINT_CATEGORY_LABELS,
        "complaint_status": domain.COMPLAINT_STATUS_LABELS,
        "subject": domain.RATING_SUBJECT_LABELS,
    }
