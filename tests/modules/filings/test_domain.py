"""Pure rules of filing: paths, exact bytes, what answers mean, backoff, deadlines."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest

from modules.filings import domain
from modules.filings.domain import Kind, Outcome


class TestRoute:
    def test_amendment_goes_to_its_contract_path_and_leaves_e_number_out_of_the_body(self):
        target = domain.route(Kind.AMENDMENT, {"e_number": "CQ 2026/001", "reason": "改期"})
        assert target.path == "/v1/contracts/CQ%202026%2F001/amendments"
        assert target.ref == "CQ 2026/001"
        assert target.body == {"reason": "改期"}

    def test_each_kind_has_its_endpoint(self):
        assert domain.route(Kind.CONTRACT, {"e_number": "E1"}).path == "/v1/contracts"
        assert (
            domain.route(Kind.CANCELLATION, {"e_number": "E1"}).path
            == "/v1/contracts/E1/cancellation"
        )
        assert domain.route(Kind.GROUP, {"group_no": "G1"}).path == "/v1/groups"
        assert (
            domain.route(Kind.STATISTICS, {"report_type": "hotel_monthly", "period": "2026-10"}).ref
            == "hotel_monthly:2026-10"
        )
        assert (
            domain.route(Kind.GUIDE_ASSIGNMENT, {"group_no": "G1", "licence_no": "D-1"}).path
            == "/v1/guide-assignments"
        )

    def test_missing_business_key_is_a_payload_problem(self):
        with pytest.raises(domain.PayloadProblem) as problem:
            domain.route(Kind.CONTRACT, {"e_number": " "})
        assert problem.value.field == "e_number"


class TestSealBody:
    def test_compact_sorted_utf8_with_district_code(self):
        body = domain.seal_body({"period": "2026-10", "name": "解放碑"}, "500103")
        assert body == '{"district_code":"500103","name":"解放碑","period":"2026-10"}'.encode()

    def test_same_payload_gives_the_same_bytes_whatever_the_key_order(self):
        a = domain.seal_body({"a": 1, "b": {"y": 2, "x": 1}}, "500103")
        b = domain.seal_body({"b": {"x": 1, "y": 2}, "a": 1}, "500103")
        assert a == b and json.loads(a)["b"] == {"x": 1, "y": 2}

    def test_a_district_code_in_the_payload_wins(self):
        assert (
            json.loads(domain.seal_body({"district_code": "500105"}, "500103"))["district_code"]
            == "500105"
        )


class TestClassify:
    @pytest.mark.parametrize(
        ("status", "outcome"),
        [
            (201, Outcome.ACCEPTED),
            (200, Outcome.REPLAYED),
            (400, Outcome.REJECTED),
            (401, Outcome.REFUSED),
            (403, Outcome.REFUSED),
            (409, Outcome.CONFLICTED),
            (429, Outcome.BUSY),
            (503, Outcome.BUSY),
            (500, Outcome.FAILED),
            (502, Outcome.FAILED),
            (404, Outcome.FAILED),
            (None, Outcome.NO_ANSWER),
        ],
    )
    def test_protocol_table(self, status, outcome):
        assert domain.classify(status) is outcome

    def test_only_busy_failed_and_silent_are_retried(self):
        assert set(domain.RETRYABLE) == {Outcome.BUSY, Outcome.FAILED, Outcome.NO_ANSWER}


class TestRetryDelay:
    def test_grows_exponentially_with_jitter_within_half_to_full_step(self):
        rng = random.Random(7)
        for failures, step in [(1, 5), (2, 10), (3, 20), (4, 40)]:
            delays = [domain.retry_delay(failures, base=5, cap=3600, rng=rng) for _ in range(200)]
            assert step / 2 <= min(delays) and max(delays) <= step
            assert max(delays) - min(delays) > step / 4  # really jittered

    def test_capped_so_a_long_outage_is_retried_at_least_hourly(self):
        assert domain.retry_delay(40, base=5, cap=3600) <= 3600

    def test_retry_after_is_a_minimum(self):
        rng = random.Random(1)
        assert all(
            30 <= domain.retry_delay(1, base=5, cap=3600, retry_after=30, rng=rng) <= 33
            for _ in range(50)
        )

    def test_retry_after_zero_still_waits_a_second(self):
        assert domain.retry_delay(1, base=0.001, cap=1, retry_after=0) >= 1

    @pytest.mark.parametrize(
        ("header", "seconds"), [("7", 7), (" 2 ", 2), ("soon", None), (None, None), ("-3", 0)]
    )
    def test_parse_retry_after(self, header, seconds):
        assert domain.parse_retry_after(header) == seconds


class TestDueAt:
    def test_contract_within_24_hours_of_signing(self):
        due = domain.due_at(Kind.CONTRACT, {"signed_at": "2026-11-01T10:00:00+08:00"})
        assert due == datetime(2026, 11, 2, 2, 0, tzinfo=UTC)

    def test_monthly_report_by_the_10th_of_next_month_and_december_rolls_over(self):
        due = domain.due_at(Kind.STATISTICS, {"report_type": "hotel_monthly", "period": "2026-12"})
        assert (
            due is not None and due.astimezone(domain.BUREAU_TZ).date().isoformat() == "2027-01-10"
        )

    def test_quarterly_report_by_the_15th_after_the_quarter(self):
        q4 = domain.due_at(
            Kind.STATISTICS, {"report_type": "agency_quarterly", "period": "2026-Q4"}
        )
        q1 = domain.due_at(
            Kind.STATISTICS, {"report_type": "agency_quarterly", "period": "2026-Q1"}
        )
        assert q4 is not None and q4.astimezone(domain.BUREAU_TZ).date().isoformat() == "2027-01-15"
        assert q1 is not None and q1.astimezone(domain.BUREAU_TZ).date().isoformat() == "2026-04-15"

    def test_group_before_departure_and_unknown_period_has_no_deadline(self):
        due = domain.due_at(Kind.GROUP, {"start_date": "2026-12-01"})
        assert due == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
        assert (
            domain.due_at(Kind.STATISTICS, {"report_type": "hotel_monthly", "period": "bad"})
            is None
        )


class TestRegistrationRules:
    def test_secret_needs_32_bytes_counting_utf8(self):
        assert domain.secret_problem("x" * 31)
        assert domain.secret_problem("x" * 32) is None
        assert domain.secret_problem("密" * 11) is None  # 33 bytes

    @pytest.mark.parametrize(
        ("code", "ok"), [("500103", True), ("500243", True), ("510104", False), ("50010", False)]
    )
    def test_district_must_be_in_chongqing(self, code, ok):
        assert (domain.district_problem(code) is None) is ok


class TestFieldErrors:
    def test_field_errors_of_a_400(self):
        body = {
            "code": "invalid",
            "message": "x",
            "errors": [{"field": "tourist_count", "code": "mismatch", "message": "不一致"}],
        }
        assert domain.field_errors(body) == [
            {"field": "tourist_count", "code": "mismatch", "message": "不一致"}
        ]

    def test_message_only_becomes_one_error(self):
        assert domain.field_errors({"code": "bad", "message": "坏"}) == [
            {"field": "", "code": "bad", "message": "坏"}
        ]
