"""Contracts, amendments and cancellations: the rules PROTOCOL.md states, answered with
every field error at once, and the contract's life (409s) kept by the bureau."""

from __future__ import annotations

from tests.bureau_sim.conftest import Filer, error_fields
from tests.bureau_sim.payloads import (
    LEAD_ID,
    STANDARD_EXAMPLE_ID,
    amendment,
    cancellation,
    contract,
    person,
    with_itinerary,
)

AMEND = "/v1/contracts/HT-2026-000123/amendments"
CANCEL = "/v1/contracts/HT-2026-000123/cancellation"


class TestContractFiling:
    def test_valid_contract_is_accepted_and_stored_as_sent(self, filer: Filer, bureau_sim):
        response = filer.post("/v1/contracts", contract(), key="ht-123")
        assert response.status_code == 201
        [stored] = bureau_sim.filings(kind="contract")
        assert stored["body"] == contract()
        assert (stored["key"], stored["path"], stored["enterprise_code"]) == (
            "ht-123",
            "/v1/contracts",
            filer.code,
        )

    def test_tourist_count_must_equal_the_list_of_tourists(self, filer: Filer):
        assert error_fields(filer.post("/v1/contracts", contract(tourist_count=4))) == {
            "tourist_count": "mismatch"
        }

    def test_tourists_must_include_the_lead_tourist(self, filer: Filer):
        body = contract(lead_tourist=person("赵磊", STANDARD_EXAMPLE_ID))
        assert error_fields(filer.post("/v1/contracts", body)) == {"tourists": "lead_not_included"}

    def test_trip_cannot_end_before_it_starts(self, filer: Filer):
        body = with_itinerary(start_date="2026-12-04", end_date="2026-12-01", days=1, nights=0)
        assert error_fields(filer.post("/v1/contracts", body)) == {
            "itinerary.end_date": "date_order"
        }

    def test_days_must_count_both_ends_of_the_trip(self, filer: Filer):
        body = with_itinerary(days=3)
        assert error_fields(filer.post("/v1/contracts", body)) == {"itinerary.days": "mismatch"}
        one_day = with_itinerary(end_date="2026-12-01", days=1, nights=0)
        assert filer.post("/v1/contracts", one_day).status_code == 201

    def test_resident_id_check_digit_is_verified(self, filer: Filer):
        wrong = LEAD_ID[:-1] + ("2" if LEAD_ID[-1] != "2" else "3")
        body = contract()
        body["tourists"][1] = person("李娜", wrong)
        assert error_fields(filer.post("/v1/contracts", body)) == {
            "tourists[1].id_number": "check_digit"
        }

    def test_resident_id_with_x_check_character_is_accepted(self, filer: Filer):
        body = contract()
        body["tourists"][2] = person("王芳", STANDARD_EXAMPLE_ID.lower())
        assert filer.post("/v1/contracts", body).status_code == 201

    def test_resident_id_birth_date_must_exist(self, filer: Filer):
        body = contract()
        body["tourists"][1] = person("李娜", "500105199302305628")
        assert error_fields(filer.post("/v1/contracts", body)) == {
            "tourists[1].id_number": "invalid_format"
        }

    def test_other_documents_are_not_checked_for_a_check_digit(self, filer: Filer):
        body = contract()
        body["tourists"][1] = person("Anna Müller", "C01X00T47", "passport")
        body["tourists"][2] = person("陳大文", "H12345678", "hk_macau_permit")
        assert filer.post("/v1/contracts", body).status_code == 201

    def test_id_type_must_be_one_the_bureau_knows(self, filer: Filer):
        body = contract()
        body["tourists"][1] = person("李娜", "X1", "driving_licence")
        assert error_fields(filer.post("/v1/contracts", body)) == {
            "tourists[1].id_type": "invalid_choice"
        }

    def test_district_outside_chongqing_cannot_be_routed(self, filer: Filer):
        assert error_fields(filer.post("/v1/contracts", contract(district_code="510104"))) == {
            "district_code": "not_in_municipality"
        }
        body = contract()
        del body["district_code"]
        assert error_fields(filer.post("/v1/contracts", body)) == {"district_code": "required"}

    def test_times_need_an_offset(self, filer: Filer):
        body = contract(signed_at="2026-11-20T10:15:00")
        assert error_fields(filer.post("/v1/contracts", body)) == {"signed_at": "invalid_format"}
        assert (
            filer.post("/v1/contracts", contract(signed_at="2026-11-20T02:15:00Z")).status_code
            == 201
        )

    def test_every_problem_is_reported_at_once(self, filer: Filer):
        body = contract(contract_type="cruise", price_total_fen=-1, tourist_count="3")
        del body["agency_licence_no"]
        assert error_fields(filer.post("/v1/contracts", body)) == {
            "contract_type": "invalid_choice",
            "price_total_fen": "out_of_range",
            "tourist_count": "invalid_type",
            "agency_licence_no": "required",
        }

    def test_money_is_whole_fen(self, filer: Filer):
        assert error_fields(filer.post("/v1/contracts", contract(price_total_fen=8970.5))) == {
            "price_total_fen": "invalid_type"
        }

    def test_second_filing_of_an_e_number_is_a_duplicate(self, filer: Filer, bureau_sim):
        assert filer.post("/v1/contracts", contract(), key="a").status_code == 201
        again = filer.post("/v1/contracts", contract(), key="b")
        assert again.status_code == 409
        assert again.json()["code"] == "duplicate_e_number"
        assert len(bureau_sim.filings()) == 1

    def test_e_numbers_belong_to_one_enterprise(self, filer: Filer, other_filer: Filer):
        assert filer.post("/v1/contracts", contract()).status_code == 201
        assert other_filer.post("/v1/contracts", contract()).status_code == 201

    def test_body_must_be_a_json_object(self, filer: Filer):
        for body in (b"[1]", b"{", b'{"a": NaN}', b"\xff\xfe"):
            response = filer.post("/v1/contracts", body)
            assert response.status_code == 400
            assert response.json()["code"] == "invalid_json"

    def test_body_must_be_declared_json(self, filer: Filer):
        response = filer.post("/v1/contracts", contract(), extra={"Content-Type": "text/plain"})
        assert error_fields(response) == {"Content-Type": "unsupported_media_type"}


