"""Content managers edit for the terminals: information pages, scenic spots with photos,
announcements and a cruise's ports of call. Bad input answers 422 with the field named;
only published content reaches the terminals."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from app.db.engine import TenantId
from modules.reservations import service as reservations
from modules.terminals import service
from tests.factories.reservations import make_unit_type, make_voyage
from tests.factories.tenants import make_staff, make_tenant
from tests.factories.terminals import (
    PNG,
    make_announcement,
    make_device,
    make_spot,
    make_video,
    use_terminal,
)
from tests.helpers import csrf, form_post, sign_in

PAGE = {"title": "无线网络", "body": "网络：JFB-Guest\n\n密码：88886666", "category": "wifi",
        "sort_order": "1", "published": "on"}  # fmt: skip


class TestPages:
    async def test_a_published_page_shows_on_the_terminal_in_paragraphs(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        assert (await form_post(client, "/console/terminals/pages", PAGE)).status_code == 303
        draft = {**PAGE, "title": "内部草稿", "published": ""}
        assert (await form_post(client, "/console/terminals/pages", draft)).status_code == 303
        use_terminal(client, await make_device(db, tenant=owner.tenant))
        page = await client.get("/terminal/info")
        assert "<p>网络：JFB-Guest</p>" in page.text and "<p>密码：88886666</p>" in page.text
        assert "内部草稿" not in page.text

    async def test_markup_in_a_page_is_shown_as_text_never_run(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        body = {**PAGE, "body": "<script>alert(1)</script>"}
        await form_post(client, "/console/terminals/pages", body)
        use_terminal(client, await make_device(db, tenant=owner.tenant))
        page = await client.get("/terminal/info")
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;" in page.text

    async def test_missing_title_bad_category_and_order_answer_422(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        bad = {"title": "", "body": "", "category": "casino", "sort_order": "x"}
        page = await form_post(client, "/console/terminals/pages", bad)
        assert page.status_code == 422
        assert page.text.count('aria-invalid="true"') >= 3
        assert await service.list_pages(db, TenantId(owner.tenant.id)) == []

    async def test_edit_and_delete(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        await form_post(client, "/console/terminals/pages", PAGE)
        tid = TenantId(owner.tenant.id)
        (page,) = await service.list_pages(db, tid)
        edited = {**PAGE, "title": "Wi-Fi 密码"}
        r = await form_post(client, f"/console/terminals/pages/{page.id}", edited)
        assert r.status_code == 303
        assert (await service.get_page(db, tid, page.id)).title == "Wi-Fi 密码"
        await form_post(client, f"/console/terminals/pages/{page.id}/delete", {})
        assert await service.list_pages(db, tid) == []

    async def test_front_desk_cannot_edit_content(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, await make_staff(db, tenant=owner.tenant, role="front_desk"))
        assert (await form_post(client, "/console/terminals/pages", PAGE)).status_code == 403


class TestSpots:
    async def test_a_spot_with_price_distance_and_photo_on_the_terminal(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        spot = {"name": "洪崖洞", "description": "吊脚楼群。", "opening_hours": "全天",
                "ticket": "0", "distance_km": "1.8", "sort_order": "1", "published": "on"}  # fmt: skip
        created = await form_post(client, "/console/terminals/spots", spot)
        assert created.status_code == 303
        spot_id = created.headers["location"].rsplit("/", 1)[1]
        cable = {**spot, "name": "长江索道", "ticket": "20", "distance_km": "1.2"}
        await form_post(client, "/console/terminals/spots", cable)
        token = await csrf(client)
        up = await client.post(
            f"/console/terminals/spots/{spot_id}/photos",
            data={"_csrf_token": token},
            files={"photo": ("hongyadong.png", PNG, "image/png")},
        )
        assert up.status_code == 303
        use_terminal(client, await make_device(db, tenant=owner.tenant))
        page = await client.get("/terminal/spots")
        assert "免费" in page.text and "距离 1.8 公里" in page.text
        assert "¥20.00" in page.text and "距离 1.2 公里" in page.text
        (shown,) = [
            s for s in await service.list_spots(db, TenantId(owner.tenant.id)) if s.photo_ids
        ]
        photo = await client.get(f"/terminal/photos/{shown.photo_ids[0]}")
        assert photo.content == PNG and photo.headers["content-type"] == "image/png"

    async def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(self, client, db):
        owner = await make_tenant(db)
        spot_id = await make_spot(db, tenant=owner.tenant)
        await sign_in(client, owner)
        token = await csrf(client)
        up = await client.post(
            f"/console/terminals/spots/{spot_id}/photos",
            data={"_csrf_token": token},
            files={"photo": ("evil.png", b"<html><script>x</script>", "image/png")},
        )
        assert up.status_code == 422
        assert "不是 JPEG、PNG、GIF 或 WebP 图片" in up.text
        assert (await service.get_spot(db, TenantId(owner.tenant.id), spot_id)).photo_ids == ()

    async def test_bad_price_and_distance_answer_422(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        bad = {"name": "解放碑", "description": "步行街", "ticket": "-5", "distance_km": "far"}
        page = await form_post(client, "/console/terminals/spots", bad)
        assert page.status_code == 422
        assert "请输入以元为单位的价格" in page.text and "请输入以公里为单位的距离" in page.text
        assert page.text.count('aria-invalid="true"') == 2


class TestAnnouncementsAndItinerary:
    async def test_an_announcement_outside_its_window_is_not_shown(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        now = clock.now().astimezone()
        fmt = "%Y-%m-%dT%H:%M"
        later = {"body": "明早 6:30 早餐", "starts_at": (now + timedelta(hours=2)).strftime(fmt),
                 "ends_at": (now + timedelta(hours=5)).strftime(fmt)}  # fmt: skip
        assert (
            await form_post(client, "/console/terminals/announcements", later)
        ).status_code == 303
        bad = {**later, "ends_at": later["starts_at"]}
        assert (await form_post(client, "/console/terminals/announcements", bad)).status_code == 422
        use_terminal(client, await make_device(db, tenant=owner.tenant))
        assert "明早 6:30 早餐" not in (await client.get("/terminal")).text

    async def test_a_cabin_terminal_shows_its_voyages_ports_of_call(self, client, db):
        owner = await make_tenant(db, kinds=("cruise",))
        voyage = await make_voyage(db, tenant=owner.tenant)
        await make_unit_type(db, tenant=owner.tenant, units=1, kind="cabin", voyage_id=voyage.id)
        await sign_in(client, owner)
        call = {"day_no": "2", "port": "丰都", "arrive_time": "08:00", "depart_time": "11:00",
                "activity": "上岸游览鬼城"}  # fmt: skip
        url = f"/console/terminals/itinerary/{voyage.id}"
        assert (await form_post(client, url, call)).status_code == 303
        late = {**call, "day_no": "9"}
        assert (await form_post(client, url, late)).status_code == 422
        units = await make_device(db, tenant=owner.tenant)
        use_terminal(client, units)
        home = await client.get("/terminal")
        assert 'data-tile="itinerary"' in home.text
        page = await client.get("/terminal/itinerary")
        assert "丰都" in page.text and "上岸游览鬼城" in page.text and "08:00 抵达" in page.text


async def test_a_terminal_gets_no_photo_or_video_that_is_not_published(client, db):
    owner = await make_tenant(db)
    draft = await make_spot(db, tenant=owner.tenant, published=False)
    photo_id = await service.add_photo(db, TenantId(owner.tenant.id), draft, PNG)
    video_id = await make_video(db, tenant=owner.tenant, published=False)
    use_terminal(client, await make_device(db, tenant=owner.tenant))
    assert (await client.get(f"/terminal/photos/{photo_id}")).status_code == 404
    assert (await client.get(f"/terminal/videos/{video_id}")).status_code == 404
    assert (await client.get(f"/terminal/videos/{video_id}/stream")).status_code == 404
    await sign_in(client, owner)
    assert (await client.get(f"/console/terminals/spots/photos/{photo_id}")).content == PNG


async def test_a_voyage_announcement_shows_only_on_that_voyages_cabins(client, db):
    owner = await make_tenant(db, kinds=("cruise",))
    first = await make_voyage(db, tenant=owner.tenant)
    second = await make_voyage(db, tenant=owner.tenant)
    await make_unit_type(db, tenant=owner.tenant, units=1, kind="cabin", voyage_id=first.id)
    await make_unit_type(db, tenant=owner.tenant, units=1, kind="cabin", voyage_id=second.id)
    await make_announcement(db, tenant=owner.tenant, body="明早抵达丰都", voyage_id=first.id)
    await make_announcement(db, tenant=owner.tenant, body="船上全体公告")
    units = await reservations.list_units(db, TenantId(owner.tenant.id))
    cabin = {u.voyage_id: u.id for u in units}
    on_first = await make_device(db, tenant=owner.tenant, unit_id=cabin[first.id])
    on_second = await make_device(db, tenant=owner.tenant, unit_id=cabin[second.id])
    use_terminal(client, on_first)
    home = (await client.get("/terminal")).text
    assert "明早抵达丰都" in home and "船上全体公告" in home
    use_terminal(client, on_second)
    home = (await client.get("/terminal")).text
    assert "明早抵达丰都" not in home and "船上全体公告" in home
