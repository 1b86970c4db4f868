"""The archive card: validation (licence number, dates, phone), the licence registry kept
in step, and the lists other modules read."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.db.engine import TenantId
from app.errors import AppError, Invalid, NotFound
from modules.guides import service
from modules.guides.service import LicenceTaken
from tests.factories.guides import guide_data, make_guide, png, today, unique_licence
from tests.factories.tenants import make_tenant


@pytest.fixture
async def agency(db):
    return (await make_tenant(db, kinds=("agency",))).tenant


def fields(exc: AppError) -> dict[str, str]:
    return {e["field"]: e["code"] for e in exc.errors or []}


class TestCreate:
    async def test_typed_licence_is_stored_in_card_form(self, db, agency):
        view = await make_guide(db, tenant=agency, licence_no=" d 5000 654321 ")
        assert view.summary.licence_no == "D-5000-654321"
        assert view.licence_state == "valid"
        assert not view.unusual_licence

    async def test_all_mistakes_are_reported_at_once(self, db, agency):
        with pytest.raises(Invalid) as refused:
            await make_guide(
                db,
                tenant=agency,
                licence_no="导游证",
                name=" ",
                level="boss",
                languages=[],
                licence_valid_until="2026-13-01",
                phone="12345",
            )
        assert set(fields(refused.value)) == {
            "licence_no",
            "name",
            "level",
            "languages",
            "licence_valid_until",
            "phone",
        }

    async def test_unusual_licence_needs_confirmation(self, db, agency):
        with pytest.raises(Invalid) as refused:
            await make_guide(db, tenant=agency, licence_no="DY-88-1234567")
        assert fields(refused.value) == {"licence_no": "unusual"}
        view = await make_guide(
            db, tenant=agency, licence_no="DY-88-1234567", accept_unusual_licence=True
        )
        assert view.unusual_licence

    async def test_validity_beyond_three_years_is_a_typo(self, db, agency):
        too_late = (today() + timedelta(days=365 * 3 + 60)).isoformat()
        with pytest.raises(Invalid) as refused:
            await make_guide(db, tenant=agency, licence_valid_until=too_late)
        assert "licence_valid_until" in fields(refused.value)

    async def test_expired_licence_can_be_archived_and_is_flagged(self, db, agency):
        view = await make_guide(
            db, tenant=agency, licence_valid_until=(today() - timedelta(days=1)).isoformat()
        )
        assert view.licence_state == "expired"

    async def test_same_licence_twice_in_one_archive_is_refused(self, db, agency):
        licence = unique_licence()
        await make_guide(db, tenant=agency, licence_no=licence)
        with pytest.raises(Invalid) as refused:
            await make_guide(db, tenant=agency, licence_no=licence)
        assert fields(refused.value) == {"licence_no": "duplicate"}

    async def test_photo_must_really_be_an_image(self, db, agency):
        with pytest.raises(Invalid) as refused:
            await make_guide(db, tenant=agency, photo=b"MZ\x90\x00 not an image")
        assert fields(refused.value) == {"photo": "invalid"}
        view = await make_guide(db, tenant=agency, photo=png())
        assert view.summary.photo_url is not None

    async def test_mobile_number_with_dashes_is_accepted(self, db, agency):
        view = await make_guide(db, tenant=agency, phone="138-0013-8000")
        assert view.phone == "13800138000"


class TestRegistry:
    async def test_a_licence_archived_by_another_enterprise_is_refused(self, db, agency):
        licence = unique_licence()
        other = (await make_tenant(db, kinds=("agency",))).tenant
        await make_guide(db, tenant=other, licence_no=licence)
        with pytest.raises(LicenceTaken) as refused:
            await make_guide(db, tenant=agency, licence_no=licence)
        assert refused.value.status_code == 409
        assert fields(refused.value) == {"licence_no": "licence_taken"}

    async def test_a_guide_who_left_can_join_another_enterprise(self, db, agency):
        licence = unique_licence()
        other = (await make_tenant(db, kinds=("agency",))).tenant
        old = await make_guide(db, tenant=other, licence_no=licence)
        await service.update_guide(
            db,
            TenantId(other.id),
            old.summary.id,
            guide_data(licence_no=licence, status="left"),
            today=today(),
            actor=service.SYSTEM,
        )
        await db.flush()
        new = await make_guide(db, tenant=agency, licence_no=licence)
        assert await service.registry_publisher(db, licence) == agency.id
        assert new.summary.status == "active"

    async def test_changing_the_licence_number_moves_the_registration(self, db, agency):
        view = await make_guide(db, tenant=agency)
        new_licence = unique_licence()
        await service.update_guide(
            db,
            TenantId(agency.id),
            view.summary.id,
            guide_data(licence_no=new_licence),
            today=today(),
            actor=service.SYSTEM,
        )
        assert await service.registry_publisher(db, view.summary.licence_no) is None
        assert await service.registry_publisher(db, new_licence) == agency.id


class TestLists:
    async def test_list_guides_leaves_out_those_who_left_unless_asked(self, db, agency):
        tid = TenantId(agency.id)
        active = (await make_guide(db, tenant=agency)).summary
        left = (await make_guide(db, tenant=agency, status="left")).summary
        assert [g.id for g in await service.list_guides(db, tid)] == [active.id]
        everyone = await service.list_guides(db, tid, active_only=False)
        assert {g.id for g in everyone} == {active.id, left.id}

    async def test_guides_by_ids_keeps_the_order_asked(self, db, agency):
        tid = TenantId(agency.id)
        a = (await make_guide(db, tenant=agency, name="甲")).summary
        b = (await make_guide(db, tenant=agency, name="乙")).summary
        assert [g.id for g in await service.guides_by_ids(db, tid, [b.id, a.id])] == [b.id, a.id]

    async def test_guides_by_ids_refuses_an_unknown_or_foreign_id(self, db, agency):
        tid = TenantId(agency.id)
        mine = (await make_guide(db, tenant=agency)).summary
        other = (await make_tenant(db, kinds=("agency",))).tenant
        theirs = (await make_guide(db, tenant=other)).summary
        for ids in ([mine.id, uuid.uuid4()], [mine.id, theirs.id]):
            with pytest.raises(Invalid):
                await service.guides_by_ids(db, tid, ids)

    async def test_search_and_badge_count_expired_and_expiring_licences(self, db, agency):
        tid = TenantId(agency.id)
        soon = (today() + timedelta(days=10)).isoformat()
        past = (today() - timedelta(days=3)).isoformat()
        expiring = (await make_guide(db, tenant=agency, licence_valid_until=soon)).summary
        expired = (await make_guide(db, tenant=agency, licence_valid_until=past)).summary
        await make_guide(db, tenant=agency)
        await make_guide(db, tenant=agency, licence_valid_until=past, status="left")
        found = await service.search_guides(db, tid, today=today(), licence="expiring")
        assert [r.guide.id for r in found] == [expiring.id]
        found = await service.search_guides(
            db, tid, today=today(), licence="expired", status="active"
        )
        assert [r.guide.id for r in found] == [expired.id]
        assert await service.licences_due_count(db, tid, today=today()) == 2

    async def test_search_by_language_and_level(self, db, agency):
        tid = TenantId(agency.id)
        japanese = (
            await make_guide(db, tenant=agency, languages=["mandarin", "japanese"], level="senior")
        ).summary
        await make_guide(db, tenant=agency, languages=["mandarin"], level="senior")
        found = await service.search_guides(db, tid, today=today(), language="japanese")
        assert [r.guide.id for r in found] == [japanese.id]
        found = await service.search_guides(db, tid, today=today(), level="senior")
        assert len(found) == 2

    async def test_another_agencys_guide_is_not_found(self, db, agency):
        other = (await make_tenant(db, kinds=("agency",))).tenant
        theirs = (await make_guide(db, tenant=other)).summary
        with pytest.raises(NotFound):
            await service.get_guide(db, TenantId(agency.id), theirs.id, today=today())
