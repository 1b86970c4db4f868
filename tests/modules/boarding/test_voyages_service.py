"""Ships, voyages, port calls, crew and status moves through the boarding service."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from app import clock
from app.db.engine import TenantId, bind_tenant
from app.errors import Invalid, NotFound
from modules.boarding import service
from modules.boarding.domain import DOWNSTREAM_CALLS, Direction, VoyageStatus
from modules.reservations import service as reservations
from tests.factories.reservations import RESIDENT_ID
from tests.factories.tenants import make_tenant

PRICES = {"STD-BAL": 158000, "EXEC": 328000}


@pytest.fixture
async def line(db):
    staff = await make_tenant(db, kinds=("cruise",), name="测试游轮公司")
    await bind_tenant(db, staff.tenant.id)
    return TenantId(staff.tenant.id)


async def make_plan(db, tid, code="SJSH"):
    ship = await service.create_ship(
        db, tid, code=code, name="世纪神话", decks=6, passenger_capacity=408, length_m=142
    )
    std = [
        service.CabinInput(n, 2, "STD-BAL", "标准阳台房", 2, ("balcony",))
        for n in service.expand_numbers("A-201~A-204")
    ]
    exe = [service.CabinInput(n, 3, "EXEC", "行政套房", 3) for n in ("B-301", "B-302")]
    await service.add_cabins(db, tid, ship.id, [*std, *exe])
    return ship


def sails_on(days=10):
    return clock.today() + timedelta(days=days)


class TestShips:
    async def test_plan_counts_cabins_and_berths_by_grade(self, db, line):
        ship = await make_plan(db, line)
        [found] = await service.list_ships(db, line)
        assert (found.cabins, found.berths) == (6, 4 * 2 + 2 * 3)
        grades = await service.cabin_grades(db, line, ship.id)
        assert [(g.code, g.cabins, g.berths) for g in grades] == [
            ("STD-BAL", 4, 2),
            ("EXEC", 2, 3),
        ]

    async def test_a_cabin_number_twice_is_refused(self, db, line):
        ship = await make_plan(db, line)
        with pytest.raises(Invalid) as exc:
            await service.add_cabins(
                db, line, ship.id, [service.CabinInput("A-201", 2, "STD-BAL", "标准阳台房", 2)]
            )
        assert exc.value.errors[0]["field"] == "numbers"

    def test_ranges_expand(self):
        assert service.expand_numbers("A-201~A-203, C-501") == ["A-201", "A-202", "A-203", "C-501"]
        with pytest.raises(Invalid):
            service.expand_numbers("A-209~A-201")


class TestCreateVoyage:
    async def test_inventory_is_on_sale_with_the_voyage_id_and_prices(self, db, line):
        ship = await make_plan(db, line)
        voyage = await service.create_voyage(
            db, line, ship_id=ship.id, sails_on=sails_on(), prices=PRICES
        )
        assert voyage.number == f"CJ{sails_on():%Y%m%d}A"
        types = await reservations.list_unit_types(db, line, voyage_id=voyage.id)
        assert {(t.name, t.base_price_fen, t.units, t.kind) for t in types} == {
            ("标准阳台房", 158000, 4, "cabin"),
            ("行政套房", 328000, 2, "cabin"),
        }
        sold = {v.id: v for v in await reservations.list_voyages(db, line)}
        assert sold[voyage.id].code == voyage.number
        grid = await reservations.calendar(db, line, start=sails_on(), days=4)
        rows = [r for r in grid.rows if r.unit_type.voyage_id == voyage.id]
        assert all(c is not None for r in rows for c in r.cells[:3])  # three nights on sale
        assert all(c is None for r in rows for c in r.cells[3:])
        [row] = await service.voyage_rows(db, line, [voyage])
        assert (row.cabins_total, row.cabins_sold) == (6, 0)

    async def test_port_calls_follow_the_route_with_times(self, db, line):
        ship = await make_plan(db, line)
        v = await service.create_voyage(
            db, line, ship_id=ship.id, sails_on=sails_on(), prices=PRICES
        )
        assert tuple(c.port_code for c in v.port_calls) == DOWNSTREAM_CALLS
        zone = clock.zone()
        first = v.port_calls[0]
        assert first.embarking and first.arrives_at is None
        assert first.departs_at == v.sails_at
        assert v.sails_at.astimezone(zone).time() == time(21)
        assert v.boarding_opens_at.astimezone(zone).time() == time(18)
        assert v.boarding_closes_at.astimezone(zone).time() == time(20, 30)
        assert first.boarding_opens_at == v.boarding_opens_at
        moments = [t for c in v.port_calls for t in (c.arrives_at, c.departs_at) if t]
        assert moments == sorted(moments)
        assert v.port_calls[-1].departs_at is None
        assert v.arrives_at == v.port_calls[-1].arrives_at
        assert v.nights == 3

    async def test_upstream_runs_the_route_in_reverse(self, db, line):
        ship = await make_plan(db, line)
        v = await service.create_voyage(
            db,
            line,
            ship_id=ship.id,
            sails_on=sails_on(),
            prices=PRICES,
            direction=Direction.UPSTREAM,
        )
        assert tuple(c.port_code for c in v.port_calls) == tuple(reversed(DOWNSTREAM_CALLS))
        assert v.nights == 4

    async def test_a_second_voyage_the_same_day_takes_the_next_letter(self, db, line):
        first = await make_plan(db, line)
        second = await make_plan(db, line, code="CJ2")
        a = await service.create_voyage(
            db, line, ship_id=first.id, sails_on=sails_on(), prices=PRICES
        )
        b = await service.create_voyage(
            db, line, ship_id=second.id, sails_on=sails_on(), prices=PRICES
        )
        assert (a.number[-1], b.number[-1]) == ("A", "B")

    async def test_cabins_are_counted_per_voyage_when_nights_overlap(self, db, line):
        first = await make_plan(db, line)
        second = await make_plan(db, line, code="CJ2")
        a = await service.create_voyage(
            db, line, ship_id=first.id, sails_on=sails_on(), prices=PRICES
        )
        b = await service.create_voyage(
            db, line, ship_id=second.id, sails_on=sails_on(11), prices=PRICES
        )
        rows = await service.voyage_rows(db, line, [a, b])
        assert [(r.voyage.id, r.cabins_total) for r in rows] == [(a.id, 6), (b.id, 6)]

    async def test_refusals_name_fields(self, db, line):
        ship = await make_plan(db, line)
        with pytest.raises(Invalid) as exc:
            await service.create_voyage(
                db,
                line,
                ship_id=ship.id,
                sails_on=sails_on(),
                prices={"STD-BAL": 100},
                boarding_opens=time(20),
                boarding_closes=time(19),
            )
        fields = {e["field"] for e in exc.value.errors}
        assert fields == {"price_EXEC", "boarding_closes"}
        with pytest.raises(Invalid) as exc:
            await service.create_voyage(
                db, line, ship_id=ship.id, sails_on=sails_on(-3), prices=PRICES
            )
        assert exc.value.errors[0]["field"] == "sails_on"

    async def test_the_ship_cannot_sail_twice_at_once(self, db, line):
        ship = await make_plan(db, line)
        await service.create_voyage(db, line, ship_id=ship.id, sails_on=sails_on(), prices=PRICES)
        with pytest.raises(Invalid) as exc:
            await service.create_voyage(
                db, line, ship_id=ship.id, sails_on=sails_on(11), prices=PRICES
            )
        assert exc.value.errors[0]["code"] == "busy"


class TestStatusMoves:
    async def test_the_voyage_moves_through_its_day(self, db, line):
        ship = await make_plan(db, line)
        v = await service.create_voyage(
            db, line, ship_id=ship.id, sails_on=sails_on(), prices=PRICES
        )
        assert v.status == VoyageStatus.PLANNED
        v = await service.move_voyage(db, line, v.id, VoyageStatus.BOARDING)
        v = await service.move_voyage(db, line, v.id, VoyageStatus.SAILING)
        assert v.status == VoyageStatus.SAILING
        assert v.port_calls[0].departed_at is not None
        v = await service.move_voyage(db, line, v.id, VoyageStatus.ARRIVED)
        assert v.port_calls[-1].arrived_at is not None
        with pytest.raises(service.VoyageMoveRefused):
            await service.move_voyage(db, line, v.id, VoyageStatus.BOARDING)

    async def test_skipping_or_cancelling_without_a_reason_is_refused(self, db, line):
        ship = await make_plan(db, line)
        v = await service.create_voyage(
            db, line, ship_id=ship.id, sails_on=sails_on(), prices=PRICES
        )
        with pytest.raises(service.VoyageMoveRefused):
            await service.move_voyage(db, line, v.id, VoyageStatus.ARRIVED)
        with pytest.raises(Invalid):
            await service.move_voyage(db, line, v.id, VoyageStatus.CANCELLED)
        v = await service.move_voyage(db, line, v.id, "cancelled", reason="长江枯水停航")
        assert (v.status, v.cancel_reason) == (VoyageStatus.CANCELLED, "长江枯水停航")
        grid = await reservations.calendar(db, line, start=sails_on(), days=1)
        cells = [r.cells[0] for r in grid.rows if r.unit_type.voyage_id == v.id]
        assert cells and all(c.closed for c in cells)

    async def test_actual_port_times_are_kept(self, db, line):
        ship = await make_plan(db, line)
        v = await service.create_voyage(
            db, line, ship_id=ship.id, sails_on=sails_on(), prices=PRICES
        )
        call = v.port_calls[1]
        arrived = call.arrives_at + timedelta(minutes=20)
        found = await service.record_port_time(db, line, v.id, call.id, arrived_at=arrived)
        assert found.arrived_at == arrived
        with pytest.raises(Invalid):
            await service.record_port_time(
                db, line, v.id, call.id, departed_at=arrived - timedelta(hours=1)
            )


class TestCrewAndLookups:
    async def test_crew_list_checks_ids_and_lists_once(self, db, line):
        ship = await make_plan(db, line)
        v = await service.create_voyage(
            db, line, ship_id=ship.id, sails_on=sails_on(), prices=PRICES
        )
        await service.add_crew_member(
            db, line, v.id, name="王强", role="captain", id_number=RESIDENT_ID
        )
        with pytest.raises(Invalid):
            await service.add_crew_member(
                db, line, v.id, name="李四", role="purser", id_number=RESIDENT_ID
            )
        with pytest.raises(Invalid) as exc:
            await service.add_crew_member(
                db, line, v.id, name="李四", role="purser", id_number="500103199003071230"
            )
        assert exc.value.errors[0]["field"] == "id_number"
        [member] = await service.crew_list(db, line, v.id)
        assert member.id_masked.startswith("500") and "*" in member.id_masked

    async def test_another_lines_voyage_is_not_found(self, db, line):
        ship = await make_plan(db, line)
        v = await service.create_voyage(
            db, line, ship_id=ship.id, sails_on=sails_on(), prices=PRICES
        )
        other = await make_tenant(db, kinds=("cruise",))
        await bind_tenant(db, other.tenant.id)
        with pytest.raises(NotFound):
            await service.get_voyage(db, TenantId(other.tenant.id), v.id)
        assert await service.list_voyages(db, TenantId(other.tenant.id)) == []