class TestAmendments:
    def test_amendment_of_a_contract_never_filed_is_unknown(self, filer: Filer):
        response = filer.post(AMEND, amendment())
        assert response.status_code == 409
        assert response.json()["code"] == "unknown_e_number"

    def test_amendment_of_a_filed_contract_is_accepted(self, filer: Filer, bureau_sim):
        filer.post("/v1/contracts", contract())
        assert filer.post(AMEND, amendment(price_total_fen=950000)).status_code == 201
        [stored] = bureau_sim.filings(kind="amendment")
        assert stored["path"] == AMEND

    def test_changed_contract_must_still_follow_the_rules(self, filer: Filer):
        filer.post("/v1/contracts", contract())
        response = filer.post(AMEND, amendment(tourist_count=4))
        assert error_fields(response) == {"changes.tourist_count": "mismatch"}

    def test_changes_build_on_earlier_amendments(self, filer: Filer):
        filer.post("/v1/contracts", contract())
        tourists = [*contract()["tourists"], person("周杰", STANDARD_EXAMPLE_ID)]
        assert filer.post(AMEND, amendment(tourists=tourists, tourist_count=4)).status_code == 201
        assert filer.post(AMEND, amendment(tourist_count=3)).status_code == 400
        assert filer.post(AMEND, amendment(price_total_fen=1200000)).status_code == 201

    def test_e_number_cannot_be_changed_and_changes_must_be_contract_fields(self, filer: Filer):
        filer.post("/v1/contracts", contract())
        response = filer.post(AMEND, amendment(e_number="HT-OTHER", colour="red"))
        assert error_fields(response) == {
            "changes.e_number": "immutable",
            "changes.colour": "unknown_field",
        }
        assert error_fields(filer.post(AMEND, {**amendment(), "changes": {}})) == {
            "changes": "required"
        }

    def test_cancelled_contract_cannot_be_amended(self, filer: Filer):
        filer.post("/v1/contracts", contract())
        filer.post(CANCEL, cancellation())
        response = filer.post(AMEND, amendment())
        assert response.status_code == 409
        assert response.json()["code"] == "already_cancelled"


class TestCancellation:
    def test_cancellation_of_a_contract_never_filed_is_unknown(self, filer: Filer):
        response = filer.post(CANCEL, cancellation())
        assert response.status_code == 409
        assert response.json()["code"] == "unknown_e_number"

    def test_contract_is_cancelled_once(self, filer: Filer):
        filer.post("/v1/contracts", contract())
        assert filer.post(CANCEL, cancellation(), key="first").status_code == 201
        again = filer.post(CANCEL, cancellation(), key="second")
        assert again.status_code == 409
        assert again.json()["code"] == "already_cancelled"

    def test_cancellation_states_time_reason_and_refund(self, filer: Filer):
        filer.post("/v1/contracts", contract())
        body = {"district_code": "500103", "cancelled_at": "yesterday", "refund_fen": -5}
        assert error_fields(filer.post(CANCEL, body)) == {
            "cancelled_at": "invalid_format",
            "reason": "required",
            "refund_fen": "out_of_range",
        }

    def test_e_number_in_the_path_is_percent_decoded(self, filer: Filer):
        filer.post("/v1/contracts", contract("HT.2026_7"))
        assert (
            filer.post("/v1/contracts/HT%2E2026_7/cancellation", cancellation()).status_code == 201
        )


class TestRoutes:
    def test_unknown_path_is_not_found_and_wrong_method_not_allowed(self, filer: Filer):
        assert filer.get("/v1/contracts/HT-1/refund").status_code == 404
        response = filer.get("/v1/contracts")
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
