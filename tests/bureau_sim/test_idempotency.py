"""One logical filing, one stored filing: replays answer 200 with the first answer's exact
bytes, a key reused for something else is a 409 (PROTOCOL.md, Idempotency), and receipts
can be looked up."""

from __future__ import annotations

import re
import threading
import time

from tests.bureau_sim.conftest import Filer, encode, error_fields
from tests.bureau_sim.payloads import cancellation, contract, statistics


class TestReplays:
    def test_same_key_and_body_gets_the_first_answer_again_with_200(self, filer: Filer, bureau_sim):
        first = filer.post("/v1/contracts", contract(), key="filing-1")
        again = filer.post("/v1/contracts", contract(), key="filing-1")
        assert first.status_code == 201
        assert again.status_code == 200
        assert again.content == first.content
        assert [f["receipt_no"] for f in bureau_sim.filings()] == [first.json()["receipt_no"]]

    def test_accepted_answer_carries_receipt_and_rfc3339_time(self, filer: Filer):
        answer = filer.post("/v1/statistics", statistics()).json()
        assert set(answer) == {"receipt_no", "received_at"}
        assert re.fullmatch(r"CQTJ\d{8}\d{6,}", answer["receipt_no"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", answer["received_at"])

    def test_same_key_with_a_different_body_is_a_conflict(self, filer: Filer, bureau_sim):
        assert filer.post("/v1/contracts", contract(), key="filing-1").status_code == 201
        changed = filer.post("/v1/contracts", contract(price_total_fen=1), key="filing-1")
        assert changed.status_code == 409
        assert changed.json()["code"] == "idempotency_conflict"
        assert len(bureau_sim.filings()) == 1

    def test_body_must_be_byte_identical_not_just_equal_json(self, filer: Filer):
        body = encode(statistics())
        assert filer.post("/v1/statistics", body, key="k").status_code == 201
        reordered = filer.post("/v1/statistics", body.replace(b",", b", "), key="k")
        assert reordered.status_code == 409

    def test_same_key_on_another_endpoint_is_a_conflict(self, filer: Filer):
        body = encode(contract())
        assert filer.post("/v1/contracts", body, key="k").status_code == 201
        assert filer.post("/v1/groups", body, key="k").status_code == 409

    def test_keys_belong_to_one_enterprise(self, filer: Filer, other_filer: Filer, bureau_sim):
        assert filer.post("/v1/statistics", statistics(), key="k").status_code == 201
        assert other_filer.post("/v1/statistics", statistics(), key="k").status_code == 201
        assert len(bureau_sim.filings()) == 2

    def test_refused_filing_is_not_remembered_so_its_key_can_be_used_once_corrected(
        self, filer: Filer
    ):
        assert (
            filer.post("/v1/statistics", statistics(period="2026-13"), key="k").status_code == 400
        )
        assert filer.post("/v1/statistics", statistics(), key="k").status_code == 201

    def test_replay_of_a_cancellation_is_not_already_cancelled(self, filer: Filer):
        filer.post("/v1/contracts", contract())
        first = filer.post("/v1/contracts/HT-2026-000123/cancellation", cancellation(), key="c")
        again = filer.post("/v1/contracts/HT-2026-000123/cancellation", cancellation(), key="c")
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.content == first.content

    def test_keys_are_forgotten_after_thirty_days(self, filer: Filer, bureau_sim):
        assert filer.post("/v1/contracts", contract(), key="old").status_code == 201
        bureau_sim.clock(30 * 86400 + 60)
        later = str(int(time.time()) + 30 * 86400 + 60)
        retry = filer.post("/v1/contracts", contract(), key="old", timestamp=later)
        assert retry.status_code == 409
        assert retry.json()["code"] == "duplicate_e_number"

    def test_key_still_answers_on_day_twenty_nine(self, filer: Filer, bureau_sim):
        assert filer.post("/v1/contracts", contract(), key="old").status_code == 201
        bureau_sim.clock(29 * 86400)
        later = str(int(time.time()) + 29 * 86400)
        assert (
            filer.post("/v1/contracts", contract(), key="old", timestamp=later).status_code == 200
        )

    def test_copies_racing_each_other_are_stored_once(self, filer: Filer, bureau_sim):
        statuses: list[int] = []
        body = encode(contract())

        def send() -> None:
            with Filer(bureau_sim.url) as client:
                statuses.append(client.post("/v1/contracts", body, key="race").status_code)

        threads = [threading.Thread(target=send) for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(statuses) == [200] * 11 + [201]
        assert bureau_sim.stats()["by_kind"] == {"contract": 1}


class TestIdempotencyKeyRequired:
    def test_post_without_key_is_refused(self, filer: Filer):
        body = encode(statistics())
        headers = {
            **filer.headers("POST", "/v1/statistics", body),
            "Content-Type": "application/json",
        }
        response = filer.http.post("/v1/statistics", content=body, headers=headers)
        assert error_fields(response) == {"Idempotency-Key": "required"}


class TestReceipts:
    def test_receipt_can_be_looked_up(self, filer: Filer):
        answer = filer.post("/v1/statistics", statistics(), key="stat-2026-10").json()
        response = filer.get(f"/v1/receipts/{answer['receipt_no']}")
        assert response.status_code == 200
        assert response.json() == {
            **answer,
            "kind": "statistics",
            "key": "stat-2026-10",
            "status": "accepted",
        }

    def test_unknown_receipt_is_not_found(self, filer: Filer):
        assert filer.get("/v1/receipts/CQHT20260101999999").status_code == 404

    def test_receipt_numbers_are_unique_and_name_the_kind(self, filer: Filer):
        filer.post("/v1/contracts", contract())
        numbers = [
            filer.post("/v1/contracts", contract(f"HT-{i}")).json()["receipt_no"] for i in range(3)
        ]
        numbers.append(
            filer.post("/v1/contracts/HT-1/cancellation", cancellation()).json()["receipt_no"]
        )
        assert len(set(numbers)) == 4
        assert [n[:4] for n in numbers] == ["CQHT"] * 3 + ["CQJC"]

    def test_receipt_numbers_do_not_repeat_after_a_reset(self, filer: Filer, bureau_sim):
        first = filer.post("/v1/statistics", statistics()).json()["receipt_no"]
        bureau_sim.reset()
        bureau_sim.register(filer.code, filer.secret)
        assert filer.post("/v1/statistics", statistics()).json()["receipt_no"] != first
