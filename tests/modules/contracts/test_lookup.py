"""Looking a contract up from outside: the agency from the e-number alone, the public
check with the printed verification code, and what the groups module reads."""

from __future__ import annotations

import hashlib

import pytest

from app.errors import Invalid
from modules.contracts import domain, service
from tests.factories.contracts import make_agency, make_draft, sign_contract, tourist_signed


class TestTenantLookup:
    async def test_the_e_number_names_its_agency(self, db, owner, tid):
        _id, e_number = await sign_contract(db, tenant=owner.tenant)
        assert await service.lookup_tenant_by_e_number(db, e_number) == tid
        assert await service.lookup_tenant_by_e_number(db, e_number.lower()) == tid

    async def test_a_mistyped_number_finds_nobody(self, db, owner):
        _id, e_number = await sign_contract(db, tenant=owner.tenant)
        typo = e_number[:-3] + ("1" if e_number[-3] != "1" else "2") + e_number[-2:]
        assert await service.lookup_tenant_by_e_number(db, typo) is None
        assert await service.lookup_tenant_by_e_number(db, "nonsense") is None

    async def test_a_well_formed_number_of_no_agency_finds_nobody(self, db, owner):
        stranger = str(domain.make_e_number("ZZZZZZZZ9", 2026, 1))
        assert await service.lookup_tenant_by_e_number(db, stranger) is None


class TestPublicCheck:
    async def test_number_and_code_show_masked_names_and_the_stored_pdf(self, db, owner, tid):
        contract_id, e_number = await sign_contract(db, tenant=owner.tenant)
        code = service.verify_code(tid, e_number)
        view = await service.public_check(db, tid, e_number, code.lower())
        assert view is not None and view.status == "signed"
        assert view.lead_name_masked == "张*" and view.tourists_masked == ("张*", "李*")
        assert view.tourist_count == 2 and view.has_pdf and view.filing_state == "pending"
        pdf = await service.public_pdf(db, tid, e_number, code)
        page = await service.contract_page(db, tid, contract_id)
        assert pdf is not None
        assert hashlib.sha256(pdf).hexdigest() == page.versions[0].pdf_sha256

    async def test_a_wrong_code_and_an_unknown_number_answer_alike(self, db, owner, tid):
        _id, e_number = await sign_contract(db, tenant=owner.tenant)
        assert await service.public_check(db, tid, e_number, "WRONG123") is None
        assert await service.public_pdf(db, tid, e_number, "WRONG123") is None
        unknown = str(domain.make_e_number(e_number[:9], 2026, 999))
        code = service.verify_code(tid, unknown)
        assert await service.public_check(db, tid, unknown, code) is None
        assert await service.public_check(db, None, e_number, "x") is None

    async def test_the_code_is_printed_on_the_pdf(self, db, owner, tid):
        from tests.modules.contracts.conftest import pdf_text

        contract_id, e_number = await sign_contract(db, tenant=owner.tenant)
        _name, pdf = await service.contract_pdf(db, tid, contract_id)
        assert service.verify_code(tid, e_number) in pdf_text(pdf)


class TestForGroups:
    async def test_signed_contracts_are_offered_and_accepted(self, db, owner, tid):
        first, _n = await sign_contract(db, tenant=owner.tenant)
        second, _m = await sign_contract(db, tenant=owner.tenant)
        await make_draft(db, tenant=owner.tenant)
        offered = await service.signed_contracts(db, tid)
        assert {c.id for c in offered} == {first, second}
        chosen = await service.contracts_for_group(db, tid, [second, first])
        assert [c.id for c in chosen] == [second, first]
        assert chosen[0].tourist_count == 2 and chosen[0].lead_name == "张伟"
        assert chosen[0].destinations == ("武隆",)

    async def test_a_contract_not_signed_is_refused(self, db, owner, tid):
        signed, _n = await sign_contract(db, tenant=owner.tenant)
        waiting, _s = await tourist_signed(db, tenant=owner.tenant)
        with pytest.raises(Invalid):
            await service.contracts_for_group(db, tid, [signed, waiting])

    async def test_another_agencys_contract_is_refused(self, db, owner, tid):
        other = await make_agency(db)
        theirs, _n = await sign_contract(db, tenant=other.tenant)
        await db.flush()
        from app.db.engine import bind_tenant

        await bind_tenant(db, tid)
        with pytest.raises(Invalid):
            await service.contracts_for_group(db, tid, [theirs])
