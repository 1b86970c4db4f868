"""The settlement pages: finance settles now and follows the run, reads a statement, prints
the PDF and CSV, confirms; the agency reads, prints and confirms the same statement through
its agreement; another agency gets 404; the daily job settles every supplier."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import text

from app.db.engine import TenantId, bind_tenant
from modules.distribution import tasks
from modules.distribution.service import ledger, settlement
from tests.factories.distribution import (
    make_agreement,
    make_distributor,
    make_order,
    make_product,
)
from tests.factories.tenants import make_tenant
from tests.helpers import form_post, sign_in

NOV_10 = datetime(2026, 11, 10, 4, 0, tzinfo=UTC)


@pytest.fixture
async def settled(db):
    hotel = await make_tenant(db, name="山城大酒店")
    agency = await make_tenant(db, kinds=("agency",), name="春秋旅行社")
    await bind_tenant(db, hotel.tenant.id)
    tid = TenantId(hotel.tenant.id)
    distributor = await make_distributor(db, tenant=hotel.tenant, partner=agency.tenant)
    agreement = await make_agreement(
        db, tenant=hotel.tenant, distributor=distributor, valid_from=date(2026, 11, 1)
    )
    product = await make_product(db, tenant=hotel.tenant, agreement=agreement)
    with time_machine.travel(NOV_10, tick=False):
        await ledger.post_topup(db, tid, agreement, amount_fen=100000, reference="BANK-7")
        order = await make_order(db, tenant=hotel.tenant, product=product, guest_name="李娜")
        await ledger.post_sale(db, tid, agreement, order_id=order.id, settlement_fen=58800)
    await settlement.settle_period(db, tid, today=date(2026, 12, 3))
    statement = (await settlement.list_statements(db, tid, agreement_id=agreement.id))[0][0]
    return hotel, agency, agreement, statement


class TestSupplierPages:
    async def test_settle_now_queues_the_run_and_the_page_follows_it(self, client, db, settled):
        hotel, _agency, _agreement, statement = settled
        await sign_in(client, hotel)
        listed = await client.get("/console/distribution/statements")
        assert listed.status_code == 200 and statement.number in listed.text
        queued = await form_post(
            client, "/console/distribution/statements/settle", {}, follow_redirects=False
        )
        assert queued.status_code == 303
        job = queued.headers["location"].split("job=")[1]
        args = await db.scalar(
            text("SELECT args FROM procrastinate_jobs WHERE id = :id"), {"id": int(job)}
        )
        assert args == {"tenant_id": str(hotel.tenant.id)}
        page = await client.get(queued.headers["location"])
        assert page.status_code == 200 and 'id="settle-progress"' in page.text
        assert "every 2s" in page.text  # waiting: the fragment polls itself
        fragment = await client.get(f"/console/distribution/statements/progress?job={job}")
        assert fragment.status_code == 200 and "settle-progress" in fragment.text

    async def test_statement_page_pdf_csv_and_confirmation(self, client, db, settled):
        hotel, _agency, _agreement, statement = settled
        await sign_in(client, hotel)
        base = f"/console/distribution/statements/{statement.id}"
        page = await client.get(base)
        assert page.status_code == 200 and "李娜" in page.text
        pdf = await client.get(f"{base}/statement.pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        csv = await client.get(f"{base}/statement.csv")
        assert "李娜" in csv.content.decode("utf-8-sig")
        done = await form_post(client, f"{base}/confirm", {}, follow_redirects=False)
        assert done.status_code == 303
        again = await form_post(client, f"{base}/confirm", {})
        assert again.status_code == 409

    async def test_a_dispute_form_refused_writes_nothing(self, client, db, settled):
        hotel, _agency, _agreement, statement = settled
        await sign_in(client, hotel)
        base = f"/console/distribution/statements/{statement.id}"
        refused = await form_post(
            client, f"{base}/disputes", {"entry_id": "x", "reason": "", "amount": "abc"}
        )
        assert refused.status_code == 422
        n = await db.scalar(text("SELECT count(*) FROM dist_disputes"))
        assert n == 0


class TestDistributorPages:
    async def test_the_agency_reads_prints_and_confirms_the_same_statement(
        self, client, db, settled
    ):
        hotel, agency, agreement, statement = settled
        await sign_in(client, agency)
        listed = await client.get("/console/distribution/my-statements")
        assert listed.status_code == 200 and statement.number in listed.text
        base = f"/console/distribution/my-statements/{agreement.id}"
        mine = await client.get(base)
        assert mine.status_code == 200 and statement.number in mine.text
        page = await client.get(base, params={"number": statement.number})
        assert page.status_code == 200 and "李娜" in page.text and "山城大酒店" in page.text
        pdf = await client.get(base, params={"number": statement.number, "format": "pdf"})
        assert pdf.content.startswith(b"%PDF")
        done = await form_post(
            client, f"{base}/confirm", {"number": statement.number}, follow_redirects=False
        )
        assert done.status_code == 303
        await bind_tenant(db, hotel.tenant.id)
        confirmed = await db.scalar(
            text("SELECT distributor_confirmed_by FROM dist_statements WHERE id = :id"),
            {"id": statement.id},
        )
        assert confirmed

    async def test_another_agency_gets_404(self, client, db, settled):
        _hotel, _agency, agreement, statement = settled
        other = await make_tenant(db, kinds=("agency",), name="青旅")
        await sign_in(client, other)
        base = f"/console/distribution/my-statements/{agreement.id}"
        for fmt in ("", "pdf", "csv"):
            found = await client.get(base, params={"number": statement.number, "format": fmt})
            assert found.status_code == 404
        assert (await client.get(base)).status_code == 404
        confirm = await form_post(client, f"{base}/confirm", {"number": statement.number})
        assert confirm.status_code == 404


class TestDailyJob:
    async def test_the_job_settles_a_supplier(self, db, settled, database):
        from app.jobs.runtime import JobRuntime, use_runtime

        hotel, *_ = settled
        with use_runtime(JobRuntime(database=database, settings=None)):  # type: ignore[arg-type]
            issued = await tasks.settle(tenant_id=str(hotel.tenant.id))
        assert issued >= 0
