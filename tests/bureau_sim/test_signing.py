"""The stand-in refuses what the bureau refuses: wrong signatures, stale timestamps,
replayed nonces, unknown or suspended enterprises (PROTOCOL.md, Request signing)."""

from __future__ import annotations

import time

from tests.bureau_sim.conftest import CODE, SECRET, Filer
from tests.bureau_sim.payloads import statistics


def code_of(response) -> str:
    return response.json()["code"]


class TestSignature:
    def test_correctly_signed_look_up_reaches_the_bureau(self, filer: Filer):
        # What a "test connection" button relies on: 404, not 401, means the credentials work.
        response = filer.get("/v1/receipts/CQTJ20260101000001")
        assert response.status_code == 404
        assert code_of(response) == "not_found"

    def test_wrong_secret_is_refused(self, filer: Filer):
        response = filer.post(
            "/v1/statistics", statistics(), secret="not-the-secret-the-bureau-issued-x"
        )
        assert response.status_code == 401
        assert code_of(response) == "invalid_signature"

    def test_body_changed_after_signing_is_refused(self, filer: Filer, bureau_sim):
        body = b'{"report_type":"hotel_monthly"}'
        headers = filer.headers("POST", "/v1/statistics", body)
        headers.update({"Content-Type": "application/json", "Idempotency-Key": "k-1"})
        response = filer.http.post("/v1/statistics", content=body + b" ", headers=headers)
        assert response.status_code == 401
        assert bureau_sim.filings() == []

    def test_query_string_is_signed_exactly_as_sent(self, filer: Filer):
        assert filer.post("/v1/statistics?b=2&a=1", statistics()).status_code == 201
        wrong_order = filer.post(
            "/v1/statistics?b=2&a=1",
            statistics(period="2026-09"),
            signed_target="/v1/statistics?a=1&b=2",
        )
        assert wrong_order.status_code == 401
        without_query = filer.post(
            "/v1/statistics?b=2&a=1", statistics(period="2026-08"), signed_target="/v1/statistics"
        )
        assert without_query.status_code == 401

    def test_method_is_signed_in_upper_case(self, filer: Filer):
        response = filer.post("/v1/statistics", statistics(), signed_method="post")
        assert response.status_code == 401

    def test_upper_case_hex_signature_is_refused(self, filer: Filer):
        headers = filer.headers("GET", "/v1/receipts/X")
        headers["X-Signature"] = headers["X-Signature"].upper()
        assert filer.http.get("/v1/receipts/X", headers=headers).status_code == 401

    def test_get_signs_the_hash_of_the_empty_body(self, filer: Filer):
        headers = filer.headers("GET", "/v1/receipts/X", b"{}")
        assert filer.http.get("/v1/receipts/X", headers=headers).status_code == 401

    def test_every_signing_header_is_required(self, filer: Filer):
        for name in ("X-Enterprise-Code", "X-Timestamp", "X-Nonce", "X-Signature"):
            headers = filer.headers("GET", "/v1/receipts/X")
            del headers[name]
            response = filer.http.get("/v1/receipts/X", headers=headers)
            assert response.status_code == 401, name
            assert code_of(response) == "missing_header"

    def test_unregistered_enterprise_is_refused(self, bureau_sim):
        stranger = Filer(bureau_sim.url)
        response = stranger.get("/v1/receipts/X")
        assert response.status_code == 401
        assert code_of(response) == "unknown_enterprise"

    def test_new_secret_replaces_the_old_one(self, filer: Filer, bureau_sim):
        bureau_sim.register(CODE, "a-rotated-secret-handed-over-by-the-bureau")
        assert filer.get("/v1/receipts/X").status_code == 401
        assert (
            filer.get(
                "/v1/receipts/X", secret="a-rotated-secret-handed-over-by-the-bureau"
            ).status_code
            == 404
        )


