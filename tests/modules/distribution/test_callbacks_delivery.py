"""Delivering callbacks: signed per Standard Webhooks, every attempt kept, retried with
backoff by the real worker, `failed` after the last try; the reference receiver applies
each message once and never rolls an order back."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from app import clock
from app.db.engine import TenantId, bind_tenant
from devtools.webhook_receiver import Receiver
from modules.distribution.models import Callback, CallbackAttempt
from modules.distribution.service import callbacks, delivery
from tests.factories.distribution import make_agreement, make_distributor, make_order, make_product
from tests.factories.tenants import make_tenant

URL = "https://ota.example.test/zhilv/hooks"


async def _setup(db, settings, *, url: str = URL):
    owner = await make_tenant(db)
    tid = TenantId(owner.tenant.id)
    secret = callbacks.new_secret()
    distributor = await make_distributor(db, tenant=owner.tenant, callback_url=url)
    distributor.callback_secret_sealed = callbacks.seal_secret(
        settings, tid, distributor.id, secret
    )
    agreement = await make_agreement(db, tenant=owner.tenant, distributor=distributor)
    product = await make_product(db, tenant=owner.tenant, agreement=agreement)
    order = await make_order(db, tenant=owner.tenant, product=product)
    await db.flush()
    return tid, secret, distributor, order


async def _tell(db, tid, distributor, order, event="order.confirmed") -> Callback:
    await callbacks.enqueue_callback(
        db, tid, distributor_id=distributor.id, order_id=order.id, event_type=event, data={}
    )
    rows = (await db.execute(select(Callback).where(Callback.order_id == order.id))).scalars()
    return max(rows, key=lambda cb: cb.payload["data"]["sequence"])  # one now() per transaction


def _bound(db, tid):
    @asynccontextmanager
    async def bound() -> AsyncIterator[tuple[Any, TenantId]]:
        yield db, tid

    return bound


def _http(receiver: Receiver) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver))


class TestDelivery:
    async def test_a_2xx_answer_delivers_the_signed_callback(self, db, settings):
        tid, secret, distributor, order = await _setup(db, settings)
        cb = await _tell(db, tid, distributor, order)
        receiver = Receiver(secret=secret)
        async with _http(receiver) as http:
            outcome = await delivery.deliver(_bound(db, tid), settings, cb.id, http=http)
        assert outcome == "delivered"
        assert receiver.orders[order.number].state == "confirmed"
        await db.refresh(cb)
        assert (cb.status, cb.attempts, cb.last_status_code) == ("delivered", 1, 204)
        attempt = (await db.execute(select(CallbackAttempt))).scalar_one()
        assert (attempt.status_code, attempt.manual, attempt.error) == (204, False, "")

    async def test_a_non_2xx_answer_is_kept_and_tried_again(self, db, settings):
        tid, secret, distributor, order = await _setup(db, settings)
        cb = await _tell(db, tid, distributor, order)
        receiver = Receiver(secret=secret, fail_next=1)
        async with _http(receiver) as http:
            first = await delivery.deliver(_bound(db, tid), settings, cb.id, http=http, retry_in=9)
            await db.refresh(cb)
            assert (first, cb.status, cb.last_status_code) == ("retry", "pending", 503)
            assert cb.next_attempt_at is not None and cb.next_attempt_at > clock.now()
            second = await delivery.deliver(_bound(db, tid), settings, cb.id, http=http)
        await db.refresh(cb)
        assert (second, cb.status, cb.attempts) == ("delivered", "delivered", 2)
        codes = [a.status_code for a in (await db.execute(select(CallbackAttempt))).scalars()]
        assert sorted(codes) == [204, 503]

    async def test_after_the_last_try_the_callback_is_failed(self, db, settings):
        tid, secret, distributor, order = await _setup(db, settings)
        cb = await _tell(db, tid, distributor, order)
        async with _http(Receiver(secret=secret, fail_next=5)) as http:
            outcome = await delivery.deliver(
                _bound(db, tid), settings, cb.id, http=http, final=True
            )
        await db.refresh(cb)
        assert (outcome, cb.status, cb.next_attempt_at) == ("failed", "failed", None)

    async def test_an_unreachable_partner_is_an_attempt_with_its_error(self, db, settings):
        tid, _secret, distributor, order = await _setup(db, settings)
        cb = await _tell(db, tid, distributor, order)

        def refuse(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("connection refused", request=request)

        async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
            outcome = await delivery.deliver(_bound(db, tid), settings, cb.id, http=http)
        attempt = (await db.execute(select(CallbackAttempt))).scalar_one()
        assert outcome == "retry"
        assert attempt.status_code is None and "connection refused" in attempt.error

    async def test_a_delivered_callback_is_not_sent_again_by_a_repeated_job(self, db, settings):
        tid, secret, distributor, order = await _setup(db, settings)
        cb = await _tell(db, tid, distributor, order)
        receiver = Receiver(secret=secret)
        async with _http(receiver) as http:
            await delivery.deliver(_bound(db, tid), settings, cb.id, http=http)
            again = await delivery.deliver(_bound(db, tid), settings, cb.id, http=http)
        assert again == "skipped" and len(receiver.seen) == 1

    async def test_a_manual_resend_is_one_more_attempt_marked_manual(self, db, settings):
        tid, secret, distributor, order = await _setup(db, settings)
        cb = await _tell(db, tid, distributor, order)
        receiver = Receiver(secret=secret)
        async with _http(receiver) as http:
            await delivery.deliver(_bound(db, tid), settings, cb.id, http=http)
            await delivery.resend(db, tid, cb.id)
            jobs = await db.execute(
                text(
                    "SELECT args FROM procrastinate_jobs "
                    "WHERE task_name = 'distribution.deliver_callback'"
                )
            )
            assert {"tenant_id": str(tid), "callback_id": str(cb.id), "manual": True} in [
                row.args for row in jobs
            ]
            outcome = await delivery.deliver(
                _bound(db, tid), settings, cb.id, http=http, manual=True
            )
        assert outcome == "delivered"
        manual = [a.manual for a in (await db.execute(select(CallbackAttempt))).scalars()]
        assert sorted(manual) == [False, True]
        assert receiver.ignored == [f"replay {cb.message_id}"]  # the receiver drops the repeat

    async def test_a_callback_url_removed_since_fails_without_a_request(self, db, settings):
        tid, secret, distributor, order = await _setup(db, settings)
        cb = await _tell(db, tid, distributor, order)
        distributor.callback_url = ""
        await db.flush()
        receiver = Receiver(secret=secret)
        async with _http(receiver) as http:
            outcome = await delivery.deliver(_bound(db, tid), settings, cb.id, http=http)
        await db.refresh(cb)
        assert (outcome, cb.status, cb.last_error) == ("failed", "failed", "no callback URL")
        assert receiver.seen == set()

    @pytest.mark.parametrize(
        "url", ["https://127.0.0.1:8443/h", "https://localhost/h", "https://169.254.169.254/x"]
    )
    async def test_in_production_a_private_address_is_never_called(self, db, settings, url):
        production = settings.model_copy(update={"env": "production"})
        tid, secret, distributor, order = await _setup(db, settings, url=url)
        cb = await _tell(db, tid, distributor, order)
        receiver = Receiver(secret=secret)
        async with _http(receiver) as http:
            outcome = await delivery.deliver(_bound(db, tid), production, cb.id, http=http)
        await db.refresh(cb)
        assert (outcome, cb.status) == ("failed", "failed")
        assert "not a public address" in cb.last_error and receiver.seen == set()


class TestReceiver:
    """What the partner's side sees: replays and reordering are harmless, tampering fails."""

    async def _two(self, db, settings):
        tid, secret, distributor, order = await _setup(db, settings)
        confirmed = await _tell(db, tid, distributor, order)
        order.status = "cancelled"
        await db.flush()
        cancelled = await _tell(db, tid, distributor, order, "order.cancelled")
        return tid, secret, order, confirmed, cancelled

    async def _captured(self, db, settings, tid, cb_id) -> httpx.Request:
        prepared = await delivery.prepare(db, tid, settings, cb_id, manual=True)
        assert isinstance(prepared, delivery.Outgoing)
        return httpx.Request("POST", prepared.url, content=prepared.body, headers=prepared.headers)

    async def test_a_replayed_callback_is_applied_once(self, db, settings):
        tid, secret, order, confirmed, _ = await self._two(db, settings)
        receiver = Receiver(secret=secret)
        request = await self._captured(db, settings, tid, confirmed.id)
        async with _http(receiver) as http:
            assert (await http.send(request)).status_code == 204
            assert (await http.send(request)).status_code == 204
        assert receiver.orders[order.number].events == ["order.confirmed"]
        assert receiver.ignored == [f"replay {confirmed.message_id}"]

    async def test_a_reordered_pair_leaves_the_later_state(self, db, settings):
        tid, secret, order, confirmed, cancelled = await self._two(db, settings)
        receiver = Receiver(secret=secret)
        later = await self._captured(db, settings, tid, cancelled.id)
        earlier = await self._captured(db, settings, tid, confirmed.id)
        async with _http(receiver) as http:
            assert (await http.send(later)).status_code == 204
            assert (await http.send(earlier)).status_code == 204
        view = receiver.orders[order.number]
        assert (view.state, view.sequence) == ("cancelled", 2)
        assert receiver.ignored == [f"stale {order.number} #1"]

    async def test_a_tampered_body_is_refused(self, db, settings):
        tid, secret, _order, confirmed, _ = await self._two(db, settings)
        receiver = Receiver(secret=secret)
        good = await self._captured(db, settings, tid, confirmed.id)
        payload = json.loads(good.content)
        payload["data"]["state"] = "redeemed"
        forged = httpx.Request(
            "POST", good.url, content=json.dumps(payload).encode(), headers=good.headers
        )
        async with _http(receiver) as http:
            assert (await http.send(forged)).status_code == 401
        assert receiver.orders == {} and receiver.refused == ["no valid signature"]

    async def test_another_secret_or_a_stale_timestamp_is_refused(self, db, settings):
        tid, secret, _order, confirmed, _ = await self._two(db, settings)
        request = await self._captured(db, settings, tid, confirmed.id)
        stranger = Receiver(secret=callbacks.new_secret())
        later = Receiver(secret=secret, clock=lambda: clock.now().timestamp() + 3600)
        for receiver in (stranger, later):
            async with _http(receiver) as http:
                assert (await http.send(request)).status_code == 401
        assert stranger.refused == ["no valid signature"]
        assert later.refused == ["timestamp outside the tolerance"]


