"""The pay step over HTTP, and the payments partial of the console."""

from __future__ import annotations

from app.db.engine import TenantId, bind_tenant
from modules.payments import service
from modules.reservations import service as reservations
from tests.factories.reservations import make_reservation
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import sign_in
from tests.stripe_fixtures import VISA_3DS, card_token


async def _held(db):  # type: ignore[no-untyped-def]
    owner = await make_tenant(db)
    r = await make_reservation(db, tenant=owner.tenant, hold=True)
    return owner, r


def _pay_url(owner, r, code=None):  # type: ignore[no-untyped-def]
    return f"/book/{owner.tenant.slug}/pay/{r.id}?code={code if code is not None else r.code}"


async def _card(client, owner, r, page_html, token):  # type: ignore[no-untyped-def]
    payment_id = page_html.split('data-payment-id="')[1].split('"')[0]
    response = await client.post(
        f"/book/{owner.tenant.slug}/pay/{r.id}/card?code={r.code}",
        data={"payment_id": payment_id, "token": token},
        headers={"x-csrftoken": client.cookies["zhilv_csrf"], "Accept": "application/json"},
    )
    return payment_id, response


class TestPayPage:
    async def test_shows_the_amount_due_and_loads_stripe_js(self, client, db, stripe_gateway):
        owner, r = await _held(db)
        response = await client.get(_pay_url(owner, r))
        assert response.status_code == 200
        assert f'<script src="{stripe_gateway.js_url}"></script>' in response.text
        assert r.code in response.text
        assert f'data-publishable-key="{stripe_gateway.publishable_key}"' in response.text
        assert response.headers["cache-control"] == "no-store"

    async def test_without_the_right_code_the_booking_page_asks_for_it(
        self, client, db, stripe_gateway
    ):
        owner, r = await _held(db)
        lookup = f"/book/{owner.tenant.slug}/reservations/{r.id}"
        wrong = await client.get(_pay_url(owner, r, code="NOPE"))
        assert (wrong.status_code, wrong.headers["location"]) == (303, f"{lookup}?code=NOPE")
        missing = await client.get(f"/book/{owner.tenant.slug}/pay/{r.id}")
        assert (missing.status_code, missing.headers["location"]) == (303, lookup)
        assert "data-payment-id" not in wrong.text + missing.text

    async def test_the_card_step_refuses_a_wrong_code(
        self, client, db, stripe_gateway, stripe_emulator
    ):
        owner, r = await _held(db)
        page = await client.get(_pay_url(owner, r))
        payment_id = page.text.split('data-payment-id="')[1].split('"')[0]
        response = await client.post(
            f"/book/{owner.tenant.slug}/pay/{r.id}/card?code=NOPE",
            data={"payment_id": payment_id, "token": card_token(stripe_emulator)},
            headers={"x-csrftoken": client.cookies["zhilv_csrf"], "Accept": "application/json"},
        )
        assert response.status_code == 404

    async def test_another_enterprises_slug_answers_404(self, client, db, stripe_gateway):
        _owner, r = await _held(db)
        other = await make_tenant(db)
        url = f"/book/{other.tenant.slug}/pay/{r.id}?code={r.code}"
        assert (await client.get(url)).status_code == 404


class TestCardStep:
    async def test_a_good_card_pays_and_the_return_goes_to_the_confirmation(
        self, client, db, stripe_gateway, stripe_emulator
    ):
        owner, r = await _held(db)
        page = await client.get(_pay_url(owner, r))
        payment_id, response = await _card(client, owner, r, page.text, card_token(stripe_emulator))
        assert response.status_code == 200
        assert response.json() == {"status": "succeeded", "client_secret": None, "message": None}
        back = await client.get(
            f"/book/{owner.tenant.slug}/pay/{r.id}/return?code={r.code}&payment={payment_id}"
        )
        assert back.status_code == 303
        assert (
            back.headers["location"]
            == f"/book/{owner.tenant.slug}/reservations/{r.id}?code={r.code}"
        )
        await bind_tenant(db, owner.tenant.id)
        after = await reservations.get_reservation(db, TenantId(owner.tenant.id), r.id)
        assert (after.status, after.payment_state) == ("confirmed", "paid")

    async def test_a_3d_secure_card_hands_the_client_secret_to_stripe_js(
        self, client, db, stripe_gateway, stripe_emulator
    ):
        owner, r = await _held(db)
        page = await client.get(_pay_url(owner, r))
        _, response = await _card(
            client, owner, r, page.text, card_token(stripe_emulator, VISA_3DS)
        )
        answer = response.json()
        assert answer["status"] == "requires_action"
        assert answer["client_secret"].startswith("pi_")

    async def test_an_unfinished_payment_returns_to_the_pay_page(
        self, client, db, stripe_gateway, stripe_emulator
    ):
        owner, r = await _held(db)
        page = await client.get(_pay_url(owner, r))
        payment_id, _ = await _card(
            client, owner, r, page.text, card_token(stripe_emulator, VISA_3DS)
        )
        back = await client.get(
            f"/book/{owner.tenant.slug}/pay/{r.id}/return?code={r.code}&payment={payment_id}"
        )
        assert back.status_code == 303
        assert back.headers["location"].endswith("failed=1")

    async def test_a_malformed_token_is_refused_without_a_crash(self, client, db, stripe_gateway):
        owner, r = await _held(db)
        page = await client.get(_pay_url(owner, r))
        _, response = await _card(client, owner, r, page.text, "tok_<script>")
        assert response.status_code in (400, 422)


class TestConsolePartial:
    async def test_front_desk_sees_the_payments_of_a_reservation(self, client, db):
        owner = await make_tenant(db)
        r = await make_reservation(db, tenant=owner.tenant)
        await service.record_manual_payment(
            db,
            TenantId(owner.tenant.id),
            subject_type="reservation",
            subject_id=r.id,
            amount_fen=12_345,
            method="wechat",
        )
        desk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, desk)
        response = await client.get(f"/console/reservations/{r.id}/payments")
        assert response.status_code == 200
        assert "¥123.45" in response.text and "微信支付" in response.text
