"""The offline gate's server side: the signed pack (what it holds and what it must not), and
batches of queued scans applied once, in device order, with conflicts reported."""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.actor import SYSTEM
from app.db.engine import TenantId
from modules.boarding.domain import PackRefused, canonical_json, open_pack, unb64
from modules.boarding.models import BoardingVoyage, Passenger, PortCall, Scan
from modules.boarding.service import (
    QueuedScan,
    apply_scan_batch,
    issue_passes,
    offline_pack,
    offline_pack_key,
    revoke_passes,
)
from tests.factories.boarding import first_call, make_boarding_voyage, make_passenger
from tests.factories.registry import make_api_key
from tests.factories.tenants import make_tenant

_ids = itertools.count(2000)
_seqs = itertools.count(1)


async def boarding_now(db, tenant) -> BoardingVoyage:  # type: ignore[no-untyped-def]
    """A voyage whose boarding window is open now, whatever the hour of the test."""
    now = clock.now().replace(microsecond=0)
    voyage = await make_boarding_voyage(
        db,
        tenant=tenant,
        days_ahead=0,
        boarding_opens_at=now - timedelta(hours=1),
        boarding_closes_at=now + timedelta(hours=2),
        sails_at=now + timedelta(hours=3),
        arrives_at=now + timedelta(days=3),
    )
    call = await first_call(db, voyage)
    call.boarding_opens_at, call.boarding_closes_at = (
        voyage.boarding_opens_at,
        now + timedelta(hours=2),
    )
    call.departs_at = voyage.sails_at
    await db.flush()
    return voyage


async def manifest(db, owner, voyage, n: int) -> dict[uuid.UUID, str]:  # type: ignore[no-untyped-def]
    """`n` passengers with passes: passenger id -> pass code."""
    people = [
        await make_passenger(
            db,
            tenant=owner.tenant,
            voyage=voyage,
            name=f"乘客{i}",
            cabin_number=f"A-{200 + i // 2}",
            id_number=f"50010319900307{next(_ids):04d}",
        )
        for i in range(n)
    ]
    issued = await issue_passes(db, TenantId(owner.tenant.id), [p.id for p in people], reason="t")
    return {p.passenger_id: p.code for p in issued}


@pytest.fixture
async def owner(db):  # type: ignore[no-untyped-def]
    return await make_tenant(db, kinds=("cruise",), name="长江壹号游轮")


@pytest.fixture
def tid(owner) -> TenantId:  # type: ignore[no-untyped-def]
    return TenantId(owner.tenant.id)


@pytest.fixture
async def voyage(db, owner):  # type: ignore[no-untyped-def]
    return await boarding_now(db, owner.tenant)


def queued(code: str, call: PortCall, seq: int | None = None, direction: str = "embark"):  # type: ignore[no-untyped-def]
    return QueuedScan(
        device_seq=seq if seq is not None else next(_seqs),
        code=code,
        direction=direction,
        port_call_id=call.id,
        scanned_at=clock.now(),
    )