class TestTimestampWindow:
    def test_three_hundred_seconds_either_way_is_accepted(self, filer: Filer):
        now = int(time.time())
        assert filer.get("/v1/receipts/X", timestamp=str(now - 298)).status_code == 404
        assert filer.get("/v1/receipts/X", timestamp=str(now + 298)).status_code == 404

    def test_older_or_later_than_three_hundred_seconds_is_refused(self, filer: Filer):
        now = int(time.time())
        for stamp in (now - 302, now + 302):
            response = filer.get("/v1/receipts/X", timestamp=str(stamp))
            assert response.status_code == 401
            assert code_of(response) == "timestamp_out_of_window"

    def test_timestamp_is_whole_seconds(self, filer: Filer):
        for stamp in (f"{time.time():.3f}", str(int(time.time() * 1000)), "-1", "soon"):
            assert filer.get("/v1/receipts/X", timestamp=stamp).status_code == 401, stamp

    def test_window_follows_the_bureau_clock(self, filer: Filer, bureau_sim):
        bureau_sim.clock(3600)
        assert filer.get("/v1/receipts/X").status_code == 401
        later = str(int(time.time()) + 3600)
        assert filer.get("/v1/receipts/X", timestamp=later).status_code == 404


class TestNonces:
    def test_nonce_used_twice_is_refused_even_for_another_request(self, filer: Filer):
        nonce = "a1b2c3d4-e5f6-a7b8-c9d0"
        assert filer.post("/v1/statistics", statistics(), nonce=nonce).status_code == 201
        response = filer.get("/v1/receipts/X", nonce=nonce)
        assert response.status_code == 401
        assert code_of(response) == "nonce_reused"

    def test_nonce_may_come_back_after_twenty_four_hours(self, filer: Filer, bureau_sim):
        nonce = "0123456789abcdef"
        assert filer.get("/v1/receipts/X", nonce=nonce).status_code == 404
        bureau_sim.clock(24 * 3600 + 60)
        later = str(int(time.time()) + 24 * 3600 + 60)
        assert filer.get("/v1/receipts/X", nonce=nonce, timestamp=later).status_code == 404

    def test_nonce_shape_is_sixteen_to_sixty_four_letters_digits_or_hyphens(self, filer: Filer):
        for nonce in ("0123456789abcde", "x" * 65, "0123456789_abcdef", "0123456789abcdef!"):
            response = filer.get("/v1/receipts/X", nonce=nonce)
            assert response.status_code == 401, nonce
            assert code_of(response) == "invalid_nonce"
        for nonce in ("0123456789ABCDEF", "y" * 64):
            assert filer.get("/v1/receipts/X", nonce=nonce).status_code == 404

    def test_refused_signature_does_not_use_up_the_nonce(self, filer: Filer):
        nonce = "fedcba9876543210"
        assert filer.get("/v1/receipts/X", nonce=nonce, secret="x" * 40).status_code == 401
        assert filer.get("/v1/receipts/X", nonce=nonce).status_code == 404

    def test_nonces_belong_to_one_enterprise(self, filer: Filer, other_filer: Filer):
        nonce = "shared-nonce-00000001"
        assert filer.get("/v1/receipts/X", nonce=nonce).status_code == 404
        assert other_filer.get("/v1/receipts/X", nonce=nonce).status_code == 404


class TestEnterpriseStanding:
    def test_suspended_enterprise_is_forbidden(self, filer: Filer, bureau_sim):
        bureau_sim.register(CODE, SECRET, suspended=True)
        response = filer.post("/v1/statistics", statistics())
        assert response.status_code == 403
        assert code_of(response) == "enterprise_suspended"
        assert bureau_sim.filings() == []

    def test_filing_for_another_enterprise_code_is_forbidden(
        self, filer: Filer, other_filer: Filer, bureau_sim
    ):
        response = filer.post("/v1/statistics", statistics(enterprise_code=other_filer.code))
        assert response.status_code == 403
        assert code_of(response) == "not_own_code"
        assert filer.post("/v1/statistics", statistics(enterprise_code=CODE)).status_code == 201

    def test_another_enterprise_cannot_read_a_receipt(self, filer: Filer, other_filer: Filer):
        receipt_no = filer.post("/v1/statistics", statistics()).json()["receipt_no"]
        assert filer.get(f"/v1/receipts/{receipt_no}").status_code == 200
        assert other_filer.get(f"/v1/receipts/{receipt_no}").status_code == 404
