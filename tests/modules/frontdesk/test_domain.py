"""Pure front-desk rules: room suggestion, folio arithmetic, money typed by a clerk."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from modules.frontdesk import domain
from modules.reservations.service import UnitView

KING = uuid.uuid4()
TWIN = uuid.uuid4()


def room(number: str, *, status: str = "clean", type_id: uuid.UUID = KING, features=()) -> UnitView:
    return UnitView(
        id=uuid.uuid4(),
        number=number,
        floor=int(number[:-2]),
        unit_type_id=type_id,
        unit_type_code="K",
        unit_type_name="高级大床房",
        kind="room",
        status=status,
        features=tuple(features),
    )


def numbers(suggestions: list[domain.Suggestion]) -> list[str]:
    return [s.unit.number for s in suggestions]


class TestSuggestUnits:
    def test_only_ready_empty_rooms_of_the_booked_type_are_suggested(self):
        taken = room("1201")
        units = [
            taken,
            room("1202", status="dirty"),
            room("1203", status="out_of_order"),
            room("1204", type_id=TWIN),
            room("1205"),
            room("1206", status="inspected"),
        ]
        found = domain.suggest_units(units, unit_type_id=KING, occupied={taken.id})
        assert sorted(numbers(found)) == ["1205", "1206"]

    def test_inspected_rooms_come_before_merely_clean_ones(self):
        units = [room("1201"), room("1202", status="inspected")]
        assert numbers(domain.suggest_units(units, unit_type_id=KING, occupied=set())) == [
            "1202",
            "1201",
        ]

    def test_wished_features_outrank_inspection(self):
        units = [room("1201", status="inspected"), room("1802", features=["river_view"])]
        found = domain.suggest_units(
            units, unit_type_id=KING, occupied=set(), preferences=["river_view"]
        )
        assert numbers(found)[0] == "1802"
        assert "River view" in found[0].reasons

    def test_a_party_asking_for_one_floor_joins_the_floor_it_already_has(self):
        units = [room("1201", status="inspected", features=["river_view"]), room("1505")]
        found = domain.suggest_units(
            units,
            unit_type_id=KING,
            occupied=set(),
            preferences=["same_floor", "river_view"],
            party_floors=[15],
        )
        assert numbers(found)[0] == "1505"
        assert "Same floor as the rest of the party" in found[0].reasons

    def test_a_party_still_to_arrive_goes_to_a_floor_with_room_for_everyone(self):
        units = [room("1201", status="inspected"), room("1501"), room("1502"), room("1503")]
        found = domain.suggest_units(
            units,
            unit_type_id=KING,
            occupied=set(),
            preferences=["same_floor"],
            party_waiting=2,
        )
        assert numbers(found)[:3] == ["1501", "1502", "1503"]

    def test_without_a_wish_the_floor_does_not_matter(self):
        units = [room("1501"), room("1201")]
        found = domain.suggest_units(units, unit_type_id=KING, occupied=set(), party_floors=[15])
        assert numbers(found) == ["1201", "1501"]


class TestFolioRules:
    def test_balance_is_charges_minus_payments(self):
        assert domain.balance([38800, 38800, -50000, 3000]) == 30600

    @pytest.mark.parametrize(
        ("kind", "amount"),
        [("charge", -100), ("payment", 100), ("refund", -1), ("adjustment", 0), ("tip", 10)],
    )
    def test_lines_with_the_wrong_sign_are_refused(self, kind, amount):
        with pytest.raises(ValueError):
            domain.check_line_amount(kind, amount)

    @pytest.mark.parametrize(
        ("kind", "amount"), [("charge", 1), ("payment", -1), ("refund", 5), ("adjustment", -5)]
    )
    def test_lines_with_the_right_sign_pass(self, kind, amount):
        domain.check_line_amount(kind, amount)


class TestParseYuan:
    @pytest.mark.parametrize(
        ("typed", "fen"),
        [
            ("128", 12800),
            ("128.5", 12850),
            ("128.50", 12850),
            ("¥1,280.00", 128000),
            (" ￥ 0.01 ", 1),
            ("1，000", 100000),
        ],
    )
    def test_what_clerks_type_becomes_fen(self, typed, fen):
        assert domain.parse_yuan(typed) == fen

    @pytest.mark.parametrize("typed", ["", "abc", "12.345", "-5", "1e3", None, "12.3.4"])
    def test_anything_else_is_not_money(self, typed):
        assert domain.parse_yuan(typed) is None


class TestBusinessDate:
    def test_the_hotel_day_is_chongqing_time(self):
        late_utc = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 01:30 next day in Chongqing
        assert domain.business_date("Asia/Shanghai", late_utc) == date(2026, 11, 25)
