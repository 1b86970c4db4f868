"""Charges on a tag through the outlet API: a sale moves the tab and answers what remains;
replays apply once; refusals (unknown, blocked, closed tag, over the limit, unknown item)
write nothing; voids reverse within the outlet's window; the POS look-up."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app import clock
from app.db.engine import TenantId
from modules.keytags.models import Charge, Visit
from tests.factories.keytags import make_item, make_outlet, make_tag, make_visit
from tests.factories.registry import make_api_key
from tests.factories.tenants import make_tenant

_seqs = itertools.count(1)
URL = "/api/v1/keytags/charges"


@pytest.fixture
async def owner(db):  # type: ignore[no-untyped-def]
    return await make_tenant(db, kinds=("hot_spring",), name="北碚温泉")


@pytest.fixture
def tid(owner) -> TenantId:  # type: ignore[no-untyped-def]
    return TenantId(owner.tenant.id)


@pytest.fixture
async def outlet(db, owner):  # type: ignore[no-untyped-def]
    key, token = await make_api_key(db, owner.tenant, scopes={"pos:charge"}, name="水吧 POS")
    bar = await make_outlet(db, tenant=owner.tenant, name="水吧", api_key_id=key.id)
    juice = await make_item(db, tenant=owner.tenant, outlet=bar, code="JUICE", price_fen=2800)
    pool = await make_item(
        db, tenant=owner.tenant, outlet=bar, code="POOL", name="私汤", unit="hour", price_fen=8800
    )
    return {
        "outlet": bar,
        "juice": juice,
        "pool": pool,
        "auth": {"Authorization": f"Bearer {token}"},
    }


def sale(tag, *items, seq=None, device="bar-1"):  # type: ignore[no-untyped-def]
    return {
        "tag": tag.uid,
        "device_id": device,
        "device_seq": seq if seq is not None else next(_seqs),
        "items": [{"code": code, "qty": qty} for code, qty in items],
    }


async def charges_of(db, visit):  # type: ignore[no-untyped-def]
    rows = await db.execute(select(Charge).where(Charge.visit_id == visit.id))
    return [c for (c,) in rows]


class TestCharge:
    async def test_a_sale_moves_the_tab_and_answers_what_remains(self, client, db, owner, outlet):
        tag = await make_tag(db, tenant=owner.tenant)
        visit = await make_visit(
            db, tenant=owner.tenant, tag=tag, limit_fen=50000, guest_name="王芳"
        )
        answer = await client.post(
            URL, json=sale(tag, ("JUICE", 2), ("POOL", 1)), headers=outlet["auth"]
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["amount_fen"] == 2 * 2800 + 8800
        assert (body["visit_number"], body["guest_name"]) == (visit.number, "王芳")
        assert body["tab_fen"] == 14400 and body["remaining_fen"] == 50000 - 14400
        assert body["replayed"] is False
        await db.refresh(visit)
        assert visit.tab_fen == 14400
        (row,) = await charges_of(db, visit)
        assert row.outlet_id == outlet["outlet"].id and row.kind == "charge"
        assert [(line["code"], line["qty"]) for line in row.lines] == [("JUICE", 2), ("POOL", 1)]

    async def test_the_same_device_sequence_again_answers_the_first_and_applies_nothing(
        self, client, db, owner, outlet
    ):
        tag = await make_tag(db, tenant=owner.tenant)
        visit = await make_visit(db, tenant=owner.tenant, tag=tag)
        body = sale(tag, ("JUICE", 1))
        first = await client.post(URL, json=body, headers=outlet["auth"])
        again = await client.post(URL, json=body, headers=outlet["auth"])
        assert again.status_code == 200
        assert again.json()["charge_id"] == first.json()["charge_id"]
        assert again.json()["replayed"] is True
        await db.refresh(visit)
        assert visit.tab_fen == 2800 and len(await charges_of(db, visit)) == 1
        other = await client.post(
            URL, json={**body, "items": [{"code": "POOL", "qty": 1}]}, headers=outlet["auth"]
        )
        assert other.status_code == 409 and other.json()["code"] == "device_seq_reused"

    async def test_over_the_limit_is_refused_with_what_remains_and_writes_nothing(
        self, client, db, owner, outlet
    ):
        tag = await make_tag(db, tenant=owner.tenant)
        visit = await make_visit(db, tenant=owner.tenant, tag=tag, limit_fen=5000)
        refused = await client.post(URL, json=sale(tag, ("JUICE", 2)), headers=outlet["auth"])
        assert refused.status_code == 409
        assert refused.json()["code"] == "over_limit"
        assert "50.00" in refused.json()["message"]
        await db.refresh(visit)
        assert visit.tab_fen == 0 and await charges_of(db, visit) == []

    @pytest.mark.parametrize(
        ("setup", "status", "code"),
        [
            ("unknown", 404, "unknown_tag"),
            ("blocked", 409, "tag_blocked"),
            ("settled", 409, "visit_closed"),
            ("not_issued", 404, "unknown_tag"),
        ],
    )
    async def test_a_tag_that_cannot_be_charged_is_refused_with_its_reason(
        self, client, db, owner, outlet, setup, status, code
    ):
        tag = await make_tag(db, tenant=owner.tenant)
        if setup == "blocked":
            await make_visit(db, tenant=owner.tenant, tag=tag)
            tag.status = "blocked"
            await db.execute(
                Visit.__table__.update()
                .where(Visit.active_tag_id == tag.id)
                .values(active_tag_id=None)
            )
        elif setup == "settled":
            visit = await make_visit(db, tenant=owner.tenant, tag=tag)
            visit.status, visit.active_tag_id = "settled", None
        elif setup == "unknown":
            tag.uid = "FFFF000000"
        await db.flush()
        body = sale(tag, ("JUICE", 1))
        if setup == "unknown":
            body["tag"] = "04ZZ999999"
        refused = await client.post(URL, json=body, headers=outlet["auth"])
        assert refused.status_code == status, refused.text
        assert refused.json()["code"] == code
        assert (await db.scalar(select(func.count()).select_from(Charge))) == 0

    async def test_an_item_not_on_the_outlets_list_is_refused(self, client, db, owner, outlet):
        tag = await make_tag(db, tenant=owner.tenant)
        await make_visit(db, tenant=owner.tenant, tag=tag)
        other = await make_outlet(db, tenant=owner.tenant)
        await make_item(db, tenant=owner.tenant, outlet=other, code="MASSAGE")
        refused = await client.post(URL, json=sale(tag, ("MASSAGE", 1)), headers=outlet["auth"])
        assert refused.status_code == 422 and refused.json()["code"] == "unknown_item"

    async def test_a_key_linked_to_no_outlet_is_refused(self, client, db, owner, outlet):
        _key, token = await make_api_key(db, owner.tenant, scopes={"pos:charge"})
        tag = await make_tag(db, tenant=owner.tenant)
        await make_visit(db, tenant=owner.tenant, tag=tag)
        refused = await client.post(
            URL, json=sale(tag, ("JUICE", 1)), headers={"Authorization": f"Bearer {token}"}
        )
        assert refused.status_code == 403 and refused.json()["code"] == "no_outlet"


class TestTagLookup:
    async def test_the_pos_sees_name_tab_and_remaining(self, client, db, owner, outlet):
        tag = await make_tag(db, tenant=owner.tenant)
        visit = await make_visit(db, tenant=owner.tenant, tag=tag, guest_name="李雷")
        await client.post(URL, json=sale(tag, ("JUICE", 1)), headers=outlet["auth"])
        found = await client.get(f"/api/v1/keytags/tags/{tag.uid}", headers=outlet["auth"])
        assert found.status_code == 200
        assert found.json() == {
            "uid": tag.uid,
            "status": "open",
            "visit_number": visit.number,
            "guest_name": "李雷",
            "tab_fen": 2800,
            "limit_fen": 50000,
            "remaining_fen": 47200,
        }
        unknown = await client.get("/api/v1/keytags/tags/04NOPE", headers=outlet["auth"])
        assert unknown.json()["status"] == "unknown"


class TestVoid:
    async def test_the_outlet_voids_its_charge_within_the_window_once(
        self, client, db, owner, outlet
    ):
        tag = await make_tag(db, tenant=owner.tenant)
        visit = await make_visit(db, tenant=owner.tenant, tag=tag)
        sold = (await client.post(URL, json=sale(tag, ("JUICE", 1)), headers=outlet["auth"])).json()
        url = f"{URL}/{sold['charge_id']}/void"
        voided = await client.post(url, json={"reason": "点错"}, headers=outlet["auth"])
        assert voided.status_code == 200, voided.text
        assert voided.json()["amount_fen"] == -2800 and voided.json()["tab_fen"] == 0
        twice = await client.post(url, json={}, headers=outlet["auth"])
        assert twice.status_code == 409 and twice.json()["code"] == "already_voided"
        await db.refresh(visit)
        rows = await charges_of(db, visit)
        assert visit.tab_fen == 0 and sorted(c.amount_fen for c in rows) == [-2800, 2800]
        void = next(c for c in rows if c.kind == "void")
        assert str(void.voids_charge_id) == sold["charge_id"] and void.approved_by is None

    async def test_after_the_window_the_outlet_is_told_a_manager_must_approve(
        self, client, db, owner, outlet
    ):
        tag = await make_tag(db, tenant=owner.tenant)
        await make_visit(db, tenant=owner.tenant, tag=tag)
        sold = (await client.post(URL, json=sale(tag, ("JUICE", 1)), headers=outlet["auth"])).json()
        with time_machine.travel(clock.now() + timedelta(minutes=11), tick=False):
            late = await client.post(
                f"{URL}/{sold['charge_id']}/void", json={}, headers=outlet["auth"]
            )
        assert late.status_code == 403 and late.json()["code"] == "void_needs_manager"
