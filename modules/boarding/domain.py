"""Pure rules of cruise boarding: the Yangtze ports, voyage and passenger states, scan outcomes
and voyage numbers.

Ports (shared/domain/REFERENCE.md §5.2): a Three Gorges cruise downstream (下水) boards at 重庆
朝天门 and calls at 丰都, 忠县, 万州, 奉节, 巫山 (and 巴东 or 秭归 on some ships) before passengers
leave the ship in the 宜昌 area; upstream (上水) is the reverse. When the water is low at
朝天门 the line buses passengers to 丰都 or 涪陵 and boards them there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.enums import LabelledEnum


@dataclass(frozen=True, slots=True)
class Port:
    code: str
    name: str  # shown as is: a place name
    name_en: str
    district: str  # GB/T 2260 county code (REFERENCE §5.1), or the Hubei city's
    pier: str  # the pier passengers are sent to, with its address


PORTS: dict[str, Port] = {
    p.code: p
    for p in (
        Port("CTM", "朝天门", "Chaotianmen (Chongqing)", "500103", "重庆市渝中区 朝天门码头"),
        Port("FL", "涪陵", "Fuling", "500102", "重庆市涪陵区 涪陵港客运码头"),
        Port("FD", "丰都", "Fengdu", "500230", "重庆市丰都县 名山码头"),
        Port("ZX", "忠县", "Zhongxian (Shibaozhai)", "500233", "重庆市忠县 石宝寨码头"),
        Port("WZ", "万州", "Wanzhou", "500101", "重庆市万州区 万州港客运码头"),
        Port("FJ", "奉节", "Fengjie (White Emperor City)", "500236", "重庆市奉节县 白帝城码头"),
        Port("WS", "巫山", "Wushan", "500237", "重庆市巫山县 巫山港客运码头"),
        Port("BD", "巴东", "Badong", "422823", "湖北省巴东县 巴东港"),
        Port("ZG", "秭归", "Zigui (Maoping)", "420527", "湖北省秭归县 茅坪港"),
        Port("YC", "宜昌", "Yichang", "420500", "湖北省宜昌市 宜昌港客运码头"),
    )
}
# Where a low-water voyage may board instead of 朝天门 (buses from the city).
LOW_WATER_PORTS = ("FD", "FL")
DOWNSTREAM_CALLS = ("CTM", "FD", "ZX", "WZ", "FJ", "WS", "YC")


class Direction(LabelledEnum):
    DOWNSTREAM = "downstream", "Downstream (Chongqing → Yichang)"
    UPSTREAM = "upstream", "Upstream (Yichang → Chongqing)"


class VoyageStatus(LabelledEnum):
    PLANNED = "planned", "Planned"
    BOARDING = "boarding", "Boarding"
    SAILING = "sailing", "Sailing"
    ARRIVED = "arrived", "Arrived"
    CANCELLED = "cancelled", "Cancelled"


# The moves a purser may make; anything else is refused.
VOYAGE_MOVES: dict[VoyageStatus, tuple[VoyageStatus, ...]] = {
    VoyageStatus.PLANNED: (VoyageStatus.BOARDING, VoyageStatus.CANCELLED),
    VoyageStatus.BOARDING: (VoyageStatus.SAILING, VoyageStatus.CANCELLED),
    VoyageStatus.SAILING: (VoyageStatus.ARRIVED,),
    VoyageStatus.ARRIVED: (),
    VoyageStatus.CANCELLED: (),
}


class PassengerStatus(LabelledEnum):
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Pre-checked-in"
    CANCELLED = "cancelled", "Cancelled"


class ScanDirection(LabelledEnum):
    EMBARK = "embark", "Boarding"
    DISEMBARK = "disembark", "Going ashore"


class ScanOutcome(LabelledEnum):
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"
    CONFLICT = "conflict", "Conflict"


class RefusalReason(LabelledEnum):
    """Why the gangway said no (shown big and red, and stored with the scan)."""

    ALREADY_ABOARD = "already_aboard", "Already aboard"
    NOT_ABOARD = "not_aboard", "Not aboard"
    WRONG_VOYAGE = "wrong_voyage", "Another voyage"
    WRONG_PORT = "wrong_port", "Boards at another port"
    NOT_YET_VALID = "not_yet_valid", "Not yet valid"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
    FORGED = "forged", "Forged"
    UNKNOWN = "unknown", "Unknown code"
    CANCELLED = "cancelled", "Booking cancelled"


class CrewRole(LabelledEnum):
    CAPTAIN = "captain", "Captain"
    OFFICER = "officer", "Officer"
    ENGINEER = "engineer", "Engineer"
    PURSER = "purser", "Purser"
    HOSPITALITY = "hospitality", "Hospitality"
    GUIDE = "guide", "Tour guide"
    MEDICAL = "medical", "Medical"
    OTHER = "other", "Other crew"


VOYAGE_NUMBER = re.compile(r"^[A-Z]{2,4}\d{8}[A-Z]?$", re.ASCII)


def voyage_number(prefix: str, sails_on: date, suffix: str = "A") -> str:
    """`CJ20261210A`: the line's prefix, the sailing date, a letter for a second sailing."""
    return f"{prefix}{sails_on:%Y%m%d}{suffix}"


def movement_direction(movement_no: int) -> ScanDirection:
    """A passenger's moves alternate: the first (and every odd) move is boarding, the next
    going ashore. Numbering them lets the database refuse a second boarding by a unique key."""
    return ScanDirection.EMBARK if movement_no % 2 == 1 else ScanDirection.DISEMBARK
