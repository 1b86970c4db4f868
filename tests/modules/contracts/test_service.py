"""The contract's life through the service: draft, send, the tourist's signature, the
agency's countersignature with e-number, PDF and filing; amendments and cancellation."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from app import clock
from app.errors import Conflict, Invalid, NotFound
from app.i18n import use_locale
from app.notifications.models import OutboundMessage
from devtools.bureau.rules import amendment_errors, cancellation_errors, contract_errors
from modules.contracts import domain, service
from modules.contracts.models import Contract, ContractVersion
from modules.contracts.schemas import CancelInput
from modules.filings.models import Filing
from tests.factories.contracts import (
    complete_input,
    last_code,
    make_draft,
    sign_contract,
    token_secret,
    tourist_signed,
)
from tests.modules.contracts.conftest import pdf_text


async def _filings(db, tid, kind):  # type: ignore[no-untyped-def]
    stmt = select(Filing).where(Filing.tenant_id == tid, Filing.kind == kind)
    return (await db.execute(stmt)).scalars().all()


class TestDrafting:
    async def test_a_half_done_draft_saves_and_lists_what_is_missing(self, db, tid):
        contract_id = await make_draft(db, tenant=await _tenant(db, tid), data=service.DraftInput())
        items = await service.completeness(db, tid, contract_id)
        missing = {i.key for i in items if not i.ok}
        assert {"tourists", "itinerary", "price", "min_group_size", "sights"} <= missing

    async def test_a_wrong_resident_id_check_digit_is_refused_on_its_row(self, db, tid, owner):
        bad = replace(complete_input().tourists[1], id_number="500105199003210420")
        data = complete_input(tourists=(complete_input().tourists[0], bad))
        with pytest.raises(Invalid) as refused:
            await make_draft(db, tenant=owner.tenant, data=data)
        assert refused.value.errors[0]["field"] == "tourists.1.id_number"

    async def test_the_same_document_twice_and_a_landline_are_refused(self, db, owner):
        lead = complete_input().tourists[0]
        data = complete_input(tourists=(lead, replace(lead, is_lead=False)), lead_phone="023-1234")
        with pytest.raises(Invalid) as refused:
            await make_draft(db, tenant=owner.tenant, data=data)
        fields = {e["field"] for e in refused.value.errors}
        assert fields == {"tourists.1.id_number", "lead_phone"}

    async def test_sending_an_incomplete_draft_lists_every_missing_item(self, db, tid, owner):
        data = complete_input(min_group_size=None, free_time="", payment_deadline=None)
        contract_id = await make_draft(db, tenant=owner.tenant, data=data)
        with pytest.raises(Invalid) as refused:
            await service.send_to_tourist(db, tid, contract_id, actor=service.SYSTEM)
        fields = {e["field"] for e in refused.value.errors}
        assert fields == {"checklist.min_group_size", "checklist.free_time", "checklist.price"}


async def _tenant(db, tid):  # type: ignore[no-untyped-def]
    from tenants.models import Tenant

    return await db.get(Tenant, tid)


class TestSigning:
    async def test_draft_to_signed_gives_number_pdf_and_filing(self, db, tid, owner):
        contract_id, e_number = await sign_contract(db, tenant=owner.tenant)
        parsed = domain.parse_e_number(e_number)
        assert parsed is not None and parsed.sequence == 1
        assert parsed.org == owner.tenant.enterprise_code[8:17]
        page = await service.contract_page(db, tid, contract_id)
        assert page.contract.status == "signed"
        parties = [(s.party, s.document_sha256) for s in page.signatures]
        sha = page.versions[0].document_sha256
        assert parties == [("tourist", sha), ("agency", sha)]
        tourist = page.signatures[0]
        assert tourist.ip == "198.51.100.7" and "iPhone" in (tourist.user_agent or "")
        [filing] = await _filings(db, tid, "contract")
        body = json.loads(filing.body)
        assert body["e_number"] == e_number
        assert body["district_code"] == "500105"
        assert body["tourist_count"] == 2 and body["lead_tourist"]["name"] == "张伟"
        assert body["itinerary"]["days"] == 3 and body["price_total_fen"] == 398000
        assert page.filing is not None and page.filing.state == "pending"
        assert contract_errors(body) == []  # what the bureau stand-in accepts

    async def test_the_pdf_names_the_number_and_the_tourist_in_chinese(self, db, tid, owner):
        contract_id, e_number = await sign_contract(db, tenant=owner.tenant)
        _name, pdf = await service.contract_pdf(db, tid, contract_id)
        text = pdf_text(pdf)
        assert e_number in text
        assert "张伟" in text and "武隆" in text

    async def test_the_stored_pdf_is_served_unchanged(self, db, tid, owner):
        contract_id, _n = await sign_contract(db, tenant=owner.tenant)
        page = await service.contract_page(db, tid, contract_id)
        stored = page.versions[0].pdf_sha256
        _name, pdf = await service.contract_pdf(db, tid, contract_id)
        _name, again = await service.contract_pdf(db, tid, contract_id)
        assert pdf == again
        assert hashlib.sha256(pdf).hexdigest() == stored

    async def test_the_database_refuses_to_change_a_signed_version(self, db, tid, owner):
        contract_id, _n = await sign_contract(db, tenant=owner.tenant)
        page = await service.contract_page(db, tid, contract_id)
        with pytest.raises(DBAPIError, match="cannot change"):
            async with db.begin_nested():
                await db.execute(
                    update(ContractVersion)
                    .where(ContractVersion.id == page.versions[0].id)
                    .values(pdf=b"forged")
                )

    async def test_a_signed_contract_cannot_be_edited(self, db, tid, owner):
        contract_id, _n = await sign_contract(db, tenant=owner.tenant)
        with pytest.raises(service.ContractNotEditable):
            await service.update_draft(
                db, tid, contract_id, complete_input(route_name="改"), actor=service.SYSTEM
            )

    async def test_a_wrong_code_is_refused_and_counted(self, db, tid, owner):
        contract_id = await make_draft(db, tenant=owner.tenant)
        link = await service.send_to_tourist(db, tid, contract_id, actor=service.SYSTEM)
        secret = token_secret(link)
        await service.send_signing_code(db, tid, secret, ip=None)
        code = await last_code(db, owner.tenant)
        wrong = f"{(int(code) + 1) % 1000000:06d}"
        for _ in range(service.CODE_ATTEMPTS):
            with pytest.raises(Invalid) as refused:
                await service.tourist_sign(db, tid, secret, wrong, ip=None, user_agent=None)
            assert refused.value.errors[0]["field"] == "code"
        with pytest.raises(Invalid):  # even the right code, after five wrong ones
            await service.tourist_sign(db, tid, secret, code, ip=None, user_agent=None)

    async def test_a_second_code_within_a_minute_is_refused(self, db, tid, owner):
        contract_id = await make_draft(db, tenant=owner.tenant)
        link = await service.send_to_tourist(db, tid, contract_id, actor=service.SYSTEM)
        await service.send_signing_code(db, tid, token_secret(link), ip=None)
        with pytest.raises(Conflict):
            await service.send_signing_code(db, tid, token_secret(link), ip=None)

    async def test_the_tourist_reads_the_exact_text_that_is_signed(self, db, tid, owner):
        contract_id = await make_draft(db, tenant=owner.tenant)
        link = await service.send_to_tourist(db, tid, contract_id, actor=service.SYSTEM)
        view = await service.signing_view(db, tid, token_secret(link))
        assert view.status == "awaiting_tourist" and view.masked_phone == "138****0001"
        assert "张伟" in view.document_html and view.e_number is None
        assert hashlib.sha256(view.document_html.encode()).hexdigest() == view.document_sha256
        with pytest.raises(NotFound):
            await service.signing_view(db, tid, "not-the-secret")

    async def test_the_tourist_is_told_the_number_and_the_check_code(self, db, tid, owner):
        _id, e_number = await sign_contract(db, tenant=owner.tenant)
        stmt = select(OutboundMessage).where(
            OutboundMessage.tenant_id == tid, OutboundMessage.purpose == "contract_signed"
        )
        [sms] = (await db.execute(stmt)).scalars().all()
        assert sms.recipient == "13800000001" and e_number in sms.body
        assert service.verify_code(tid, e_number) in sms.body

    async def test_messages_to_the_tourist_are_in_the_agencys_language(self, db, tid, owner):
        contract_id = await make_draft(db, tenant=owner.tenant)
        with use_locale("en"):  # the agent works in English
            await service.send_to_tourist(db, tid, contract_id, actor=service.SYSTEM)
        stmt = select(OutboundMessage.body).where(
            OutboundMessage.tenant_id == tid, OutboundMessage.purpose == "contract_signing"
        )
        bodies = (await db.execute(stmt)).scalars().all()
        assert bodies and all("您的旅游合同已可签署" in b for b in bodies)

    async def test_an_expired_link_shows_nothing_even_after_signing(self, db, tid, owner):
        contract_id, secret = await tourist_signed(db, tenant=owner.tenant)
        assert (await service.signing_view(db, tid, secret)).status == "awaiting_agency"
        c = await db.get(Contract, contract_id)
        c.sign_token_expires_at = clock.now() - timedelta(minutes=1)
        await db.flush()
        with pytest.raises(NotFound):
            await service.signing_view(db, tid, secret)

    async def test_countersigning_waits_for_the_tourist(self, db, tid, owner):
        contract_id = await make_draft(db, tenant=owner.tenant)
        await service.send_to_tourist(db, tid, contract_id, actor=service.SYSTEM)
        with pytest.raises(Conflict):
            await service.countersign(db, tid, contract_id, actor=service.SYSTEM)

    async def test_numbers_follow_each_other_per_agency(self, db, tid, owner):
        numbers = [(await sign_contract(db, tenant=owner.tenant))[1] for _ in range(3)]
        assert [domain.parse_e_number(n).sequence for n in numbers] == [1, 2, 3]  # type: ignore[union-attr]


class TestChanges:
    async def test_an_amendment_is_a_new_version_with_its_reason_pdf_and_filing(
        self, db, tid, owner
    ):
        contract_id, e_number = await sign_contract(db, tenant=owner.tenant)
        page = await service.contract_page(db, tid, contract_id)
        first_pdf = page.versions[0].pdf
        data = complete_input(start=page.contract.start_date, price_total_fen=418000)
        number = await service.amend(
            db, tid, contract_id, data, reason="升级酒店，游客书面同意", actor=service.SYSTEM
        )
        assert number == 2
        page = await service.contract_page(db, tid, contract_id)
        assert [v.version for v in page.versions] == [1, 2]
        assert page.versions[0].pdf == first_pdf
        assert page.versions[1].reason == "升级酒店，游客书面同意"
        assert page.versions[1].pdf is not None and page.contract.e_number == e_number
        [filing] = await _filings(db, tid, "amendment")
        body = json.loads(filing.body)
        assert body["changes"] == {"price_total_fen": 418000}
        assert amendment_errors(body) == []
        assert filing.path.endswith(f"/{e_number}/amendments")
        stmt = select(OutboundMessage.body).where(
            OutboundMessage.tenant_id == tid, OutboundMessage.purpose == "contract_amended"
        )
        [sms] = (await db.execute(stmt)).scalars().all()
        assert e_number in sms and "升级酒店，游客书面同意" in sms

    async def test_a_tourist_cancelling_five_days_ahead_gets_eighty_percent(self, db, tid, owner):
        contract_id, e_number = await sign_contract(db, tenant=owner.tenant)
        page = await service.contract_page(db, tid, contract_id)
        notice = page.contract.start_date - timedelta(days=5)
        refund = await service.cancel(
            db, tid, contract_id,
            CancelInput("tourist", "游客身体原因", notice), actor=service.SYSTEM,
        )  # fmt: skip
        assert refund.refund_fen == 318400 and refund.deduction_fen == 79600
        page = await service.contract_page(db, tid, contract_id)
        assert page.contract.status == "cancelled" and page.contract.e_number == e_number
        [filing] = await _filings(db, tid, "cancellation")
        assert cancellation_errors(json.loads(filing.body)) == []
        assert json.loads(filing.body) == {
            "cancelled_at": json.loads(filing.body)["cancelled_at"],
            "reason": "游客身体原因",
            "refund_fen": 318400,
            "district_code": "500105",
        }

    async def test_cancelling_a_draft_is_refused(self, db, tid, owner):
        contract_id = await make_draft(db, tenant=owner.tenant)
        with pytest.raises(Conflict):
            await service.cancel(
                db, tid, contract_id, CancelInput("tourist", "x", None), actor=service.SYSTEM
            )


class TestWithoutCreditCode:
    async def test_an_agency_without_credit_code_cannot_send_or_sign(self, db):
        from tests.factories.tenants import make_tenant

        bare = await make_tenant(db, kinds=("agency",))
        tid = bare.tenant.id
        contract_id = await make_draft(db, tenant=bare.tenant)
        with pytest.raises(service.NoEnterpriseCode):
            await service.send_to_tourist(db, tid, contract_id, actor=service.SYSTEM)


class TestRecall:
    async def test_taking_back_voids_the_link_and_the_unsigned_version(self, db, tid, owner):
        contract_id = await make_draft(db, tenant=owner.tenant)
        link = await service.send_to_tourist(db, tid, contract_id, actor=service.SYSTEM)
        await service.recall(db, tid, contract_id, actor=service.SYSTEM)
        page = await service.contract_page(db, tid, contract_id)
        assert page.contract.status == "draft" and page.versions == []
        with pytest.raises(NotFound):
            await service.signing_view(db, tid, token_secret(link))
        await service.update_draft(
            db, tid, contract_id, complete_input(route_name="改线"), actor=service.SYSTEM
        )
        await sign_contract(db, tenant=owner.tenant, contract_id=contract_id)
        page = await service.contract_page(db, tid, contract_id)
        assert [v.version for v in page.versions] == [1] and "改线" in page.versions[
            0
        ].document_html
