"""The tourist-facing pages through HTTP: signing on the phone with a one-time code, and
the public check `/verify/contract` (check character first, no existence oracle, rate
limit, the stored PDF unchanged)."""

from __future__ import annotations

import hashlib
import html
import re
import uuid
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from app.db.engine import TenantId, bind_tenant
from app.web.ratelimit_models import RateLimitHit
from modules.contracts import domain, service
from modules.contracts.models import Contract
from modules.contracts.schemas import CancelInput
from modules.filings import service as filings
from tests.factories.contracts import (
    last_code,
    make_agency,
    make_draft,
    sign_contract,
    tourist_signed,
)
from tests.helpers import csrf, form_post
from tests.modules.filings.conftest import FakeBureau

HTMX = {"hx-request": "true"}


async def _sent(db, tid) -> tuple[uuid.UUID, str]:
    """A contract waiting for the tourist, and its signing link's token."""
    contract_id = await make_draft(db, tenant=await _tenant(db, tid))
    link = await service.send_to_tourist(db, tid, contract_id, actor=service.SYSTEM)
    return contract_id, link.url.split("token=", 1)[1]


async def _tenant(db, tid):
    from tenants.models import Tenant

    return await db.get(Tenant, tid)


async def _contract(db, tid, contract_id) -> Contract:
    await bind_tenant(db, tid)
    stmt = (
        select(Contract).where(Contract.id == contract_id).execution_options(populate_existing=True)
    )
    return (await db.execute(stmt)).scalar_one()


def _sign_url(token: str) -> str:
    return f"/sign/contract?{urlencode({'token': token})}"


