"""Online pre-check-in through the link, and the passes it gives: the page, the PNG and the
PDF, whose QR codes decode (zxing-cpp) to a code that verifies."""

from __future__ import annotations

import asyncio
import io
import itertools
import shutil
import subprocess
from urllib.parse import urlencode

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from app import clock
from app.db.engine import TenantId
from app.identifiers import id_check_char
from modules.boarding import service
from modules.boarding.models import BoardingPass, ManifestChange, Passenger
from modules.reservations import service as reservations
from tests.factories.boarding import make_boarding_voyage, make_passenger
from tests.factories.tenants import make_tenant
from tests.factories.terminals import a_unit, make_device, use_terminal
from tests.helpers import form_post

_ids = itertools.count(1)


def resident_id() -> str:
    first17 = f"50010319880611{next(_ids):03d}"
    return first17 + id_check_char(first17)


async def _party(db, *, days_ahead: int = 1):
    """A cabin of two on a voyage sailing tomorrow evening (inside the 72 hours)."""
    tenant = (await make_tenant(db, kinds=("cruise",))).tenant
    voyage = await make_boarding_voyage(db, tenant=tenant, days_ahead=days_ahead)
    lead = await make_passenger(
        db, tenant=tenant, voyage=voyage, id_number=resident_id(), cabin_number="A-201"
    )
    second = await make_passenger(
        db,
        tenant=tenant,
        voyage=voyage,
        reservation_id=lead.reservation_id,
        id_number=resident_id(),
        name="李娜",
        is_lead=False,
        cabin_number="A-201",
    )
    token = service.checkin_token(tenant.id, lead.reservation_id)
    return tenant, voyage, lead, second, token