class TestPack:
    async def test_the_pack_is_signed_and_holds_the_live_passes_without_id_numbers(
        self, db, tid, owner, voyage
    ):
        passes = await manifest(db, owner, voyage, 3)
        envelope = await offline_pack(db, tid, voyage.id)
        key = offline_pack_key(tid)
        payload, signer = open_pack(json.loads(json.dumps(envelope)), trusted_key=None)
        assert envelope["signer"]["fingerprint"] == key.fingerprint
        assert signer == unb64(key.public_key)
        assert payload["voyage"]["id"] == str(voyage.id)
        assert len(payload["voyage"]["port_calls"]) == 7
        assert {p["passenger_id"] for p in payload["passes"]} == {str(i) for i in passes}
        assert payload["keys"] and all(k["kid"] for k in payload["keys"])
        assert "5001031990030" not in canonical_json(envelope).decode()
        assert payload["passes"][0]["name"].startswith("乘客")

    async def test_a_revoked_pass_is_listed_and_no_longer_live(self, db, tid, owner, voyage):
        passes = await manifest(db, owner, voyage, 2)
        gone = next(iter(passes))
        await revoke_passes(db, tid, [gone], reason="下船")
        payload = (await offline_pack(db, tid, voyage.id))["payload"]
        assert str(gone) not in {p["passenger_id"] for p in payload["passes"]}
        assert len(payload["revoked"]) == 1

    async def test_an_altered_pack_or_another_signer_is_refused(self, db, tid, voyage, owner):
        await manifest(db, owner, voyage, 1)
        envelope = json.loads(json.dumps(await offline_pack(db, tid, voyage.id)))
        trusted = unb64(offline_pack_key(tid).public_key)
        envelope["payload"]["passes"][0]["aboard"] = True
        with pytest.raises(PackRefused):
            open_pack(envelope, trusted_key=trusted)
        other = await make_tenant(db, kinds=("cruise",))
        assert (
            offline_pack_key(TenantId(other.tenant.id)).public_key
            != offline_pack_key(tid).public_key
        )

    async def test_the_pack_route_needs_the_scan_scope_and_the_tenants_voyage(
        self, db, client, owner, voyage
    ):
        _, token = await make_api_key(db, owner.tenant, scopes={"boarding:scan"})
        _, reader = await make_api_key(db, owner.tenant, scopes={"read"})
        other = await make_tenant(db, kinds=("cruise",))
        foreign = await boarding_now(db, other.tenant)
        url = f"/api/v1/boarding/voyages/{voyage.id}/offline-pack"
        ok = await client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200, ok.text
        assert ok.json()["payload"]["voyage"]["id"] == str(voyage.id)
        denied = await client.get(url, headers={"Authorization": f"Bearer {reader}"})
        assert denied.status_code == 403
        elsewhere = await client.get(
            f"/api/v1/boarding/voyages/{foreign.id}/offline-pack",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert elsewhere.status_code == 404


class TestBatch:
    async def test_a_batch_applies_once_and_again_changes_nothing(self, db, tid, owner, voyage):
        passes = await manifest(db, owner, voyage, 4)
        call = await first_call(db, voyage)
        scans = [queued(code, call, seq) for seq, code in enumerate(passes.values(), start=1)]
        first = await apply_scan_batch(
            db, tid, device_id="gate-A", voyage_id=voyage.id, scans=scans, actor=SYSTEM
        )
        assert (first.accepted, first.duplicates, first.aboard) == (4, 0, 4)
        again = await apply_scan_batch(
            db, tid, device_id="gate-A", voyage_id=voyage.id, scans=scans, actor=SYSTEM
        )
        assert (again.accepted, again.duplicates, again.aboard) == (0, 4, 4)
        assert {i.outcome for i in again.items} == {"accepted"}
        written = await db.scalar(select(func.count()).select_from(Scan))
        assert written == 4

    async def test_two_gates_boarding_one_passenger_is_a_conflict_not_two_boardings(
        self, db, tid, owner, voyage
    ):
        passes = await manifest(db, owner, voyage, 1)
        (person, code), call = next(iter(passes.items())), await first_call(db, voyage)
        a = await apply_scan_batch(
            db, tid, device_id="gate-A", voyage_id=voyage.id, scans=[queued(code, call, 1)],
            actor=SYSTEM,
        )  # fmt: skip
        b = await apply_scan_batch(
            db, tid, device_id="gate-B", voyage_id=voyage.id, scans=[queued(code, call, 1)],
            actor=SYSTEM,
        )  # fmt: skip
        assert a.items[0].result == "accepted"
        assert (b.items[0].result, b.items[0].reason) == ("conflict", "already_aboard")
        assert b.items[0].passenger_id == person
        row = await db.get(Passenger, person)
        await db.refresh(row)
        assert (row.aboard, row.movements) == (True, 1)

    async def test_scans_apply_in_device_order_whatever_order_they_arrive_in(
        self, db, tid, owner, voyage
    ):
        passes = await manifest(db, owner, voyage, 1)
        code, call = next(iter(passes.values())), await first_call(db, voyage)
        ashore = queued(code, call, 2, "disembark")
        aboard = queued(code, call, 1, "embark")
        result = await apply_scan_batch(
            db, tid, device_id="gate-C", voyage_id=voyage.id, scans=[ashore, aboard], actor=SYSTEM
        )
        assert [(i.device_seq, i.result) for i in result.items] == [
            (1, "accepted"),
            (2, "accepted"),
        ]
        assert result.aboard == 0

    async def test_a_revoked_pass_let_through_offline_is_refused_and_reported(
        self, db, tid, owner, voyage
    ):
        passes = await manifest(db, owner, voyage, 1)
        person, code = next(iter(passes.items()))
        await revoke_passes(db, tid, [person], reason="改签")
        result = await apply_scan_batch(
            db, tid, device_id="gate-D", voyage_id=voyage.id,
            scans=[queued(code, await first_call(db, voyage), 1)], actor=SYSTEM,
        )  # fmt: skip
        assert (result.items[0].result, result.items[0].reason) == ("refused", "revoked")
        assert result.aboard == 0

    async def test_the_batch_route_answers_per_scan(self, db, client, owner, voyage):
        passes = await manifest(db, owner, voyage, 2)
        _, token = await make_api_key(db, owner.tenant, scopes={"boarding:scan"})
        call = await first_call(db, voyage)
        body = {
            "device_id": "gate-E",
            "voyage_id": str(voyage.id),
            "scans": [
                {
                    "device_seq": seq,
                    "code": code,
                    "direction": "embark",
                    "port_call_id": str(call.id),
                    "scanned_at": clock.now().isoformat(),
                }
                for seq, code in enumerate(passes.values(), start=1)
            ],
        }
        headers = {"Authorization": f"Bearer {token}"}
        answer = await client.post("/api/v1/boarding/scans:batch", json=body, headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.json()["accepted"] == 2
        assert [i["result"] for i in answer.json()["items"]] == ["accepted", "accepted"]
        again = await client.post("/api/v1/boarding/scans:batch", json=body, headers=headers)
        assert again.json()["duplicates"] == 2 and again.json()["aboard"] == 2

    async def test_odd_batches_are_refused_with_field_errors(self, db, client, owner, voyage):
        _, token = await make_api_key(db, owner.tenant, scopes={"boarding:scan"})
        headers = {"Authorization": f"Bearer {token}"}
        call = await first_call(db, voyage)
        scan = {
            "device_seq": 1,
            "code": "ZB1.X",
            "direction": "embark",
            "port_call_id": str(call.id),
            "scanned_at": "2026-12-07T10:00:00",
        }
        for scans in ([], [scan], [{**scan, "device_seq": -1}], [{**scan, "direction": "up"}]):
            body = {"device_id": "gate-F", "voyage_id": str(voyage.id), "scans": scans}
            answer = await client.post("/api/v1/boarding/scans:batch", json=body, headers=headers)
            assert 400 <= answer.status_code < 500, answer.text
        twice = [{**scan, "scanned_at": clock.now().isoformat()}] * 2
        body = {"device_id": "gate-F", "voyage_id": str(voyage.id), "scans": twice}
        answer = await client.post("/api/v1/boarding/scans:batch", json=body, headers=headers)
        assert answer.status_code == 422
        stray = {"device_id": "gate-F", "voyage_id": str(uuid.uuid4()), "scans": twice[:1]}
        answer = await client.post("/api/v1/boarding/scans:batch", json=stray, headers=headers)
        assert answer.status_code == 404
        assert await db.scalar(select(func.count()).select_from(Scan)) == 0
