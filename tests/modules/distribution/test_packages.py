"""A package across enterprises: an agency (旅行社) sells two nights at a hotel (解放碑), a
Three Gorges cruise cabin and a spa day at a resort (北碚), three other tenants, as one order
paid once. Every part is booked or none: each part failing in turn leaves nothing booked at
any supplier, no money moved in any ledger, the card hold released and the package failed
with the reason. A saga stopped half-way (a crash) is finished by the resume job."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.db.engine import Database, TenantId, bind_tenant
from app.jobs.runtime import JobRuntime, use_runtime
from modules.distribution import tasks
from modules.distribution.models import (
    Agreement,
    AgreementProduct,
    DistributionOrder,
    LedgerEntry,
    LedgerPosting,
    Package,
)
from modules.distribution.schemas.packages import PackageSale, PartRequest, Traveller
from modules.distribution.service import ledger, packages_saga
from modules.distribution.service import packages as service
from modules.keytags import service as keytags
from modules.payments import service as payments
from modules.reservations import service as reservations
from tests.factories.boarding_booking import make_voyage_on_sale, resident_id
from tests.factories.distribution import make_agreement, make_distributor
from tests.factories.keytags import make_ticket_type
from tests.factories.reservations import make_rate_plan, make_stock
from tests.factories.tenants import make_tenant
from tests.stripe_fixtures import card_token

pytestmark = pytest.mark.usefixtures("stripe_gateway")

TOPUP_FEN = 2_000_000  # ¥20,000 paid in ahead with each supplier
LEAD = Traveller("陈静", resident_id(date(1988, 6, 2), seq="126"))
COMPANION = Traveller("王磊", resident_id(date(1987, 1, 15), seq="131"))


@dataclass
class Supplier:
    tid: TenantId
    agreement: Agreement
    product: AgreementProduct
    part: PartRequest


@dataclass
class World:
    agency: TenantId
    hotel: Supplier
    cruise: Supplier
    spa: Supplier

    @property
    def suppliers(self) -> list[Supplier]:
        return [self.hotel, self.cruise, self.spa]


async def _sign(db, supplier, agency, *, topup_fen: int = TOPUP_FEN, **product) -> tuple:
    """The supplier signs the agency (prepaid), authorises one product at a net price and
    records the agency's top-up."""
    distributor = await make_distributor(db, tenant=supplier, partner=agency)
    agreement = await make_agreement(db, tenant=supplier, distributor=distributor)
    await bind_tenant(db, supplier.id)
    row = AgreementProduct(tenant_id=supplier.id, agreement_id=agreement.id, **product)
    db.add(row)
    await db.flush()
    if topup_fen:
        await ledger.post_topup(
            db, TenantId(supplier.id), agreement, amount_fen=topup_fen, reference="BANK-0001"
        )
    return agreement, row


async def make_world(db, *, cruise_topup_fen: int = TOPUP_FEN) -> World:
    agency = (await make_tenant(db, kinds=("agency",), name="山城国旅")).tenant
    hotel = (await make_tenant(db, kinds=("hotel",), name="解放碑大酒店")).tenant
    cruise = (await make_tenant(db, kinds=("cruise",), name="长江三峡游轮")).tenant
    spa = (await make_tenant(db, kinds=("hot_spring",), name="北碚温泉度假村")).tenant

    stock = await make_stock(db, tenant=hotel, units=3, days=60)
    agreement, product = await _sign(
        db,
        hotel,
        agency,
        unit_type_id=stock.unit_type.id,
        rate_plan_id=stock.plan.id,
        price_mode="net",
        net_price_fen=48800,
    )
    arrival = stock.start + timedelta(days=2)
    hotel_s = Supplier(TenantId(hotel.id), agreement, product, _part(product, arrival, 2, 1))

    on_sale = await make_voyage_on_sale(db, tenant=cruise, days_ahead=40)
    agreement, product = await _sign(
        db,
        cruise,
        agency,
        topup_fen=cruise_topup_fen,
        unit_type_id=on_sale.grade.id,
        voyage_id=on_sale.voyage.id,
        price_mode="commission",
        commission_bp=1500,
    )
    cruise_s = Supplier(
        TenantId(cruise.id), agreement, product, _part(product, on_sale.depart_on, 0, 1)
    )

    await make_rate_plan(db, tenant=spa, code="rack", name="门市价")  # tickets sell on it
    ticket = await make_ticket_type(db, tenant=spa, sold_online=True)
    await bind_tenant(db, spa.id)
    await keytags.sync_online_ticket(db, TenantId(spa.id), ticket)
    agreement, product = await _sign(
        db, spa, agency, unit_type_id=ticket.unit_type_id, price_mode="net", net_price_fen=26800
    )
    spa_s = Supplier(TenantId(spa.id), agreement, product, _part(product, on_sale.arrive_on, 0, 2))
    await bind_tenant(db, agency.id)
    return World(TenantId(agency.id), hotel_s, cruise_s, spa_s)


