"""The outlet tablet's POS page, offline readers' uploads and the cashier's conflicts page: a
charge from the page moves the tab (a double tap with the same form token charges once), a
refusal shows its reason; a batch applies once in the device's order and keeps what could not
apply as conflicts; the cashier posts one (past the limit), a manager writes one off."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app import clock
from modules.keytags.models import Charge, ChargeConflict, Visit
from tests.factories.keytags import make_item, make_outlet, make_tag, make_visit
from tests.factories.registry import make_api_key
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import csrf, sign_in

BATCH = "/api/v1/keytags/charges:batch"


@pytest.fixture
async def owner(db):  # type: ignore[no-untyped-def]
    return await make_tenant(db, kinds=("hot_spring",), name="北碚温泉")


@pytest.fixture
async def bar(db, owner):  # type: ignore[no-untyped-def]
    key, token = await make_api_key(db, owner.tenant, scopes={"pos:charge"})
    outlet = await make_outlet(db, tenant=owner.tenant, name="水吧", api_key_id=key.id)
    await make_item(db, tenant=owner.tenant, outlet=outlet, code="JUICE", name="鲜榨西瓜汁")
    await make_item(db, tenant=owner.tenant, outlet=outlet, code="TEA", name="沱茶", price_fen=3800)
    return {"outlet": outlet, "auth": {"Authorization": f"Bearer {token}"}}


def queued(tag, seq, *items, minutes_ago=30):  # type: ignore[no-untyped-def]
    return {
        "device_seq": seq,
        "tag": tag.uid,
        "items": [{"code": c, "qty": q} for c, q in items],
        "occurred_at": (clock.now() - timedelta(minutes=minutes_ago)).isoformat(),
    }


class TestBatch:
    async def test_queued_sales_apply_once_in_order_and_the_rest_become_conflicts(
        self, client, db, owner, bar
    ):
        tag = await make_tag(db, tenant=owner.tenant)
        visit = await make_visit(db, tenant=owner.tenant, tag=tag, limit_fen=6000)
        stranger = await make_tag(db, tenant=owner.tenant)  # never issued
        body = {
            "device_id": "reader-7",
            "charges": [
                queued(tag, 3, ("TEA", 1)),  # ¥38 after ¥56: past the ¥60 limit
                queued(tag, 1, ("JUICE", 1)),
                queued(stranger, 4, ("JUICE", 1)),
                queued(tag, 2, ("JUICE", 1)),
                queued(tag, 5, ("NOPE", 1)),
            ],
        }
        first = await client.post(BATCH, json=body, headers=bar["auth"])
        assert first.status_code == 200, first.text
        answer = first.json()
        assert [(r["device_seq"], r["outcome"], r["reason"]) for r in answer["results"]] == [
            (1, "applied", None),
            (2, "applied", None),
            (3, "conflict", "limit"),
            (4, "conflict", "unknown"),
            (5, "rejected", "unknown_item"),
        ]
        assert (answer["applied"], answer["conflicts"], answer["rejected"]) == (2, 2, 1)
        again = await client.post(BATCH, json=body, headers=bar["auth"])
        assert [r["outcome"] for r in again.json()["results"]] == [
            "duplicate",
            "duplicate",
            "duplicate",
            "duplicate",
            "rejected",
        ]
        await db.refresh(visit)
        rows = (await db.execute(select(Charge).where(Charge.visit_id == visit.id))).scalars()
        charges = sorted(rows, key=lambda c: c.device_seq)
        assert visit.tab_fen == 5600 and [c.device_seq for c in charges] == [1, 2]
        assert all(c.offline for c in charges)
        assert charges[0].occurred_at < charges[0].recorded_at
        conflicts = (await db.execute(select(ChargeConflict))).scalars().all()
        assert sorted((c.device_seq, c.reason, c.amount_fen) for c in conflicts) == [
            (3, "limit", 3800),
            (4, "unknown", 2800),
        ]


class TestConflictsPage:
    async def _conflict(self, client, db, owner, bar):  # type: ignore[no-untyped-def]
        tag = await make_tag(db, tenant=owner.tenant)
        visit = await make_visit(db, tenant=owner.tenant, tag=tag, limit_fen=3000)
        body = {"device_id": "reader-9", "charges": [queued(tag, 1, ("JUICE", 1)),
                                                     queued(tag, 2, ("JUICE", 1))]}  # fmt: skip
        await client.post(BATCH, json=body, headers=bar["auth"])
        conflict = (await db.execute(select(ChargeConflict))).scalar_one()
        return visit, conflict

    async def test_the_cashier_posts_a_conflict_to_its_visit_past_the_limit(
        self, client, db, owner, bar
    ):
        visit, conflict = await self._conflict(client, db, owner, bar)
        cashier = await make_staff(db, tenant=owner.tenant, role="cashier")
        await sign_in(client, cashier)
        page = await client.get("/console/keytags/conflicts")
        assert page.status_code == 200 and "鲜榨西瓜汁" in page.text
        assert "write-off" not in page.text  # a manager's
        token = await csrf(client)
        posted = await client.post(
            f"/console/keytags/conflicts/{conflict.id}/post",
            data={"_csrf_token": token, "note": "客人认可"},
            follow_redirects=False,
        )
        assert posted.status_code == 303, posted.text
        await db.refresh(visit)
        await db.refresh(conflict)
        assert visit.tab_fen == 5600 > visit.limit_fen
        assert conflict.status == "posted" and conflict.charge_id is not None
        row = await db.get(Charge, conflict.charge_id)
        assert row is not None and (row.device_id, row.device_seq) == ("reader-9", 2)
        assert row.approved_by == cashier.user.id
        refused = await client.post(
            f"/console/keytags/conflicts/{conflict.id}/write-off",
            data={"_csrf_token": token, "note": "x"},
        )
        assert refused.status_code == 403

    async def test_a_manager_writes_a_conflict_off_with_a_note(self, client, db, owner, bar):
        visit, conflict = await self._conflict(client, db, owner, bar)
        manager = await make_staff(db, tenant=owner.tenant, role="manager")
        await sign_in(client, manager)
        token = await csrf(client)
        done = await client.post(
            f"/console/keytags/conflicts/{conflict.id}/write-off",
            data={"_csrf_token": token, "note": "读卡器离线期间客人已离场"},
            follow_redirects=False,
        )
        assert done.status_code == 303
        await db.refresh(conflict)
        await db.refresh(visit)
        assert (conflict.status, conflict.resolution_note) == (
            "written_off",
            "读卡器离线期间客人已离场",
        )
        assert visit.tab_fen == 2800


class TestPosPage:
    async def test_a_charge_from_the_tablet_moves_the_tab_and_a_double_tap_charges_once(
        self, client, db, owner, bar
    ):
        tag = await make_tag(db, tenant=owner.tenant)
        visit = await make_visit(db, tenant=owner.tenant, tag=tag, guest_name="陈静")
        cashier = await make_staff(db, tenant=owner.tenant, role="cashier")
        await sign_in(client, cashier)
        base = f"/console/keytags/pos/{bar['outlet'].id}"
        page = await client.get(base)
        assert page.status_code == 200 and "鲜榨西瓜汁" in page.text
        form_token = re.search(r'name="token" id="pos-token" value="([0-9a-f]+)"', page.text)
        assert form_token is not None
        headers = {"HX-Request": "true", "x-csrftoken": await csrf(client)}
        looked = await client.post(f"{base}/tag", data={"tag": tag.uid}, headers=headers)
        assert "陈静" in looked.text and "¥500.00" in looked.text
        sale = {"tag": tag.uid, "items": "JUICE:2,TEA:1", "token": form_token.group(1)}
        one = await client.post(f"{base}/charges", data=sale, headers=headers)
        two = await client.post(f"{base}/charges", data=sale, headers=headers)
        assert one.status_code == 200 and "data-charged" in one.text, one.text
        assert "¥94.00" in one.text  # the running total
        assert two.status_code == 200
        await db.refresh(visit)
        assert visit.tab_fen == 9400
        (row,) = (await db.execute(select(Charge).where(Charge.visit_id == visit.id))).scalars()
        assert row.user_id == cashier.user.id and row.outlet_id == bar["outlet"].id
        voided = await client.post(f"{base}/charges/{row.id}/void", headers=headers)
        assert voided.status_code == 200 and "data-voided" in voided.text
        await db.refresh(visit)
        assert visit.tab_fen == 0

    async def test_a_refused_charge_shows_the_reason_and_writes_nothing(
        self, client, db, owner, bar
    ):
        tag = await make_tag(db, tenant=owner.tenant)
        visit = await make_visit(db, tenant=owner.tenant, tag=tag, limit_fen=1000)
        cashier = await make_staff(db, tenant=owner.tenant, role="cashier")
        await sign_in(client, cashier)
        base = f"/console/keytags/pos/{bar['outlet'].id}"
        headers = {"HX-Request": "true", "x-csrftoken": await csrf(client)}
        sale = {"tag": tag.uid, "items": "JUICE:1", "token": "ab" * 12}
        refused = await client.post(f"{base}/charges", data=sale, headers=headers)
        assert refused.status_code == 409 and 'data-refused="over_limit"' in refused.text
        await db.refresh(visit)
        assert visit.tab_fen == 0
        assert (await db.execute(select(Visit.tab_fen).where(Visit.id == visit.id))).scalar() == 0


class TestLateVoid:
    async def test_past_the_window_only_a_manager_voids_and_is_recorded_approving(
        self, client, db, owner, bar
    ):
        tag = await make_tag(db, tenant=owner.tenant)
        visit = await make_visit(db, tenant=owner.tenant, tag=tag)
        sold = await client.post(
            "/api/v1/keytags/charges",
            json={"tag": tag.uid, "device_id": "bar-9", "device_seq": 1,
                  "items": [{"code": "JUICE", "qty": 1}]},
            headers=bar["auth"],
        )  # fmt: skip
        charge_id = sold.json()["charge_id"]
        base = f"/console/keytags/pos/{bar['outlet'].id}"
        cashier = await make_staff(db, tenant=owner.tenant, role="cashier")
        manager = await make_staff(db, tenant=owner.tenant, role="manager")
        with time_machine.travel(clock.now() + timedelta(minutes=30), tick=False):
            await sign_in(client, cashier)
            headers = {"HX-Request": "true", "x-csrftoken": await csrf(client)}
            page = await client.get(base)
            assert "Void (manager)" in page.text or "撤销（需经理）" in page.text
            refused = await client.post(f"{base}/charges/{charge_id}/void", headers=headers)
            assert refused.status_code == 403
            assert 'data-refused="void_needs_manager"' in refused.text
            client.cookies.clear()
            await sign_in(client, manager)
            headers = {"HX-Request": "true", "x-csrftoken": await csrf(client)}
            done = await client.post(f"{base}/charges/{charge_id}/void", headers=headers)
            assert done.status_code == 200 and "data-voided" in done.text
        await db.refresh(visit)
        void = (
            await db.execute(select(Charge).where(Charge.voids_charge_id == uuid.UUID(charge_id)))
        ).scalar_one()
        assert void.approved_by == manager.user.id and void.amount_fen == -2800
        assert visit.tab_fen == 0
