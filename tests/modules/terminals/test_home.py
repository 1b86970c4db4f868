"""The home screen: the guest's name while a stay is checked in to the terminal's own
room, a neutral welcome otherwise, nothing of another room and nothing of a departed
guest; in Chinese by default, English on request; never cached."""

from __future__ import annotations

from dataclasses import replace

from app.db.engine import TenantId
from modules.frontdesk import service as frontdesk
from modules.terminals import service
from tests.factories.frontdesk import TZ, make_stay
from tests.factories.reservations import GUEST
from tests.factories.tenants import make_tenant
from tests.factories.terminals import make_announcement, make_device, use_terminal


async def _two_rooms(db, tenant):
    """张伟 in one room, 李娜 in the room next door, a terminal in each."""
    first = await make_stay(db, tenant=tenant)
    second = await make_stay(
        db, tenant=tenant, stock=first.stock, guest=replace(GUEST, name="李娜")
    )
    return (
        first,
        second,
        await make_device(db, tenant=tenant, unit_id=first.stay.unit_id),
        await make_device(db, tenant=tenant, unit_id=second.stay.unit_id),
    )


class TestGreeting:
    async def test_the_checked_in_guest_is_greeted_by_name_in_chinese(self, client, db):
        owner = await make_tenant(db, name="解放碑酒店")
        checked = await make_stay(db, tenant=owner.tenant)
        paired = await make_device(db, tenant=owner.tenant, unit_id=checked.stay.unit_id)
        use_terminal(client, paired)
        page = await client.get("/terminal")
        assert page.status_code == 200
        assert "张伟，欢迎入住解放碑酒店" in page.text
        assert f"{checked.stay.unit_number} 房" in page.text
        assert 'hx-get="/terminal/live"' in page.text and "every 30s" in page.text
        assert page.headers["cache-control"] == "no-store"

    async def test_english_on_request(self, client, db):
        owner = await make_tenant(db, name="Jiefangbei Hotel")
        checked = await make_stay(db, tenant=owner.tenant)
        paired = await make_device(db, tenant=owner.tenant, unit_id=checked.stay.unit_id)
        use_terminal(client, paired)
        page = await client.get("/terminal?lang=en")
        assert "张伟, welcome to Jiefangbei Hotel" in page.text

    async def test_an_empty_room_gets_a_neutral_welcome_and_no_guest_tiles(self, client, db):
        owner = await make_tenant(db, name="解放碑酒店")
        paired = await make_device(db, tenant=owner.tenant)
        use_terminal(client, paired)
        page = await client.get("/terminal")
        assert "欢迎光临解放碑酒店" in page.text
        assert 'data-tile="bill"' not in page.text and 'data-tile="info"' in page.text

    async def test_announcements_run_on_the_ticker_while_they_last(self, client, db):
        owner = await make_tenant(db)
        await make_announcement(db, tenant=owner.tenant, body="今晚 20:00 游轮抵达丰都")
        paired = await make_device(db, tenant=owner.tenant)
        use_terminal(client, paired)
        assert "今晚 20:00 游轮抵达丰都" in (await client.get("/terminal")).text


class TestPrivacy:
    async def test_a_terminal_sees_only_its_own_rooms_stay(self, client, db):
        owner = await make_tenant(db)
        first, second, t1, t2 = await _two_rooms(db, owner.tenant)
        tid = TenantId(owner.tenant.id)
        assert (await service.terminal_stay(db, tid, t1.device_id)).stay_id == first.stay.id
        assert (await service.terminal_stay(db, tid, t2.device_id)).stay_id == second.stay.id
        use_terminal(client, t1)
        for path in ("/terminal", "/terminal/live", "/terminal/info"):
            text = (await client.get(path)).text
            assert "李娜" not in text and f"{second.stay.unit_number} 房" not in text
        use_terminal(client, t2)
        assert "张伟" not in (await client.get("/terminal")).text

    async def test_after_check_out_nothing_of_the_guest_remains(self, client, db):
        owner = await make_tenant(db)
        checked = await make_stay(db, tenant=owner.tenant)
        paired = await make_device(db, tenant=owner.tenant, unit_id=checked.stay.unit_id)
        use_terminal(client, paired)
        assert "张伟" in (await client.get("/terminal/live", headers={"hx-request": "true"})).text
        tid = TenantId(owner.tenant.id)
        await frontdesk.check_out(
            db, tid, checked.stay.id, method="cash", actor=frontdesk.SYSTEM, tz=TZ
        )
        assert await service.terminal_stay(db, tid, paired.device_id) is None
        for path in ("/terminal", "/terminal/live"):
            page = await client.get(path)
            assert page.status_code == 200
            assert "张伟" not in page.text and 'data-tile="bill"' not in page.text

    async def test_a_moved_terminal_shows_the_new_rooms_guest(self, db):
        owner = await make_tenant(db)
        _first, second, t1, _ = await _two_rooms(db, owner.tenant)
        tid = TenantId(owner.tenant.id)
        await service.move_device(db, tid, t1.device_id, unit_id=second.stay.unit_id, actor_id=None)
        stay = await service.terminal_stay(db, tid, t1.device_id)
        assert stay is not None and stay.guest_name == "李娜"

    async def test_a_revoked_terminal_has_no_stay(self, db):
        owner = await make_tenant(db)
        checked = await make_stay(db, tenant=owner.tenant)
        paired = await make_device(db, tenant=owner.tenant, unit_id=checked.stay.unit_id)
        tid = TenantId(owner.tenant.id)
        await service.revoke_device(db, tid, paired.device_id, actor_id=None)
        assert await service.terminal_stay(db, tid, paired.device_id) is None
