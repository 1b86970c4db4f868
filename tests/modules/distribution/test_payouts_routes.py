"""结算付款 and the operator's 分销付款 pages: the supplier's finance sees what it is owed and
asks for a payout (by bank when it has no Connect account: a bad account number is refused and
writes nothing), another enterprise's payout answers 404; the platform clerk downloads the bank
file and marks the payout paid, which records the clerk."""

from __future__ import annotations

import csv
import io
import uuid

from sqlalchemy import delete, func, select

from app.db.engine import bind_tenant
from modules.distribution.models import Payout
from modules.distribution.repository.payouts import BankDetails
from modules.distribution.service import payouts
from modules.payments.models import PaymentAccount
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in
from tests.modules.distribution.test_payouts import _earned
from tests.tenants.test_platform import make_operator, operator_client, operator_sign_in

__all__ = ["operator_client"]  # the fixture, used by name

BASE = "/console/distribution/payouts"


async def _payouts(db, tenant) -> int:
    await bind_tenant(db, tenant.id)
    stmt = select(func.count()).select_from(Payout).where(Payout.tenant_id == tenant.id)
    return int((await db.execute(stmt)).scalar_one())


async def _bank_supplier(db):
    hotel = await make_tenant(db, kinds=("hotel",), name="重庆江景酒店")
    await db.execute(delete(PaymentAccount).where(PaymentAccount.tenant_id == hotel.tenant.id))
    await _earned(db, hotel.tenant)
    return hotel


class TestSupplierPayouts:
    async def test_request_a_bank_payout_and_see_it(self, client, db):
        hotel = await _bank_supplier(db)
        cashier = await make_staff(db, tenant=hotel.tenant, role="cashier")
        await sign_in(client, cashier)

        page = await client.get(BASE)
        assert page.status_code == 200 and "¥1,234.50" in page.text

        bad = await form_post(
            client,
            BASE,
            {"bank_name": "工商银行", "bank_account": "６２２２", "account_holder": "x"},
        )
        assert bad.status_code == 422
        assert await _payouts(db, hotel.tenant) == 0

        done = await form_post(
            client,
            BASE,
            {
                "bank_name": "中国工商银行重庆解放碑支行",
                "bank_account": "6222 0212 3456 7890 123",
                "account_holder": "重庆江景酒店有限公司",
            },
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
        listing = await client.get(done.headers["location"])
        assert "6222021234567890123" in listing.text and "FK-" in listing.text
        payout = (await db.scalars(select(Payout).where(Payout.tenant_id == hotel.tenant.id))).one()
        detail = await client.get(f"{BASE}/{payout.id}")
        assert detail.status_code == 200 and payout.number in detail.text

        again = await form_post(client, BASE, {})
        assert again.status_code == 409  # nothing payable any more

    async def test_another_enterprises_payout_answers_404(self, client, db):
        hotel = await _bank_supplier(db)
        other = await make_tenant(db, name="江北酒店")
        await bind_tenant(db, hotel.tenant.id)

        payout = await payouts.request_payout(
            db, hotel.tenant.id, bank=BankDetails("工商银行", "62220212345678", "江景")
        )
        await sign_in(client, other)
        assert (await client.get(f"{BASE}/{payout.id}")).status_code == 404


class TestOperatorPayouts:
    async def test_bank_file_and_mark_paid(self, operator_client, db):
        hotel = await _bank_supplier(db)

        payout = await payouts.request_payout(
            db, hotel.tenant.id, bank=BankDetails("建设银行重庆分行", "6227001234567890", "江景")
        )
        await bind_tenant(db, None)
        operator = await make_operator(db)
        await operator_sign_in(operator_client, operator)

        page = await operator_client.get("/platform/distribution/payouts")
        assert page.status_code == 200 and payout.number in page.text

        file = await operator_client.get("/platform/distribution/payouts/bank-file.csv")
        assert file.status_code == 200 and file.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"))))
        assert rows[0][4] == "金额(元)"
        mine = [r for r in rows[1:] if r[5].endswith(payout.number)]
        assert mine and mine[0][1:5] == ["6227001234567890", "江景", "建设银行重庆分行", "1234.50"]

        done = await form_post(
            operator_client,
            "/platform/distribution/payouts/paid",
            {"tenant_id": str(hotel.tenant.id), "payout_id": str(payout.id)},
            follow_redirects=False,
        )
        assert done.status_code == 303
        await bind_tenant(db, hotel.tenant.id)
        await db.refresh(payout)
        assert payout.status == "paid" and payout.marked_paid_by == operator.email

        unknown = await form_post(
            operator_client,
            "/platform/distribution/payouts/paid",
            {"tenant_id": str(hotel.tenant.id), "payout_id": str(uuid.uuid4())},
        )
        assert unknown.status_code == 404
        odd = await form_post(
            operator_client,
            "/platform/distribution/payouts/paid",
            {"tenant_id": str(hotel.tenant.id), "payout_id": "not-a-payout"},
        )
        assert odd.status_code == 422
