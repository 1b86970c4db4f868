"""The resort's set-up: changing rooms and lockers, tag stock, outlets and price lists with
their API keys, the key-tag rules."""

from __future__ import annotations

import pytest

from app.actor import Actor
from app.db.engine import TenantId, bind_tenant
from app.errors import Invalid
from modules.keytags import service
from modules.keytags.schemas.setup import (
    ItemForm,
    LockerRangeForm,
    OutletForm,
    SettingsForm,
    TagsForm,
)
from tenants import service as tenants
from tests.factories.keytags import (
    make_locker,
    make_outlet,
    make_section,
    make_tag,
    make_visit,
)
from tests.factories.tenants import make_tenant


@pytest.fixture
async def resort(db):
    owner = await make_tenant(db, kinds=("hot_spring",), name="测试温泉")
    await bind_tenant(db, owner.tenant.id)
    return owner


@pytest.fixture
def tid(resort):
    return TenantId(resort.tenant.id)


class TestOccupancy:
    async def test_counts_each_section_by_status(self, db, resort, tid):
        t = resort.tenant
        men = await make_section(db, tenant=t, code="M", name="男宾", kind="male", sort_order=1)
        await make_section(db, tenant=t, code="F", name="女宾", kind="female", sort_order=2)
        visit = await make_visit(db, tenant=t)
        await make_locker(db, tenant=t, section=men, number="001")
        await make_locker(db, tenant=t, section=men, number="002", status="out_of_order")
        await make_locker(
            db, tenant=t, section=men, number="003", status="occupied", visit_id=visit.id
        )
        rows = await service.locker_occupancy(db, tid)
        assert [(r.name, r.total, r.free, r.occupied, r.out_of_order) for r in rows] == [
            ("男宾", 3, 1, 1, 1),
            ("女宾", 0, 0, 0, 0),
        ]


class TestLockers:
    async def test_a_number_range_adds_lockers_once(self, db, tid):
        men = await service.create_section(db, tid, code="M", name="男宾", kind="male")
        numbers = LockerRangeForm(prefix="m", first="001", last="120").parse()
        assert numbers[0] == "M001" and numbers[-1] == "M120" and len(numbers) == 120
        assert await service.add_lockers(db, tid, men.id, numbers) == (120, 0)
        again = LockerRangeForm(prefix="M", first="118", last="125").parse()
        assert await service.add_lockers(db, tid, men.id, again) == (5, 3)
        lockers = await service.section_lockers(db, tid, men.id)
        assert [x.number for x in lockers][:2] == ["M001", "M002"] and len(lockers) == 125

    async def test_bad_ranges_get_field_messages(self):
        with pytest.raises(Invalid) as exc:
            LockerRangeForm(prefix="男", first="x", last="2").parse()
        assert {e["field"] for e in exc.value.errors or []} == {"prefix", "first"}
        with pytest.raises(Invalid):
            LockerRangeForm(prefix="M", first="10", last="1").parse()
        with pytest.raises(Invalid):
            LockerRangeForm(prefix="M", first="1", last="9999").parse()

    async def test_out_of_order_and_back_but_never_under_a_guest(self, db, resort, tid):
        locker = await make_locker(db, tenant=resort.tenant)
        assert (await service.set_locker_out_of_order(db, tid, locker.id, True)).status == (
            "out_of_order"
        )
        assert (await service.set_locker_out_of_order(db, tid, locker.id, False)).status == "free"
        visit = await make_visit(db, tenant=resort.tenant)
        taken = await make_locker(db, tenant=resort.tenant, status="occupied", visit_id=visit.id)
        with pytest.raises(service.LockerInUse):
            await service.set_locker_out_of_order(db, tid, taken.id, True)

    async def test_a_section_code_twice_is_refused(self, db, tid):
        await service.create_section(db, tid, code="F", name="女宾", kind="female")
        with pytest.raises(Invalid):
            await service.create_section(db, tid, code="F", name="女宾二", kind="female")


