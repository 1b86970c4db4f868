"""The demo agency's guides: five with photos, one licence expiring, one expired, a
record to look at; seeding twice adds nothing; two demo agencies do not collide."""

from __future__ import annotations

import pytest

from app.db.engine import TenantId, bind_tenant
from modules.guides import domain, service
from modules.guides.demo import GUIDES, portrait, seed_demo
from tests.factories.guides import today
from tests.factories.tenants import make_tenant


@pytest.fixture
async def agency(db):
    return (await make_tenant(db, kinds=("agency",))).tenant


async def test_the_demo_agency_has_guides_and_seeding_twice_adds_nothing(db, agency):
    tid = TenantId(agency.id)
    await bind_tenant(db, agency.id)
    await seed_demo(db, tid, ("agency",))
    rows = await service.search_guides(db, tid, today=today())
    assert len(rows) == len(GUIDES)
    states = sorted(r.licence_state for r in rows)
    assert states.count("expired") == 1 and states.count("expiring") == 1
    assert all(r.guide.photo_url for r in rows)
    assert all(domain.licence_problem(r.guide.licence_no) is None for r in rows)
    assert await service.licences_due_count(db, tid, today=today()) == 2
    records = [await service.guide_record(db, tid, r.guide.id, today=today()) for r in rows]
    assert sum(len(r.certificates) for r in records) == 1
    assert sum(len(r.complaints) for r in records) == 2
    assert sum(r.open_complaints for r in records) == 1
    assert any(r.average_score for r in records)
    await seed_demo(db, tid, ("agency",))
    assert len(await service.list_guides(db, tid, active_only=False)) == len(GUIDES)


async def test_two_demo_agencies_do_not_claim_the_same_licences(db, agency):
    other = (await make_tenant(db, kinds=("agency",))).tenant
    await bind_tenant(db, agency.id)
    await seed_demo(db, TenantId(agency.id), ("agency",))
    await bind_tenant(db, other.id)
    await seed_demo(db, TenantId(other.id), ("agency",))
    assert len(await service.list_guides(db, TenantId(other.id))) == len(GUIDES)


async def test_hotels_get_no_guides(db):
    hotel = (await make_tenant(db, kinds=("hotel",))).tenant
    await seed_demo(db, TenantId(hotel.id), ("hotel",))
    assert await service.list_guides(db, TenantId(hotel.id)) == []


def test_the_placeholder_portrait_is_a_real_png():
    assert domain.sniff(portrait((10, 20, 30))) == "image/png"