class TestSigningPage:
    async def test_a_bad_link_is_404(self, client, db, tid):
        _id, token = await _sent(db, tid)
        tenant_part = token.split(".", 1)[0]
        for bad in ("nonsense", f"{uuid.uuid4()}.secret", f"{tenant_part}.wrong-secret"):
            response = await client.get(_sign_url(bad))
            assert response.status_code == 404, bad

    async def test_the_page_shows_the_exact_text_and_its_fingerprint(self, client, db, tid):
        _contract_id, token = await _sent(db, tid)
        response = await client.get(_sign_url(token))
        assert response.status_code == 200
        view = await service.signing_view(db, tid, token.split(".", 1)[1])
        assert view.document_html in response.text
        assert view.document_sha256 in response.text
        assert "获取验证码" in response.text and "确认签署" in response.text

    async def test_get_code_answers_htmx_with_the_masked_phone(self, client, db, tid, owner):
        _id, token = await _sent(db, tid)
        response = await form_post(client, "/sign/contract/code", {"token": token}, headers=HTMX)
        assert response.status_code == 200
        assert "验证码已发送至 138****0001" in response.text
        await bind_tenant(db, tid)
        assert re.fullmatch(r"\d{6}", await last_code(db, owner.tenant))

    async def test_a_wrong_code_is_422_on_the_page_and_the_attempt_counts(
        self, client, db, tid, owner
    ):
        contract_id, token = await _sent(db, tid)
        await form_post(client, "/sign/contract/code", {"token": token}, headers=HTMX)
        await bind_tenant(db, tid)
        code = await last_code(db, owner.tenant)
        wrong = "000000" if code != "000000" else "111111"
        response = await form_post(
            client, "/sign/contract", {"token": token, "code": wrong, "agree": "yes"}
        )
        assert response.status_code == 422
        assert 'id="sign-error"' in response.text
        c = await _contract(db, tid, contract_id)
        assert (c.status, c.code_attempts) == ("awaiting_tourist", 1)

    async def test_the_right_code_signs_then_the_page_waits_for_the_agency(
        self, client, db, tid, owner
    ):
        contract_id, token = await _sent(db, tid)
        await form_post(client, "/sign/contract/code", {"token": token}, headers=HTMX)
        await bind_tenant(db, tid)
        code = await last_code(db, owner.tenant)
        response = await form_post(
            client, "/sign/contract", {"token": token, "code": code}, follow_redirects=False
        )
        assert response.status_code == 422  # the tourist has not ticked "I have read it"
        assert (await _contract(db, tid, contract_id)).status == "awaiting_tourist"
        response = await form_post(
            client,
            "/sign/contract",
            {"token": token, "code": code, "agree": "yes"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert (await _contract(db, tid, contract_id)).status == "awaiting_agency"
        page = await client.get(_sign_url(token))
        assert "等待旅行社盖章确认" in page.text and 'id="sign-form"' not in page.text
        waiting = await client.get(f"/sign/contract/status?{urlencode({'token': token})}")
        assert waiting.status_code == 204

        await bind_tenant(db, tid)
        e_number = await service.countersign(db, tid, contract_id, actor=service.SYSTEM)
        done = await client.get(_sign_url(token))
        assert e_number in done.text and "合同已生效" in done.text
        code = service.verify_code(tid, e_number)
        link = f"/verify/contract/pdf?{urlencode({'n': e_number, 'code': code})}"
        assert html.escape(link) in done.text
        refresh = await client.get(f"/sign/contract/status?{urlencode({'token': token})}")
        assert refresh.headers.get("hx-refresh") == "true"

    async def test_code_requests_are_rate_limited_per_link(self, client, db, tid):
        _id, token = await _sent(db, tid)
        await csrf(client)
        statuses = []
        for _ in range(7):
            response = await form_post(
                client, "/sign/contract/code", {"token": token}, headers=HTMX
            )
            statuses.append(response.status_code)
        # The service refuses a second code within a minute (409); the link's limit
        # (5 an hour) then answers 429 whatever the service would say.
        assert statuses[0] == 200 and set(statuses[1:5]) == {409}
        assert statuses[5:] == [429, 429]


async def _signed(db, tid) -> tuple[uuid.UUID, str, str]:
    contract_id, e_number = await sign_contract(db, tenant=await _tenant(db, tid))
    return contract_id, e_number, service.verify_code(tid, e_number)


def _check(e_number: str, code: str) -> str:
    return f"/verify/contract?{urlencode({'n': e_number, 'code': code})}"


def _with_check(number: str, check: str) -> str:
    return number[:-1] + check


class TestPublicCheck:
    async def test_the_form_is_prefilled_from_the_qr_link(self, client):
        number = str(domain.make_e_number("914403001", 2026, 123))
        response = await client.get(f"/verify/contract?n={number}")
        assert response.status_code == 200
        assert f'value="{number}"' in response.text and 'id="result"' not in response.text

    async def test_a_malformed_number_says_what_one_looks_like(self, client):
        response = await client.get(_check("2026-123", "ABCDEFGH"))
        assert response.status_code == 422
        assert "电子合同编号格式应如" in response.text

    async def test_a_mistyped_check_character_is_caught_before_any_look_up(self, client, db):
        e_number = str(domain.make_e_number("914403001", 2026, 123))
        wrong = next(_with_check(e_number, c) for c in domain.ALPHABET if c != e_number[-1])
        response = await client.get(_check(wrong, "ABCDEFGH"))
        assert response.status_code == 422
        assert "编号校验位不符，请检查输入" in response.text
        assert 'id="result"' not in response.text
        counted = await db.scalar(select(func.count()).select_from(RateLimitHit))
        assert counted == 0  # refused before the look-up (and its rate limit)

    async def test_unknown_number_and_wrong_code_give_the_same_answer(self, client, db, tid):
        _id, e_number, code = await _signed(db, tid)
        parsed = domain.parse_e_number(e_number)
        assert parsed is not None
        unknown_seq = str(domain.make_e_number(parsed.org, parsed.year, 999_999))
        unknown_org = str(domain.make_e_number("ZZZZZZZZZ", parsed.year, 1))
        wrong_code = "X" * len(code)
        answers = []
        for number, typed in ((e_number, wrong_code), (unknown_seq, code), (unknown_org, code)):
            response = await client.get(_check(number, typed))
            body = response.text.replace(number, "N").replace(typed, "C")
            body = re.sub(r'nonce="[^"]*"', 'nonce=""', body)  # one per response, by design
            answers.append((response.status_code, body))
        assert answers[0][0] == 404
        assert answers[0] == answers[1] == answers[2]
        assert "未找到与该编号和验证码相符的合同" in answers[0][1]

    async def test_the_right_code_shows_masked_names_and_the_bureau_receipt(
        self, client, db, tid, settings
    ):
        _id, e_number, code = await _signed(db, tid)
        await filings.send_due(db, tid, FakeBureau().client(), settings, limit=10)
        response = await client.get(_check(e_number.lower(), code.lower()))
        assert response.status_code == 200
        text = response.text
        assert "张*" in text and "李*" in text
        assert "张伟" not in text and "李娜" not in text
        assert "CQ20261124000001" in text and "已备案" in text
        assert "已签署生效" in text and "重庆巴渝测试旅行社" in text

    async def test_the_pdf_is_exactly_the_stored_bytes(self, client, db, tid):
        contract_id, e_number, code = await _signed(db, tid)
        _name, stored = await service.contract_pdf(db, tid, contract_id)
        response = await client.get(
            f"/verify/contract/pdf?{urlencode({'n': e_number, 'code': code})}"
        )
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert hashlib.sha256(response.content).digest() == hashlib.sha256(stored).digest()
        wrong = await client.get(f"/verify/contract/pdf?{urlencode({'n': e_number, 'code': 'X'})}")
        assert wrong.status_code == 404 and wrong.headers["content-type"].startswith("text/html")

    async def test_too_many_checks_from_one_address_are_refused_with_429(self, client):
        e_number = str(domain.make_e_number("914403001", 2026, 123))
        for _ in range(20):
            assert (await client.get(_check(e_number, "WRONG"))).status_code == 404
        refused = await client.get(_check(e_number, "WRONG"))
        assert refused.status_code == 429
        assert "请求过于频繁" in refused.text


class TestCancelled:
    async def test_a_cancelled_contract_says_so_to_the_tourist_and_on_the_check(
        self, client, db, tid
    ):
        contract_id, secret = await tourist_signed(db, tenant=await _tenant(db, tid))
        e_number = await service.countersign(db, tid, contract_id, actor=service.SYSTEM)
        start = (await service.contract_page(db, tid, contract_id)).contract.start_date
        assert start is not None
        notice = start - timedelta(days=10)
        cancelled = CancelInput("tourist", "游客身体原因", notice)
        await service.cancel(db, tid, contract_id, cancelled, actor=service.SYSTEM)
        mine = await client.get(_sign_url(f"{tid}.{secret}"))
        assert 'id="cancelled"' in mine.text and 'id="sign-form"' not in mine.text
        check = await client.get(_check(e_number, service.verify_code(tid, e_number)))
        assert check.status_code == 200 and "已解除" in check.text


@pytest.fixture
async def other_agency(db):
    return await make_agency(db, name="另一家旅行社")


class TestIsolation:
    async def test_one_agencys_link_never_shows_anothers_contract(
        self, client, db, tid, other_agency
    ):
        _id, token = await _sent(db, tid)
        other = other_agency.tenant.id
        secret = token.split(".", 1)[1]
        response = await client.get(_sign_url(f"{other}.{secret}"))
        assert response.status_code == 404
        await bind_tenant(db, TenantId(tid))