class TestTags:
    async def test_scanned_uids_are_validated_and_upper_cased(self, db, tid):
        kind, tags = TagsForm(uids="04a1b2c3d4\r\n04A1B2C3D5 0007\n\n04a1b2c3d4\n").parse()
        assert kind == "rfid"
        assert tags == [("04A1B2C3D4", ""), ("04A1B2C3D5", "0007")]
        assert await service.register_tags(db, tid, kind, tags) == (2, [])
        added, known = await service.register_tags(db, tid, "rfid", [("04A1B2C3D4", "")])
        assert (added, known) == (0, ["04A1B2C3D4"])
        page = await service.list_tags(db, tid, status="available")
        assert page.total == 2 and page.counts == {"available": 2}
        assert (await service.list_tags(db, tid, search="0007")).tags[0].uid == "04A1B2C3D5"

    async def test_odd_uids_are_refused_with_the_line(self):
        for text in ("04A", "04A1-B2C3", "０４A1B2C3", "", "A" * 33):
            with pytest.raises(Invalid) as exc:
                TagsForm(uids=text).parse()
            assert exc.value.errors and exc.value.errors[0]["field"] == "uids"

    async def test_retire_and_return_a_found_tag(self, db, resort, tid):
        spare = await make_tag(db, tenant=resort.tenant)
        assert (await service.retire_tag(db, tid, spare.id)).status == "retired"
        found = await make_tag(db, tenant=resort.tenant, status="blocked")
        assert (await service.return_tag_to_stock(db, tid, found.id)).status == "available"
        with pytest.raises(service.TagNotMovable):
            await service.return_tag_to_stock(db, tid, found.id)

    async def test_a_tag_on_a_guest_is_neither_retired_nor_returned(self, db, resort, tid):
        visit = await make_visit(db, tenant=resort.tenant)
        with pytest.raises(service.TagNotMovable):
            await service.retire_tag(db, tid, visit.active_tag_id)
        held = await make_tag(db, tenant=resort.tenant)
        await make_visit(db, tenant=resort.tenant, tag=held)
        held.status = "blocked"
        await db.flush()
        with pytest.raises(service.TagNotMovable):
            await service.return_tag_to_stock(db, tid, held.id)


class TestOutlets:
    async def test_a_concession_outlet_with_its_price_list(self, db, tid):
        data = OutletForm(
            code="spa",
            name="足道按摩",
            kind="massage",
            concession="1",
            concessionaire="重庆某某足道",
            commission_percent="12.5",
        ).parse()
        made = await service.create_outlet(db, tid, data)
        assert (made.code, made.commission_bp) == ("SPA", 1250)
        item = ItemForm(code="foot60", name="足疗60分钟", unit="use", price="¥168.50").parse()
        await service.add_item(db, tid, made.id, item)
        [view] = await service.list_outlets(db, tid)
        assert (view.items, view.commission_percent, view.key_name) == (1, "12.5", None)
        [row] = await service.outlet_items(db, tid, made.id)
        assert (row.code, row.price_fen, row.unit) == ("FOOT60", 16850, "use")
        await service.set_item_active(db, tid, row.id, False)
        assert (await service.outlet(db, tid, made.id)).items == 0

    async def test_odd_outlet_input_gets_field_messages(self):
        with pytest.raises(Invalid) as exc:
            OutletForm(code="a b", name="", kind="casino", concession="1").parse()
        fields = {e["field"] for e in exc.value.errors or []}
        assert fields == {"code", "name", "kind", "concessionaire", "commission_percent"}
        with pytest.raises(Invalid) as exc:
            ItemForm(code="X", name="x", unit="day", price="0").parse()
        assert {e["field"] for e in exc.value.errors or []} == {"unit", "price"}

    async def test_each_outlet_gets_its_own_pos_key_and_a_new_one_revokes_the_old(
        self, db, resort, tid
    ):
        outlet = await make_outlet(db, tenant=resort.tenant, name="水吧")
        first = await service.create_outlet_key(
            db, tid, outlet.id, actor=Actor(user_id=resort.user.id), ip=None
        )
        assert first.scopes == ("pos:charge",) and first.token.startswith("zk_")
        view = await service.outlet(db, tid, outlet.id)
        assert view.key_name == first.name and first.token not in repr(view)
        second = await service.create_outlet_key(
            db, tid, outlet.id, actor=Actor(user_id=resort.user.id), ip=None
        )
        assert second.id != first.id
        keys = {k.id: k for k in await tenants.list_api_keys(db, tid)}
        assert keys[first.id].revoked_at is not None and keys[second.id].active


class TestSettings:
    async def test_rules_are_saved_and_read_back(self, db, tid):
        assert (await service.rules(db, tid)).lost_tag_fee_fen == 5000
        values = SettingsForm(
            lost_tag_fee="80",
            default_deposit="300.00",
            exit_window_minutes="20",
            outlet_void_minutes="5",
        ).parse()
        await service.save_rules(db, tid, **values)
        await service.save_rules(db, tid, **{**values, "outlet_void_minutes": 15})
        rules = await service.rules(db, tid)
        assert (rules.lost_tag_fee_fen, rules.default_deposit_fen) == (8000, 30000)
        assert (rules.exit_window_minutes, rules.outlet_void_minutes) == (20, 15)

    async def test_odd_settings_are_refused(self):
        with pytest.raises(Invalid) as exc:
            SettingsForm(
                lost_tag_fee="-1", default_deposit="a", exit_window_minutes="0",
                outlet_void_minutes="9999",
            ).parse()  # fmt: skip
        assert len(exc.value.errors or []) == 4
