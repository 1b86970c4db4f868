"""Rows to the views other modules and the pages see; the actor behind a change."""

from __future__ import annotations

from collections.abc import Sequence

from modules.frontdesk import domain
from modules.frontdesk.models import FolioLine, RoomMove, Stay
from modules.frontdesk.schemas import FolioLineView, FolioView, RoomMoveView, StayView


def stay_view(row: Stay) -> StayView:
    return StayView(
        id=row.id,
        reservation_id=row.reservation_id,
        unit_id=row.unit_id,
        unit_number=row.unit_number,
        status=row.status,
        guest_name=row.guest_name,
        checked_in_at=row.checked_in_at,
        checked_out_at=row.checked_out_at,
    )


def line_view(row: FolioLine) -> FolioLineView:
    return FolioLineView(
        id=row.id,
        stay_id=row.stay_id,
        kind=row.kind,
        description=row.description,
        amount_fen=row.amount_fen,
        source=row.source,
        method=row.method,
        service_date=row.service_date,
        posted_at=row.posted_at,
    )


def folio_view(stay: Stay, rows: Sequence[FolioLine]) -> FolioView:
    lines = tuple(line_view(r) for r in rows)
    received = -sum(line.amount_fen for line in lines if line.kind in ("payment", "refund"))
    return FolioView(
        stay=stay_view(stay),
        lines=lines,
        charges_fen=sum(line.amount_fen for line in lines if line.kind in ("charge", "adjustment")),
        payments_fen=received,
        balance_fen=domain.balance(line.amount_fen for line in lines),
    )


def move_view(row: RoomMove) -> RoomMoveView:
    return RoomMoveView(
        from_number=row.from_number,
        to_number=row.to_number,
        reason=row.reason,
        moved_at=row.created_at,
    )