def _part(product: AgreementProduct, arrival: date, nights: int, quantity: int) -> PartRequest:
    return PartRequest(product.agreement_id, product.id, arrival, nights, quantity)


def _sale(world: World, url: str, *, parts: list[PartRequest] | None = None) -> PackageSale:
    return PackageSale(
        name="山城两晚 + 三峡游轮 + 温泉一日",
        lead=LEAD,
        phone="13912345678",
        travellers=(LEAD, COMPANION),
        total_fen=1_280_000,
        parts=tuple(parts or [s.part for s in world.suppliers]),
        key=uuid.uuid4().hex,
        card_token=card_token(url),
    )


async def _orders(db, supplier: Supplier, package_id: uuid.UUID) -> list[DistributionOrder]:
    await bind_tenant(db, supplier.tid)
    stmt = select(DistributionOrder).where(DistributionOrder.package_id == package_id)
    return list((await db.execute(stmt)).scalars().all())


async def _order_money(db, supplier: Supplier, orders: list[DistributionOrder]) -> dict[str, int]:
    """Per account kind, the sum of the postings of every entry caused by these orders."""
    await bind_tenant(db, supplier.tid)
    if not orders:
        return {}
    from modules.distribution.models import LedgerAccount

    stmt = (
        select(LedgerAccount.kind, func.sum(LedgerPosting.amount_fen))
        .join(LedgerEntry, LedgerEntry.id == LedgerPosting.entry_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
        .where(LedgerEntry.order_id.in_([o.id for o in orders]))
        .group_by(LedgerAccount.kind)
    )
    return {kind: int(total) for kind, total in (await db.execute(stmt)).all()}


async def _sell_and_run(
    db, database: Database, world: World, url: str, meanwhile=None
) -> uuid.UUID:
    await bind_tenant(db, world.agency)
    view = await service.sell_package(db, world.agency, _sale(world, url), actor_id=None)
    assert view.status == "booking"
    if meanwhile is not None:
        await meanwhile()
    await service.run_package(database, world.agency, view.id)
    return view.id


class TestHappyPath:
    async def test_every_part_booked_at_its_supplier_and_paid_once(
        self, db, database, stripe_emulator
    ):
        world = await make_world(db)
        package_id = await _sell_and_run(db, database, world, stripe_emulator)
        await bind_tenant(db, world.agency)
        view = await service.package_view(db, world.agency, package_id)
        assert view.status == "confirmed", view.failure

        for supplier in world.suppliers:
            [order] = await _orders(db, supplier, package_id)
            assert order.status == "confirmed"
            assert order.idempotency_key.startswith(f"{package_id}:")
            money = await _order_money(db, supplier, [order])
            assert money["distributor_prepaid"] == order.settlement_fen > 0
            assert sum(money.values()) == 0
            balance = await ledger.balance_of(db, supplier.tid, supplier.agreement)
            assert balance.balance_fen == TOPUP_FEN - order.settlement_fen

        await bind_tenant(db, world.agency)
        view = await service.package_view(db, world.agency, package_id)
        assert view.status == "confirmed" and not view.failure
        assert [p.status for p in view.parts] == ["booked"] * 3
        assert all(p.order_number for p in view.parts)
        [paid] = await payments.payments_for(db, world.agency, service.SUBJECT, package_id)
        assert paid.status == "succeeded" and paid.amount_fen == 1_280_000

    async def test_a_second_sale_with_the_same_key_is_the_same_package(
        self, db, database, stripe_emulator
    ):
        world = await make_world(db)
        sale = _sale(world, stripe_emulator)
        first = await service.sell_package(db, world.agency, sale, actor_id=None)
        again = await service.sell_package(db, world.agency, sale, actor_id=None)
        assert again.id == first.id
        await bind_tenant(db, world.agency)
        count = await db.scalar(select(func.count()).select_from(Package))
        assert count == 1


async def _suspend(db, supplier: Supplier) -> None:
    await bind_tenant(db, supplier.tid)
    agreement = await db.get(Agreement, supplier.agreement.id)
    assert agreement is not None
    agreement.status = "suspended"
    await db.flush()


def replace_quantity(part: PartRequest, quantity: int) -> PartRequest:
    return PartRequest(part.agreement_id, part.product_id, part.arrival, part.nights, quantity)


class TestEachPartFailingInTurn:
    @pytest.mark.parametrize("failing", [1, 2, 3])
    async def test_nothing_stays_booked_and_no_money_moved(
        self, db, database, stripe_emulator, failing
    ):
        # Part 1: the hotel has 3 rooms, the package asks for 4 (no availability). Part 2:
        # the agency paid only ¥100 in with the cruise line (insufficient balance). Part 3:
        # the resort suspends its agreement while the package is being booked (refused).
        world = await make_world(db, cruise_topup_fen=TOPUP_FEN if failing != 2 else 10000)
        if failing == 1:
            world.hotel.part = replace_quantity(world.hotel.part, 4)
        meanwhile = (lambda: _suspend(db, world.spa)) if failing == 3 else None
        package_id = await _sell_and_run(db, database, world, stripe_emulator, meanwhile)

        for supplier in world.suppliers:
            orders = await _orders(db, supplier, package_id)
            assert all(o.status == "cancelled" for o in orders)
            assert all(o.cancellation_fee_fen == 0 for o in orders)
            for order in orders:  # the supplier's own booking is cancelled too
                assert order.reservation_id is not None
                held = await reservations.get_reservation(db, supplier.tid, order.reservation_id)
                assert held.status == "cancelled"
            money = await _order_money(db, supplier, orders)
            assert all(total == 0 for total in money.values()), money
            balance = await ledger.balance_of(db, supplier.tid, supplier.agreement)
            expected = 10000 if (supplier is world.cruise and failing == 2) else TOPUP_FEN
            assert balance.balance_fen == expected

        await bind_tenant(db, world.agency)
        view = await service.package_view(db, world.agency, package_id)
        assert view.status == "failed"
        reason = {1: "已售完", 2: "余额不足", 3: "暂停或终止"}[failing]
        assert view.failure.startswith(f"第 {failing} 项") and reason in view.failure
        statuses = [p.status for p in view.parts]
        assert statuses[failing - 1] == "failed" and view.parts[failing - 1].error
        assert statuses[: failing - 1] == ["compensated"] * (failing - 1)
        assert statuses[failing:] == ["pending"] * (3 - failing)
        [hold] = await payments.payments_for(db, world.agency, service.SUBJECT, package_id)
        assert hold.status == "canceled"


class TestPayment:
    async def test_a_hold_that_cannot_be_captured_fails_the_package_and_unbooks_it(
        self, db, database, stripe_emulator
    ):
        world = await make_world(db)
        await bind_tenant(db, world.agency)
        view = await service.sell_package(
            db, world.agency, _sale(world, stripe_emulator), actor_id=None
        )
        [hold] = await payments.payments_for(db, world.agency, service.SUBJECT, view.id)
        await payments.release(db, world.agency, hold.id)  # the card hold lapsed

        assert await service.run_package(database, world.agency, view.id) == "failed"
        await bind_tenant(db, world.agency)
        failed = await service.package_view(db, world.agency, view.id)
        assert failed.status == "failed" and "付款" in failed.failure
        assert [p.status for p in failed.parts] == ["compensated"] * 3
        for supplier in world.suppliers:
            orders = await _orders(db, supplier, view.id)
            assert [o.status for o in orders] == ["cancelled"]
            assert all(total == 0 for total in (await _order_money(db, supplier, orders)).values())


class TestCrashAndResume:
    async def test_a_saga_stopped_half_way_is_finished_by_the_job(
        self, db, database, settings, stripe_emulator, monkeypatch
    ):
        world = await make_world(db)
        await bind_tenant(db, world.agency)
        view = await service.sell_package(
            db, world.agency, _sale(world, stripe_emulator), actor_id=None
        )

        async def crash(part):
            if part.seq == 2:
                raise RuntimeError("worker killed")

        monkeypatch.setattr(packages_saga, "after_part_placed", crash)
        with pytest.raises(RuntimeError):
            await service.run_package(database, world.agency, view.id)
        assert len(await _orders(db, world.hotel, view.id)) == 1
        assert await _orders(db, world.cruise, view.id) == []  # its transaction rolled back
        await bind_tenant(db, world.agency)
        halfway = await service.package_view(db, world.agency, view.id)
        assert [p.status for p in halfway.parts] == ["booked", "pending", "pending"]

        monkeypatch.setattr(packages_saga, "after_part_placed", None)
        with use_runtime(JobRuntime(database, settings)):
            ended = await tasks.resume_package(str(world.agency), str(view.id))
            assert ended == "confirmed"
            assert await tasks.resume_package(str(world.agency), str(view.id)) == "done"
        for supplier in world.suppliers:
            [order] = await _orders(db, supplier, view.id)
            assert order.status == "confirmed"
        await bind_tenant(db, world.agency)
        [paid] = await payments.payments_for(db, world.agency, service.SUBJECT, view.id)
        assert paid.status == "succeeded"


class TestSettlement:
    async def test_each_suppliers_share_is_on_its_own_statement(
        self, db, database, stripe_emulator
    ):
        from app import clock
        from modules.distribution.service import settlement, statements

        world = await make_world(db)
        package_id = await _sell_and_run(db, database, world, stripe_emulator)
        next_month = (clock.today().replace(day=1) + timedelta(days=32)).replace(day=1)
        for supplier in world.suppliers:
            [order] = await _orders(db, supplier, package_id)
            run = await settlement.settle_period(db, supplier.tid, today=next_month)
            views = [
                await statements.statement_view(db, supplier.tid, i) for i in run.statement_ids
            ]
            [mine] = [v for v in views if v.statement.agreement_id == supplier.agreement.id]
            assert order.number in {line.order_number for line in mine.lines}
            assert abs(mine.statement.sales_fen) == order.settlement_fen
            assert mine.distributor_name == "山城国旅"


class TestStuckPackages:
    async def test_the_sweep_finishes_a_package_left_booking(
        self, db, database, settings, stripe_emulator
    ):
        import time_machine

        from app import clock

        world = await make_world(db)
        await bind_tenant(db, world.agency)
        view = await service.sell_package(
            db, world.agency, _sale(world, stripe_emulator), actor_id=None
        )
        with use_runtime(JobRuntime(database, settings)):
            assert await tasks.resume_stuck_packages(timestamp=0) == 0  # just sold: not stuck
            with time_machine.travel(clock.now() + timedelta(minutes=10), tick=False):
                assert await tasks.resume_stuck_packages(timestamp=0) == 1
        await bind_tenant(db, world.agency)
        assert (await service.package_view(db, world.agency, view.id)).status == "confirmed"

    async def test_a_package_still_failing_after_an_hour_is_given_up(
        self, db, database, stripe_emulator, monkeypatch
    ):
        import time_machine

        from app import clock
        from app.errors import Unavailable

        world = await make_world(db)
        await bind_tenant(db, world.agency)
        view = await service.sell_package(
            db, world.agency, _sale(world, stripe_emulator), actor_id=None
        )

        async def unreachable(part):
            if part.seq == 2:
                raise Unavailable("the supplier's system is down")

        monkeypatch.setattr(packages_saga, "after_part_placed", unreachable)
        with time_machine.travel(clock.now() + timedelta(minutes=10), tick=False):
            assert await service.resume_stuck(database, world.agency) == 0
        await bind_tenant(db, world.agency)
        assert (await service.package_view(db, world.agency, view.id)).status == "booking"
        with time_machine.travel(clock.now() + timedelta(hours=2), tick=False):
            await service.resume_stuck(database, world.agency)
        await bind_tenant(db, world.agency)
        given_up = await service.package_view(db, world.agency, view.id)
        assert given_up.status == "failed" and "供应商" in given_up.failure
        assert [p.status for p in given_up.parts] == ["compensated", "pending", "pending"]
        assert [o.status for o in await _orders(db, world.hotel, view.id)] == ["cancelled"]