@pytest.mark.realdb
class TestWorker:
    async def test_the_worker_retries_with_backoff_until_delivered(
        self, committed_database, committed_urls, settings, monkeypatch
    ):
        from workers.runtime import run_worker

        async with committed_database.transaction() as db:
            await db.execute(
                text("DELETE FROM procrastinate_jobs WHERE queue_name = 'distribution'")
            )
        async with committed_database.transaction() as db:
            tid, secret, distributor, order = await _setup(db, settings)
            cb = await _tell(db, tid, distributor, order)
        receiver = Receiver(secret=secret, fail_next=1)
        monkeypatch.setattr(delivery, "http_client", lambda: _http(receiver))
        worker_settings = settings.model_copy(update={"database_url": committed_urls.app_url})

        async def run() -> None:
            await run_worker(
                worker_settings,
                concurrency=1,
                queues=["distribution"],
                wait=False,
                install_signal_handlers=False,
                database=committed_database,
            )

        await run()  # 503: kept, and the job waits for its backoff
        async with committed_database.transaction(tid) as db:
            row = (await db.execute(select(Callback).where(Callback.id == cb.id))).scalar_one()
            assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 503)
            job = (
                await db.execute(
                    text(
                        "SELECT status::text, attempts FROM procrastinate_jobs "
                        "WHERE queue_name = 'distribution' AND args->>'callback_id' = :id"
                    ),
                    {"id": str(cb.id)},
                )
            ).one()
            assert (job.status, job.attempts) == ("todo", 1)
            await db.execute(
                text(
                    "UPDATE procrastinate_jobs SET scheduled_at = now() "
                    "WHERE queue_name = 'distribution' AND status = 'todo'"
                )
            )
        await run()
        async with committed_database.transaction(tid) as db:
            row = (await db.execute(select(Callback).where(Callback.id == cb.id))).scalar_one()
            assert (row.status, row.attempts) == ("delivered", 2)
        assert receiver.orders[order.number].state == "confirmed"

    async def test_after_the_last_retry_the_callback_is_failed(
        self, committed_database, committed_urls, settings, monkeypatch
    ):
        from workers.runtime import run_worker

        async with committed_database.transaction() as db:
            await db.execute(
                text("DELETE FROM procrastinate_jobs WHERE queue_name = 'distribution'")
            )
            tid, secret, distributor, order = await _setup(db, settings)
            cb = await _tell(db, tid, distributor, order)
        receiver = Receiver(secret=secret, fail_next=100)
        monkeypatch.setattr(delivery, "http_client", lambda: _http(receiver))
        worker_settings = settings.model_copy(update={"database_url": committed_urls.app_url})
        for _run in range(12):  # each run takes the job once; its backoff is skipped below
            await run_worker(
                worker_settings,
                concurrency=1,
                queues=["distribution"],
                wait=False,
                install_signal_handlers=False,
                database=committed_database,
            )
            async with committed_database.transaction(tid) as db:
                moved = await db.execute(
                    text(
                        "UPDATE procrastinate_jobs SET scheduled_at = now() "
                        "WHERE queue_name = 'distribution' AND status = 'todo'"
                    )
                )
                if not moved.rowcount:
                    break
        async with committed_database.transaction(tid) as db:
            row = (await db.execute(select(Callback).where(Callback.id == cb.id))).scalar_one()
            tried = (
                await db.execute(
                    select(CallbackAttempt).where(CallbackAttempt.callback_id == cb.id)
                )
            ).all()
        assert (row.status, row.attempts, len(tried)) == ("failed", 9, 9)

    async def test_a_rolled_back_cause_leaves_no_callback_and_no_job(
        self, committed_database, settings
    ):
        async with committed_database.transaction() as db:
            tid, _secret, distributor, order = await _setup(db, settings)
        async with committed_database.sessionmaker() as db:
            await db.begin()
            await bind_tenant(db, tid)
            await _tell(db, tid, distributor, order)
            await db.rollback()
        async with committed_database.transaction(tid) as db:
            assert (
                await db.execute(select(Callback).where(Callback.order_id == order.id))
            ).first() is None
            jobs = await db.execute(
                text("SELECT 1 FROM procrastinate_jobs WHERE args->>'tenant_id' = :t"),
                {"t": str(tid)},
            )
            assert jobs.first() is None

    def test_the_job_is_registered_with_the_worker(self):
        from workers.app import BLUEPRINTS

        assert "distribution.deliver_callback" in {n for bp in BLUEPRINTS for n in bp.tasks}
