"""Groups, guide assignments and the statistical direct report (PROTOCOL.md)."""

from __future__ import annotations

import pytest

from tests.bureau_sim.conftest import Filer, error_fields
from tests.bureau_sim.payloads import FIGURES, group, guide_assignment, statistics


class TestGroups:
    def test_valid_group_is_accepted(self, filer: Filer, bureau_sim):
        assert filer.post("/v1/groups", group()).status_code == 201
        assert bureau_sim.stats()["by_kind"] == {"group": 1}

    def test_day_plan_stays_within_the_trip(self, filer: Filer):
        body = group()
        body["days"][1]["date"] = "2026-12-05"
        assert error_fields(filer.post("/v1/groups", body)) == {"days[1].date": "out_of_range"}

    def test_group_needs_its_contracts_dates_and_a_day_plan(self, filer: Filer):
        body = group(e_numbers=[], end_date="2026-11-30", days=[], tourist_count=0)
        assert error_fields(filer.post("/v1/groups", body)) == {
            "e_numbers": "required",
            "end_date": "date_order",
            "days": "required",
            "tourist_count": "out_of_range",
        }

    def test_vehicle_seats_are_counted(self, filer: Filer):
        body = group(vehicles=[{"plate_no": "渝B88888", "seats": 0, "driver_name": "刘强"}])
        assert error_fields(filer.post("/v1/groups", body)) == {"vehicles[0].seats": "out_of_range"}

    def test_group_number_is_filed_once(self, filer: Filer):
        assert filer.post("/v1/groups", group(), key="a").status_code == 201
        assert error_fields(filer.post("/v1/groups", group(), key="b")) == {"group_no": "duplicate"}


class TestGuideAssignments:
    def test_valid_assignment_is_accepted(self, filer: Filer, bureau_sim):
        assert filer.post("/v1/guide-assignments", guide_assignment()).status_code == 201
        [stored] = bureau_sim.filings(kind="guide_assignment")
        assert stored["path"] == "/v1/guide-assignments"

    def test_assignment_cannot_end_before_it_starts(self, filer: Filer):
        body = guide_assignment(to_date="2026-11-30", licence_no="")
        assert error_fields(filer.post("/v1/guide-assignments", body)) == {
            "to_date": "date_order",
            "licence_no": "required",
        }


class TestStatistics:
    @pytest.mark.parametrize("report_type", sorted(FIGURES))
    def test_each_report_type_is_accepted_with_its_figures(self, filer: Filer, report_type: str):
        assert filer.post("/v1/statistics", statistics(report_type)).status_code == 201

    @pytest.mark.parametrize(
        ("report_type", "period"),
        [
            ("hotel_monthly", "2026-13"),
            ("hotel_monthly", "2026-1"),
            ("hot_spring_monthly", "2026-Q3"),
            ("agency_quarterly", "2026-Q5"),
            ("agency_quarterly", "2026-10"),
            ("cruise_voyage", "CJ7 2026/10"),
        ],
    )
    def test_period_has_the_shape_of_its_report_type(
        self, filer: Filer, report_type: str, period: str
    ):
        response = filer.post("/v1/statistics", statistics(report_type, period=period))
        assert error_fields(response) == {"period": "invalid_format"}

    def test_unknown_report_type_is_refused(self, filer: Filer):
        response = filer.post(
            "/v1/statistics", {**statistics(), "report_type": "restaurant_monthly"}
        )
        assert error_fields(response) == {"report_type": "invalid_choice"}

    def test_figures_are_the_report_types_whole_numbers(self, filer: Filer):
        body = statistics()
        body["figures"].update(occupancy_bp=10001, adr_fen=458.5, guests_total=4330)
        del body["figures"]["rooms"]
        assert error_fields(filer.post("/v1/statistics", body)) == {
            "figures.occupancy_bp": "out_of_range",
            "figures.adr_fen": "invalid_type",
            "figures.guests_total": "unknown_field",
            "figures.rooms": "required",
        }

    def test_voyage_report_has_dates_in_order(self, filer: Filer):
        body = statistics("cruise_voyage")
        body["figures"]["arrival_date"] = "2026-10-01"
        assert error_fields(filer.post("/v1/statistics", body)) == {
            "figures.arrival_date": "date_order"
        }

    def test_breakdown_by_source_is_accepted_where_the_report_has_one(self, filer: Filer):
        hotel = statistics(
            breakdown={
                "guests_by_source": {
                    "500000": {"guests": 3000, "guest_nights": 4100},
                    "DE": {"guests": 12, "guest_nights": 30},
                }
            }
        )
        assert filer.post("/v1/statistics", hotel).status_code == 201
        counts = dict.fromkeys(
            (
                "tourists_organised",
                "tourist_person_days_organised",
                "tourists_received",
                "tourist_person_days_received",
            ),
            1,
        )
        agency = statistics("agency_quarterly", breakdown={"by_source_province": {"51": counts}})
        assert filer.post("/v1/statistics", agency).status_code == 201

    def test_breakdown_is_refused_where_the_report_has_none_or_it_is_malformed(self, filer: Filer):
        spring = statistics("hot_spring_monthly", breakdown={"guests_by_source": {}})
        assert error_fields(filer.post("/v1/statistics", spring)) == {"breakdown": "not_allowed"}
        hotel = statistics(
            breakdown={
                "guests_by_source": {
                    "chongqing": {"guests": 1, "guest_nights": 1},
                    "50": {"guests": 1},
                }
            }
        )
        assert error_fields(filer.post("/v1/statistics", hotel)) == {
            "breakdown.guests_by_source.chongqing": "invalid_format",
            "breakdown.guests_by_source.50.guest_nights": "required",
        }

    def test_period_is_filed_once_then_corrected_with_a_revision(self, filer: Filer):
        assert filer.post("/v1/statistics", statistics(), key="first").status_code == 201
        refiled = filer.post("/v1/statistics", statistics(), key="again")
        assert error_fields(refiled) == {"revision": "revision_required"}
        assert filer.post("/v1/statistics", statistics(revision=1), key="one").status_code == 400
        assert filer.post("/v1/statistics", statistics(revision=2), key="fix").status_code == 201
        assert filer.post("/v1/statistics", statistics(revision=3), key="fix-2").status_code == 201

    def test_periods_are_separate_per_report_type(self, filer: Filer):
        assert filer.post("/v1/statistics", statistics("hotel_monthly")).status_code == 201
        assert filer.post("/v1/statistics", statistics("hot_spring_monthly")).status_code == 201

    def test_revision_is_a_whole_number(self, filer: Filer):
        assert error_fields(filer.post("/v1/statistics", statistics(revision="2"))) == {
            "revision": "invalid_type"
        }
        assert error_fields(filer.post("/v1/statistics", statistics(revision=0))) == {
            "revision": "out_of_range"
        }
