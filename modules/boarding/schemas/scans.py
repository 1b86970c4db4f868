"""A scan at the gangway: the API body and answer, the gangway page's form, and the words the
gangway shows for each outcome (big green 允许登船, or big red with the reason)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from app.errors import Invalid
from app.web.input import Cleaned, Text, read_int
from modules.boarding.domain import ScanDirection
from modules.boarding.service.gangway import (
    MAX_CODE_LENGTH,
    MAX_DEVICE_SEQ,
    ScanResult,
    scan_message,
)


@dataclass
class ScanIn(Cleaned):
    """One scan from a gate device or scanner. `device_seq` grows with every scan of the
    device: sending the same (device_id, device_seq) again answers the first answer."""

    code: Annotated[str, Text(MAX_CODE_LENGTH)]
    voyage_id: uuid.UUID
    direction: Annotated[str, Text(12)]
    device_id: Annotated[str, Text(64)]
    device_seq: int
    port_call_id: uuid.UUID | None = None  # the voyage's current port call
    scanned_at: datetime | None = None  # the device's time; the server's when missing

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.device_seq, bool) or not 0 <= self.device_seq <= MAX_DEVICE_SEQ:
            raise Invalid.field("device_seq", "A device sequence number is a whole number from 0.")
        if ScanDirection.parse(self.direction) is None:
            raise Invalid.field("direction", "Choose boarding or going ashore.")
        if not self.device_id:
            raise Invalid.field("device_id", "Name the scanning device (at most 64 characters).")
        if self.scanned_at is not None and self.scanned_at.tzinfo is None:
            raise Invalid.field("scanned_at", "Give the time of the scan with its UTC offset.")


@dataclass
class GangwayScanForm(Cleaned):
    """The gangway page's form: the code as the scanner typed it (or the camera read it),
    the port call and direction chosen on the page, and the browser's own device id and
    sequence number (kept in the browser)."""

    code: Annotated[str, Text(MAX_CODE_LENGTH)] = ""
    direction: Annotated[str, Text(12)] = ScanDirection.EMBARK.value
    port_call_id: Annotated[str, Text(40)] = ""
    device_id: Annotated[str, Text(64)] = ""
    device_seq: Annotated[str, Text(20)] = ""

    def call_id(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.port_call_id) if self.port_call_id else None
        except ValueError:
            raise Invalid.field("port_call_id", "Choose a port call of this voyage.") from None

    def seq(self) -> int:
        number = read_int(self.device_seq, minimum=0, maximum=MAX_DEVICE_SEQ)
        if number is None:
            raise Invalid.field("device_seq", "A device sequence number is a whole number from 0.")
        return number


@dataclass(frozen=True, slots=True)
class ScanOut:
    """The gangway's answer. `outcome` accepted | refused | conflict; `reason` the refusal's
    code; `message` the headline in the request's language; `aboard` the passengers aboard
    the voyage now; `replayed` true when this repeats the first answer to the same
    (device_id, device_seq)."""

    scan_id: uuid.UUID
    outcome: str
    reason: str | None
    message: str
    direction: str
    voyage_id: uuid.UUID | None
    port_call_id: uuid.UUID | None
    passenger_id: uuid.UUID | None
    passenger_name: str
    cabin_number: str
    movement_no: int | None
    aboard: int
    device_id: str
    device_seq: int
    scanned_at: datetime
    offline: bool
    replayed: bool

    @classmethod
    def of(cls, result: ScanResult) -> ScanOut:
        return cls(
            scan_id=result.scan_id,
            outcome=result.outcome.value,
            reason=result.reason.value if result.reason else None,
            message=scan_message(result.outcome, result.direction, result.reason),
            direction=result.direction.value,
            voyage_id=result.voyage_id,
            port_call_id=result.port_call_id,
            passenger_id=result.passenger_id,
            passenger_name=result.passenger_name,
            cabin_number=result.cabin_number,
            movement_no=result.movement_no,
            aboard=result.aboard,
            device_id=result.device_id,
            device_seq=result.device_seq,
            scanned_at=result.scanned_at,
            offline=result.offline,
            replayed=result.replayed,
        )
