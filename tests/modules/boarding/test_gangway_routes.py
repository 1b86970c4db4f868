"""The gangway over HTTP: `POST /api/v1/boarding/scans` for gate devices, the gangway page
and its htmx scan form, the all-aboard page; another enterprise's voyage is not found."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.db.engine import TenantId
from modules.boarding.models import PortCall, Scan
from modules.boarding.service import issue_passes
from tests.factories.boarding import make_boarding_voyage, make_passenger
from tests.factories.registry import make_api_key
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import csrf, sign_in

_ids = itertools.count(5000)


@pytest.fixture
async def owner(db):  # type: ignore[no-untyped-def]
    return await make_tenant(db, kinds=("cruise",), name="长江壹号游轮")


@pytest.fixture
def tid(owner) -> TenantId:  # type: ignore[no-untyped-def]
    return TenantId(owner.tenant.id)


@pytest.fixture
async def voyage(db, owner):  # type: ignore[no-untyped-def]
    voyage = await make_boarding_voyage(db, tenant=owner.tenant, days_ahead=0)
    with time_machine.travel(voyage.boarding_opens_at + timedelta(minutes=10), tick=True):
        yield voyage


async def with_pass(db, owner, voyage, **kw):  # type: ignore[no-untyped-def]
    p = await make_passenger(
        db,
        tenant=owner.tenant,
        voyage=voyage,
        id_number=f"50010319900307{next(_ids):04d}",
        cabin_number=kw.pop("cabin_number", "A-201"),
        **kw,
    )
    (issued,) = await issue_passes(db, TenantId(owner.tenant.id), [p.id], reason="test")
    return p, issued.code


@pytest.fixture
async def gate(db, owner):  # type: ignore[no-untyped-def]
    _key, token = await make_api_key(db, owner.tenant, scopes={"boarding:scan"})
    return {"Authorization": f"Bearer {token}"}


def body(voyage, code, seq, **kw):  # type: ignore[no-untyped-def]
    return {
        "code": code,
        "voyage_id": str(voyage.id),
        "direction": "embark",
        "device_id": "gate-a",
        "device_seq": seq,
        **kw,
    }


class TestApi:
    async def test_a_pass_boards_then_is_already_aboard(self, client, db, owner, voyage, gate):
        _p, code = await with_pass(db, owner, voyage, name="李娜", cabin_number="B-305")
        first = await client.post(
            "/api/v1/boarding/scans", json=body(voyage, code, 1), headers=gate
        )
        assert first.status_code == 200, first.text
        answer = first.json()
        assert answer["outcome"] == "accepted" and answer["message"] == "允许登船"
        assert (answer["passenger_name"], answer["cabin_number"], answer["aboard"]) == (
            "李娜",
            "B-305",
            1,
        )
        again = await client.post(
            "/api/v1/boarding/scans", json=body(voyage, code, 2), headers=gate
        )
        assert again.json()["outcome"] == "refused"
        assert again.json()["reason"] == "already_aboard" and again.json()["message"] == "已登船"

    async def test_the_same_device_sequence_answers_the_first_answer(
        self, client, db, owner, voyage, gate
    ):
        _p, code = await with_pass(db, owner, voyage)
        first = await client.post(
            "/api/v1/boarding/scans", json=body(voyage, code, 7), headers=gate
        )
        again = await client.post(
            "/api/v1/boarding/scans", json=body(voyage, code, 7), headers=gate
        )
        assert again.status_code == 200
        assert again.json()["scan_id"] == first.json()["scan_id"] and again.json()["replayed"]
        _q, other = await with_pass(db, owner, voyage)
        reused = await client.post(
            "/api/v1/boarding/scans", json=body(voyage, other, 7), headers=gate
        )
        assert reused.status_code == 409 and reused.json()["code"] == "device_seq_reused"

    async def test_odd_input_is_a_field_error(self, client, voyage, gate):
        for odd in ({"direction": "up"}, {"device_seq": -1}, {"device_id": ""}, {"code": "a\x00"}):
            answer = await client.post(
                "/api/v1/boarding/scans", json={**body(voyage, "x", 1), **odd}, headers=gate
            )
            assert answer.status_code in (400, 422), (odd, answer.text)

    async def test_another_enterprises_voyage_is_not_found(self, client, db, voyage, gate):
        stranger = await make_tenant(db, kinds=("cruise",))
        theirs = await make_boarding_voyage(db, tenant=stranger.tenant, days_ahead=0)
        answer = await client.post(
            "/api/v1/boarding/scans", json=body(theirs, "x", 1), headers=gate
        )
        assert answer.status_code == 404
        assert (await db.execute(select(Scan).where(Scan.voyage_id == theirs.id))).first() is None

    async def test_a_key_without_the_scope_may_not_scan(self, client, db, owner, voyage):
        _key, token = await make_api_key(db, owner.tenant, scopes={"reservations:read"})
        answer = await client.post(
            "/api/v1/boarding/scans",
            json=body(voyage, "x", 1),
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 403


async def _purser(client, db, owner):  # type: ignore[no-untyped-def]
    purser = await make_staff(db, tenant=owner.tenant, role="front_desk")
    await sign_in(client, purser)
    return purser


class TestGangwayPage:
    async def test_the_page_offers_the_port_calls_and_the_camera(self, client, db, owner, voyage):
        await _purser(client, db, owner)
        page = await client.get(f"/console/boarding/voyages/{voyage.id}/gangway")
        assert page.status_code == 200, page.text
        assert "朝天门" in page.text and 'name="code"' in page.text
        assert "/static/vendor/zxing-browser.min.js" in page.text
        assert "camera=(self)" in page.headers["permissions-policy"]

    async def test_a_scan_from_the_page_shows_green_then_red(self, client, db, owner, voyage):
        await _purser(client, db, owner)
        _p, code = await with_pass(db, owner, voyage, name="王芳", cabin_number="C-108")
        token = await csrf(client)
        path = f"/console/boarding/voyages/{voyage.id}/gangway/scans"
        form = {"code": code, "direction": "embark", "device_id": "web-1", "device_seq": "1"}
        headers = {"HX-Request": "true", "x-csrftoken": token}
        green = await client.post(path, data=form, headers=headers)
        assert green.status_code == 200, green.text
        assert "允许登船" in green.text and "王芳" in green.text and "C-108" in green.text
        assert 'data-outcome="accepted"' in green.text
        assert '<span id="aboard-count">1</span>' in green.text
        red = await client.post(path, data={**form, "device_seq": "2"}, headers=headers)
        assert "已登船" in red.text and 'data-outcome="refused"' in red.text

    async def test_without_htmx_the_page_comes_back_with_the_verdict(
        self, client, db, owner, voyage
    ):
        await _purser(client, db, owner)
        _p, code = await with_pass(db, owner, voyage, name="吴敏")
        token = await csrf(client)
        form = {"code": code, "direction": "embark", "device_id": "web-2", "device_seq": "1"}
        page = await client.post(
            f"/console/boarding/voyages/{voyage.id}/gangway/scans",
            data={**form, "_csrf_token": token},
        )
        assert page.status_code == 200 and 'id="scan-form"' in page.text
        assert "允许登船" in page.text and "吴敏" in page.text
        counts = await client.get(f"/console/boarding/voyages/{voyage.id}/gangway/counts")
        assert '<span id="aboard-count">1</span>' in counts.text and "吴敏" in counts.text

    async def test_a_scan_without_a_device_sequence_is_refused(self, client, db, owner, voyage):
        await _purser(client, db, owner)
        token = await csrf(client)
        answer = await client.post(
            f"/console/boarding/voyages/{voyage.id}/gangway/scans",
            data={"code": "x", "direction": "embark", "device_id": "web-1", "device_seq": "²"},
            headers={"HX-Request": "true", "x-csrftoken": token},
        )
        assert answer.status_code == 422

    async def test_the_all_aboard_list_names_who_is_ashore(self, client, db, owner, tid, voyage):
        from app.actor import SYSTEM
        from modules.boarding.service import record_scan

        await _purser(client, db, owner)
        calls = (
            (await db.execute(select(PortCall).where(PortCall.voyage_id == voyage.id)))
            .scalars()
            .all()
        )
        fengdu = next(c for c in calls if c.seq == 1)
        _ashore, code = await with_pass(db, owner, voyage, name="赵磊", cabin_number="A-301")
        _stays, stays_code = await with_pass(db, owner, voyage, name="钱红", cabin_number="A-302")
        _late, _ = await with_pass(db, owner, voyage, name="孙强", cabin_number="A-303")
        for seq, (c, direction, call) in enumerate(
            [(code, "embark", None), (stays_code, "embark", None), (code, "disembark", fengdu)]
        ):
            await record_scan(
                db,
                tid,
                code=c,
                voyage_id=voyage.id,
                port_call_id=call.id if call else None,
                direction=direction,
                device_id="t",
                device_seq=seq,
                scanned_at=None,
                actor=SYSTEM,
            )
        page = await client.get(
            f"/console/boarding/voyages/{voyage.id}/aboard?port_call_id={fengdu.id}"
        )
        assert page.status_code == 200, page.text
        missing = page.text.split('id="missing"')[1].split("</table>")[0]
        assert "赵磊" in missing and "钱红" not in missing
        muster = page.text.split('id="muster"')[1]
        assert (
            "钱红" in muster and "赵磊" not in muster and '<span id="headcount">1</span>' in muster
        )
        first = await client.get(f"/console/boarding/voyages/{voyage.id}/aboard")
        not_boarded = first.text.split('id="missing"')[1].split("</table>")[0]
        assert "孙强" in not_boarded and "钱红" not in not_boarded

    async def test_another_enterprises_voyage_is_not_found(self, client, db, owner):
        await _purser(client, db, owner)
        stranger = await make_tenant(db, kinds=("cruise",))
        theirs = await make_boarding_voyage(db, tenant=stranger.tenant, days_ahead=0)
        for path in ("gangway", "aboard", "gangway/counts"):
            answer = await client.get(f"/console/boarding/voyages/{theirs.id}/{path}")
            assert answer.status_code == 404, path

    async def test_a_cashier_may_not_open_the_gangway(self, client, db, owner, voyage):
        cashier = await make_staff(db, tenant=owner.tenant, role="cashier")
        await sign_in(client, cashier)
        assert (
            await client.get(f"/console/boarding/voyages/{voyage.id}/gangway")
        ).status_code == 403
