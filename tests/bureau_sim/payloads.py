"""Valid filing bodies per PROTOCOL.md; tests change one thing to see it refused."""

from __future__ import annotations

import copy
from typing import Any

# The worked example of GB 11643-1999 itself, and three Chongqing numbers.
STANDARD_EXAMPLE_ID = "11010519491231002X"
LEAD_ID = "500103198506123411"
TOURIST_IDS = ("500105199203045628", "500106197809217831")

HOTEL_FIGURES = {
    "rooms": 120,
    "room_nights_available": 3720,
    "room_nights_sold": 2790,
    "occupancy_bp": 7500,
    "adr_fen": 45800,
    "revpar_fen": 34350,
    "room_revenue_fen": 127782000,
    "fnb_revenue_fen": 31000000,
    "other_revenue_fen": 4200000,
    "guests_domestic": 4100,
    "guests_foreign": 230,
    "guest_nights": 5600,
}
AGENCY_FIGURES = {
    "contracts_signed": 310,
    "tourists_organised": 1450,
    "tourist_person_days_organised": 5200,
    "tourists_received": 2100,
    "tourist_person_days_received": 6900,
    "outbound_tourists": 80,
    "revenue_fen": 980000000,
}
CRUISE_FIGURES = {
    "departure_date": "2026-10-02",
    "arrival_date": "2026-10-05",
    "cabins": 200,
    "cabins_sold": 188,
    "passengers_booked": 380,
    "passengers_boarded": 372,
    "passengers_disembarked": 372,
    "crew": 140,
    "revenue_fen": 1580000000,
}
HOT_SPRING_FIGURES = {
    "visits": 18200,
    "key_tags_issued": 18150,
    "admission_revenue_fen": 301000000,
    "consumption_revenue_fen": 86000000,
    "average_stay_minutes": 185,
}


def person(name: str, id_number: str, id_type: str = "resident_id", **extra: Any) -> dict[str, Any]:
    return {"name": name, "id_type": id_type, "id_number": id_number, **extra}


def contract(e_number: str = "HT-2026-000123", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "district_code": "500103",
        "e_number": e_number,
        "contract_type": "domestic_group",
        "signed_at": "2026-11-20T10:15:00+08:00",
        "agency_licence_no": "L-CQ-00123",
        "tourist_count": 3,
        "lead_tourist": person("张伟", LEAD_ID, phone="13800138000"),
        "tourists": [
            person("张伟", LEAD_ID),
            person("李娜", TOURIST_IDS[0]),
            person("王芳", TOURIST_IDS[1]),
        ],
        "itinerary": {
            "start_date": "2026-12-01",
            "end_date": "2026-12-04",
            "departure": "重庆",
            "destinations": ["武隆", "仙女山"],
            "days": 4,
            "nights": 3,
        },
        "price_total_fen": 897000,
        "currency": "CNY",
        "guide_licence_nos": ["D-5000-012345"],
        "insurance": {"insurer": "中国人保", "policy_no": "PICC-2026-778899"},
    }
    body.update(changes)
    return body


def with_itinerary(**changes: Any) -> dict[str, Any]:
    body = contract()
    body["itinerary"] = {**body["itinerary"], **changes}
    return body


def amendment(**changes: Any) -> dict[str, Any]:
    return {
        "district_code": "500103",
        "amended_at": "2026-11-21T09:00:00+08:00",
        "reason": "游客要求延长一天",
        "changes": changes or {"price_total_fen": 950000},
    }


def cancellation(refund_fen: int = 500000) -> dict[str, Any]:
    return {
        "district_code": "500103",
        "cancelled_at": "2026-11-22T16:30:00+08:00",
        "reason": "游客因病解除合同",
        "refund_fen": refund_fen,
    }


def group(group_no: str = "TD-2026-1201", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "district_code": "500103",
        "group_no": group_no,
        "e_numbers": ["HT-2026-000123"],
        "start_date": "2026-12-01",
        "end_date": "2026-12-04",
        "tourist_count": 3,
        "guides": [{"licence_no": "D-5000-012345", "name": "陈静"}],
        "vehicles": [{"plate_no": "渝A12345", "seats": 45, "driver_name": "刘强"}],
        "days": [
            {"date": "2026-12-01", "places": ["武隆天生三桥"], "hotel": "仙女山假日酒店"},
            {"date": "2026-12-04", "places": ["龙水峡地缝"], "hotel": ""},
        ],
    }
    body.update(changes)
    return body


def guide_assignment(**changes: Any) -> dict[str, Any]:
    body = {
        "district_code": "500103",
        "group_no": "TD-2026-1201",
        "licence_no": "D-5000-012345",
        "from_date": "2026-12-01",
        "to_date": "2026-12-04",
    }
    return {**body, **changes}


FIGURES = {
    "hotel_monthly": ("2026-10", HOTEL_FIGURES),
    "agency_quarterly": ("2026-Q3", AGENCY_FIGURES),
    "cruise_voyage": ("CJ7-20261002", CRUISE_FIGURES),
    "hot_spring_monthly": ("2026-10", HOT_SPRING_FIGURES),
}


def statistics(report_type: str = "hotel_monthly", **changes: Any) -> dict[str, Any]:
    period, figures = FIGURES[report_type]
    body = {
        "district_code": "500103",
        "report_type": report_type,
        "period": period,
        "figures": copy.deepcopy(figures),
    }
    return {**body, **changes}
