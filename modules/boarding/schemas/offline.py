"""API types of the offline gate: the batch of scans a gate queued while it had no network.

The offline pack itself is answered as the signed envelope `domain.seal_pack` builds
(docs/boarding.md, "Offline gate"), not as a dataclass: its payload must reach the gate
byte for byte as it was signed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from app.errors import Invalid
from app.web.input import Cleaned, Text
from modules.boarding.domain import ScanDirection
from modules.boarding.service.offline import QueuedScan

MAX_DEVICE_SEQ = 2**63 - 1


@dataclass
class QueuedScanIn(Cleaned):
    """One scan the gate let through: its own sequence number, the code as scanned, which
    way and at which port call, and the device's time of the scan."""

    device_seq: int
    code: Annotated[str, Text(1000)]
    direction: Annotated[str, Text(12)]
    port_call_id: uuid.UUID
    scanned_at: datetime

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.device_seq, bool) or not 0 <= self.device_seq <= MAX_DEVICE_SEQ:
            raise Invalid.field("device_seq", "A device sequence number is a whole number from 0.")
        if ScanDirection.parse(self.direction) is None:
            raise Invalid.field("direction", "Choose boarding or going ashore.")
        if self.scanned_at.tzinfo is None:
            raise Invalid.field("scanned_at", "Give the time of the scan with its UTC offset.")

    def queued(self) -> QueuedScan:
        return QueuedScan(
            device_seq=self.device_seq,
            code=self.code,
            direction=self.direction,
            port_call_id=self.port_call_id,
            scanned_at=self.scanned_at,
        )


@dataclass
class ScanBatchIn(Cleaned):
    """A gate's queued scans for one voyage (at most 1000 a batch, sent again as they are
    when the answer was lost: a batch applies once)."""

    device_id: Annotated[str, Text(64)]
    voyage_id: uuid.UUID
    scans: list[QueuedScanIn]