def _decode(image: Image.Image) -> list[str]:
    return [
        r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


async def _check_in(client, token: str):
    return await form_post(
        client,
        "/checkin",
        {
            "token": token,
            "emergency_name": "张建国",
            "emergency_phone": "13900139000",
            "confirm": "1",
        },
        follow_redirects=False,
    )


class TestLink:
    def test_link_names_its_reservation_only(self) -> None:
        import uuid

        tid, rid = TenantId(uuid.uuid4()), uuid.uuid4()
        token = service.checkin_token(tid, rid)
        secret = token.split(".", 1)[1]
        assert service.reservation_of_secret(tid, secret) == rid
        assert service.reservation_of_secret(TenantId(uuid.uuid4()), secret) is None
        other = uuid.uuid4().hex + secret[32:]
        assert service.reservation_of_secret(tid, other) is None
        assert service.reservation_of_secret(tid, secret[:-1] + "A") in (None, rid)
        assert service.reservation_of_secret(tid, "") is None
        assert service.checkin_url(tid, rid).endswith(f"/checkin?token={token}")

    async def test_wrong_secret_is_not_found(self, client, db) -> None:
        tenant, _voyage, lead, _second, _token = await _party(db)
        bad = f"{tenant.id}.{lead.reservation_id.hex}{'A' * 22}"
        assert (await client.get(f"/checkin?{urlencode({'token': bad})}")).status_code == 404


class TestCheckIn:
    async def test_before_72_hours_the_page_says_when_it_opens(self, client, db) -> None:
        _tenant, voyage, _lead, _second, token = await _party(db, days_ahead=10)
        page = await client.get(f"/checkin?{urlencode({'token': token})}")
        assert page.status_code == 200
        assert 'id="not-open"' in page.text
        opens = clock.local_date(voyage.sails_at - service.CHECKIN_OPENS_BEFORE_SAILING)
        assert opens.isoformat() in page.text
        assert 'id="check-in"' not in page.text
        refused = await _check_in(client, token)
        assert refused.status_code == 422
        assert (await db.execute(select(BoardingPass.id))).first() is None

    async def test_missing_confirmation_writes_nothing(self, client, db) -> None:
        _tenant, _voyage, lead, _second, token = await _party(db)
        refused = await form_post(
            client,
            "/checkin",
            {"token": token, "emergency_name": "", "emergency_phone": "abc"},
            follow_redirects=False,
        )
        assert refused.status_code == 422
        assert 'id="check-in"' in refused.text
        await db.refresh(lead)
        assert lead.checked_in_at is None
        assert (await db.execute(select(BoardingPass.id))).first() is None

    async def test_party_checks_in_and_gets_a_pass_each(self, client, db) -> None:
        tenant, voyage, lead, second, token = await _party(db)
        q = urlencode({"token": token})
        page = await client.get(f"/checkin?{q}")
        assert page.status_code == 200, page.text
        assert 'id="check-in"' in page.text and "李娜" in page.text
        done = await _check_in(client, token)
        assert done.status_code == 303, done.text
        page = await client.get(done.headers["location"])
        assert 'id="done"' in page.text
        for p in (lead, second):
            await db.refresh(p)
            assert p.status == "checked_in" and p.checked_in_at is not None
            assert (p.emergency_name, p.emergency_phone) == ("张建国", "13900139000")
        changes = (await db.execute(select(ManifestChange.field))).scalars().all()
        assert sorted(changes) == ["emergency_name"] * 2 + ["emergency_phone"] * 2
        passes = (await db.execute(select(BoardingPass))).scalars().all()
        assert {p.passenger_id for p in passes} == {lead.id, second.id}
        mine = next(p for p in passes if p.passenger_id == second.id)
        one = await client.get(f"/checkin/pass?{q}&p={mine.id}")
        assert one.status_code == 200
        assert "李娜" in one.text and "A-201" in one.text
        png = await client.get(f"/checkin/pass.png?{q}&p={mine.id}")
        assert png.headers["content-type"] == "image/png"
        [code] = _decode(Image.open(io.BytesIO(png.content)))
        check = await service.verify_code(
            db, TenantId(tenant.id), code, at=voyage.boarding_opens_at
        )
        assert check.ok and check.passenger_id == second.id

    async def test_checking_in_again_reissues(self, client, db) -> None:
        _tenant, _voyage, lead, _second, token = await _party(db)
        assert (await _check_in(client, token)).status_code == 303
        assert (await _check_in(client, token)).status_code == 303
        rows = (
            (await db.execute(select(BoardingPass).where(BoardingPass.passenger_id == lead.id)))
            .scalars()
            .all()
        )
        assert len(rows) == 2 and sum(r.revoked_at is None for r in rows) == 1

    async def test_another_cabins_pass_is_not_found(self, client, db) -> None:
        tenant, voyage, _lead, _second, token = await _party(db)
        other = await make_passenger(
            db, tenant=tenant, voyage=voyage, id_number=resident_id(), cabin_number="B-301"
        )
        [issued] = await service.issue_passes(db, TenantId(tenant.id), [other.id], reason="x")
        q = urlencode({"token": token})
        assert (await client.get(f"/checkin/pass?{q}&p={issued.pass_id}")).status_code == 404
        assert (await client.get(f"/checkin/pass.png?{q}&p={issued.pass_id}")).status_code == 404
        assert (await client.get(f"/checkin/pass?{q}&p=not-a-pass")).status_code == 404

    async def test_cancelled_passengers_get_no_pass(self, client, db) -> None:
        _tenant, _voyage, lead, second, token = await _party(db)
        second.status = "cancelled"
        await db.flush()
        assert (await _check_in(client, token)).status_code == 303
        passes = (await db.execute(select(BoardingPass.passenger_id))).scalars().all()
        assert passes == [lead.id]
        await db.refresh(second)
        assert second.checked_in_at is None


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
async def test_pdf_qr_code_decodes_to_a_pass_that_verifies(client, db, tmp_path) -> None:
    tenant, voyage, lead, _second, token = await _party(db)
    assert (await _check_in(client, token)).status_code == 303
    row = (
        await db.execute(select(BoardingPass).where(BoardingPass.passenger_id == lead.id))
    ).scalar_one()
    pdf = await client.get(f"/checkin/pass.pdf?{urlencode({'token': token, 'p': row.id})}")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    source, root = tmp_path / "pass.pdf", tmp_path / "page"
    source.write_bytes(pdf.content)
    await asyncio.to_thread(
        subprocess.run,
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(source), str(root)],
        capture_output=True,
        check=True,
    )
    [code] = _decode(Image.open(tmp_path / "page.png"))
    check = await service.verify_code(db, TenantId(tenant.id), code, at=voyage.boarding_opens_at)
    assert check.ok
    assert (check.passenger_id, check.voyage_id, check.pass_id) == (lead.id, voyage.id, row.id)
    assert check.passenger_name == lead.name
    people = (await db.execute(select(Passenger.id))).scalars().all()
    assert lead.id in people


class TestCabinTerminal:
    async def test_cabin_terminal_shows_its_cabins_passes_only(self, client, db) -> None:
        tenant, _voyage, lead, second, _token = await _party(db)
        await a_unit(db, tenant=tenant)
        cabin, other_cabin = [u.id for u in await reservations.list_units(db, TenantId(tenant.id))][
            :2
        ]
        lead.unit_id = second.unit_id = cabin
        await db.flush()
        stranger = await make_passenger(
            db, tenant=tenant, voyage=_voyage, id_number=resident_id(), unit_id=other_cabin,
            name="王芳",
        )  # fmt: skip
        tid = TenantId(tenant.id)
        await service.issue_passes(db, tid, [lead.id, second.id, stranger.id], reason="x")
        use_terminal(client, await make_device(db, tenant=tenant, unit_id=cabin))
        home = await client.get("/terminal")
        assert "/terminal/boarding-passes" in home.text
        page = await client.get("/terminal/boarding-passes")
        assert page.status_code == 200, page.text
        assert "张伟" in page.text and "李娜" in page.text
        assert "王芳" not in page.text
        use_terminal(client, await make_device(db, tenant=tenant, unit_id=other_cabin))
        empty = await client.get("/terminal/boarding-passes")
        assert empty.status_code == 200
        assert "王芳" in empty.text and "张伟" not in empty.text
