"""The real-name manifest in the console: masked IDs on screen, counts per boarding port,
corrections with their change log until boarding closes, and the CSV and PDF exports."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app import clock
from app.db.engine import TenantId, bind_tenant
from app.i18n import translations
from modules.boarding.domain import RefusalReason
from modules.boarding.models import BoardingPass, ManifestChange
from modules.boarding.service import issue_passes, pass_code, verify_code
from modules.boarding.service import manifest as service
from modules.boarding.service.manifest_export import MANIFEST_COLUMNS
from tenants.models import AuditEvent
from tests.factories.boarding_manifest import make_manifest_voyage, resident_id
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in


@pytest.fixture
async def line(db):
    return await make_tenant(db, kinds=("cruise",), name="长江世纪游轮")


@pytest.fixture
async def purser(db, line):
    return await make_staff(db, tenant=line.tenant, role="front_desk", display_name="周乘务")


@pytest.fixture
async def mv(db, line):
    return await make_manifest_voyage(db, tenant=line.tenant)


@pytest.fixture
async def signed_in(client, purser):
    await sign_in(client, purser)
    return client


def url(mv, tail: str = "") -> str:
    return f"/console/boarding/voyages/{mv.voyage.id}/manifest{tail}"


def pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def pdf_info(pdf: bytes, tmp_path) -> str:
    (tmp_path / "manifest.pdf").write_bytes(pdf)
    done = subprocess.run(
        ["pdfinfo", str(tmp_path / "manifest.pdf")], capture_output=True, check=True
    )
    return done.stdout.decode()


async def changes_of(db, passenger_id) -> list[ManifestChange]:
    rows = await db.execute(
        select(ManifestChange).where(ManifestChange.passenger_id == passenger_id)
    )
    return list(rows.scalars())


def edit_form(p, **overrides):
    form = {
        "name": p.name,
        "sex": p.sex,
        "id_type": p.id_type,
        "id_number": p.id_number,
        "birth_date": p.birth_date.isoformat(),
        "phone": p.phone,
        "emergency_name": p.emergency_name,
        "emergency_phone": p.emergency_phone,
        "unit_id": str(p.unit_id or ""),
        "reason": "乘客来电更正",
    }
    form.update(overrides)
    return form


class TestMaskingHelper:
    def test_a_resident_id_shows_the_province_and_the_last_four(self):
        assert service.mask_id_number("50010319900307123X") == "5001**********123X"

    def test_short_numbers_give_less_away(self):
        assert service.mask_id_number("E1234567") == "E1****67"
        assert service.mask_id_number("1234") == "****"


class TestManifestPage:
    async def test_the_page_lists_cabins_and_masks_every_id(self, signed_in, mv):
        answer = await signed_in.get(url(mv))
        assert answer.status_code == 200, answer.text
        for p in mv.passengers:
            assert p.name in answer.text
            assert p.id_number not in answer.text
            assert service.mask_id_number(p.id_number) in answer.text
        for cabin in ("A201", "A203", "B301"):
            assert cabin in answer.text
        assert "朝天门" in answer.text

    async def test_filters_by_not_yet_aboard_and_search(self, db, signed_in, mv):
        mv.passengers[0].movements, mv.passengers[0].aboard = 1, True
        await db.flush()
        answer = await signed_in.get(url(mv), params={"not_aboard": "1"})
        assert mv.passengers[0].name not in answer.text
        assert mv.passengers[1].name in answer.text
        answer = await signed_in.get(url(mv), params={"q": "刘洋"})
        assert "刘洋" in answer.text and "李娜" not in answer.text
        answer = await signed_in.get(url(mv), params={"cabin": "A203"})
        assert "王芳" in answer.text and "张伟" not in answer.text
        answer = await signed_in.get(url(mv), params={"port": "FD"})
        assert "张伟" not in answer.text

    async def test_count_per_port_leaves_cancelled_passengers_out(self, db, line, mv):
        mv.passengers[4].status = "cancelled"
        mv.passengers[1].status = "checked_in"
        await db.flush()
        counts = await service.port_counts(db, TenantId(line.tenant.id), mv.voyage.id)
        assert [(c.port_code, c.expected, c.checked_in) for c in counts] == [("CTM", 4, 1)]

    async def test_a_guide_may_not_read_the_manifest(self, db, line, client, mv):
        guide = await make_staff(db, tenant=line.tenant, role="guide")
        await sign_in(client, guide)
        assert (await client.get(url(mv))).status_code == 403

    async def test_another_lines_voyage_is_not_found(self, db, client, mv):
        other = await make_tenant(db, kinds=("cruise",))
        await sign_in(client, other)
        assert (await client.get(url(mv))).status_code == 404
        assert (await client.get(url(mv, ".csv"))).status_code == 404


class TestExports:
    async def test_the_csv_has_every_passenger_with_the_full_id(self, db, signed_in, mv):
        mv.passengers[4].status = "cancelled"
        await db.flush()
        answer = await signed_in.get(url(mv, ".csv"))
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        assert "attachment" in answer.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
        zh = translations("zh_CN")
        assert rows[0] == [zh.gettext(c) for c in MANIFEST_COLUMNS]
        assert rows[0][7] == "证件号码"
        body = rows[1:]
        assert len(body) == len(mv.passengers)
        assert {r[7] for r in body} == {p.id_number for p in mv.passengers}
        assert {r[1] for r in body} == {p.name for p in mv.passengers}

    async def test_each_export_is_in_the_audit_log(self, db, signed_in, line, purser, mv):
        await signed_in.get(url(mv, ".csv"))
        events = (
            (
                await db.execute(
                    select(AuditEvent).where(
                        AuditEvent.tenant_id == line.tenant.id,
                        AuditEvent.action == "boarding.manifest_exported",
                    )
                )
            )
            .scalars()
            .all()
        )
        assert [(e.actor_user_id, e.data["format"]) for e in events] == [(purser.user.id, "csv")]

    async def test_the_pdf_names_the_voyage_and_its_passengers(self, signed_in, mv, tmp_path):
        answer = await signed_in.get(url(mv, ".pdf"))
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/pdf"
        text = pdf_text(answer.content)
        assert mv.voyage.number in text
        for p in mv.passengers:
            assert p.name in text
        assert re.search(r"\b1\s*/\s*1\b", text)  # page numbers
        info = pdf_info(answer.content, tmp_path)
        assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+", info)  # A4 landscape


class TestEditing:
    async def test_a_correction_is_saved_and_logged(self, db, signed_in, purser, mv):
        p = mv.passengers[1]
        answer = await form_post(
            signed_in,
            f"/console/boarding/passengers/{p.id}",
            edit_form(p, name="李娜娜", emergency_name="李强", emergency_phone="13900000000"),
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        await db.refresh(p)
        assert (p.name, p.emergency_name) == ("李娜娜", "李强")
        rows = {c.field: c for c in await changes_of(db, p.id)}
        assert set(rows) == {"name", "emergency_name", "emergency_phone"}
        assert (rows["name"].old_value, rows["name"].new_value) == ("李娜", "李娜娜")
        assert rows["name"].reason == "乘客来电更正"
        assert rows["name"].by_user_id == purser.user.id
        log = await signed_in.get(url(mv, "/changes"))
        assert "李娜娜" in log.text and "乘客来电更正" in log.text

    async def test_the_form_never_shows_the_full_id_and_empty_keeps_it(self, db, signed_in, mv):
        p = mv.passengers[2]
        page = await signed_in.get(f"/console/boarding/passengers/{p.id}")
        assert p.id_number not in page.text
        assert service.mask_id_number(p.id_number) in page.text
        number = p.id_number
        answer = await form_post(
            signed_in,
            f"/console/boarding/passengers/{p.id}",
            edit_form(p, id_number="", phone="13911112222"),
        )
        assert answer.status_code == 303, answer.text
        await db.refresh(p)
        assert (p.id_number, p.phone) == (number, "13911112222")
        assert [c.field for c in await changes_of(db, p.id)] == ["phone"]

    async def test_a_new_id_number_is_logged_but_masked_on_screen(self, db, signed_in, mv):
        p = mv.passengers[0]
        new_id = resident_id(p.birth_date)
        answer = await form_post(
            signed_in, f"/console/boarding/passengers/{p.id}", edit_form(p, id_number=new_id)
        )
        assert answer.status_code == 303, answer.text
        [change] = await changes_of(db, p.id)
        assert change.new_value == new_id
        log = await signed_in.get(url(mv, "/changes"))
        assert new_id not in log.text
        assert service.mask_id_number(new_id) in log.text

    async def test_a_cabin_change_moves_the_passenger_within_the_voyage(self, db, signed_in, mv):
        p = mv.passengers[4]
        target = mv.cabins["A205"]
        answer = await form_post(
            signed_in,
            f"/console/boarding/passengers/{p.id}",
            edit_form(p, unit_id=str(target.id)),
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        await db.refresh(p)
        assert (p.unit_id, p.cabin_number) == (target.id, "A205")
        [change] = await changes_of(db, p.id)
        assert (change.field, change.old_value, change.new_value) == ("cabin", "B301", "A205")

    async def test_a_cabin_change_reissues_the_pass_which_carries_the_cabin(
        self, db, line, signed_in, mv
    ):
        tid = TenantId(line.tenant.id)
        p = mv.passengers[4]
        [old] = await issue_passes(db, tid, [p.id], reason="pre-check-in")
        answer = await form_post(
            signed_in,
            f"/console/boarding/passengers/{p.id}",
            edit_form(p, unit_id=str(mv.cabins["A205"].id)),
        )
        assert answer.status_code == 303, answer.text
        await db.refresh(p)
        check = await verify_code(db, tid, old.code, at=clock.now())
        assert check.reason == RefusalReason.REVOKED
        live = await db.execute(
            select(BoardingPass).where(
                BoardingPass.passenger_id == p.id, BoardingPass.revoked_at.is_(None)
            )
        )
        [new] = live.scalars().all()
        code = await pass_code(db, tid, new.id)
        assert (await verify_code(db, tid, code, at=clock.now())).cabin == "A205"

    async def test_a_full_cabin_is_refused(self, db, signed_in, mv):
        p = mv.passengers[4]
        answer = await form_post(
            signed_in,
            f"/console/boarding/passengers/{p.id}",
            edit_form(p, unit_id=str(mv.cabins["A201"].id)),
        )
        assert answer.status_code == 422
        assert await changes_of(db, p.id) == []

    async def test_bad_input_is_refused_with_field_messages_and_writes_nothing(
        self, db, signed_in, mv
    ):
        p = mv.passengers[0]
        answer = await form_post(
            signed_in,
            f"/console/boarding/passengers/{p.id}",
            edit_form(
                p,
                name="",
                id_number="500103199003071230",
                birth_date="1990-02-30",
                phone="call me",
                reason="",
            ),
        )
        assert answer.status_code == 422
        assert "has-error" in answer.text
        assert "校验位不匹配" in answer.text
        await db.refresh(p)
        assert p.name == "张伟"
        assert await changes_of(db, p.id) == []

    async def test_an_id_already_on_the_voyage_is_refused(self, db, signed_in, mv):
        p, other = mv.passengers[0], mv.passengers[2]
        answer = await form_post(
            signed_in,
            f"/console/boarding/passengers/{p.id}",
            edit_form(p, id_number=other.id_number, birth_date=other.birth_date.isoformat()),
        )
        assert answer.status_code == 422
        assert await changes_of(db, p.id) == []

    async def test_after_boarding_closes_editing_is_refused(self, db, client, purser, mv):
        p = mv.passengers[1]
        after = mv.voyage.boarding_closes_at + timedelta(minutes=1)
        with time_machine.travel(after, tick=False):
            await sign_in(client, purser)
            signed_in = client
            page = await signed_in.get(f"/console/boarding/passengers/{p.id}")
            assert "已截止" in page.text or "has closed" in page.text
            answer = await form_post(
                signed_in, f"/console/boarding/passengers/{p.id}", edit_form(p, name="李四")
            )
        assert answer.status_code == 409
        assert "朝天门" in answer.text
        await db.refresh(p)
        assert p.name == "李娜"
        count = await db.execute(
            select(func.count())
            .select_from(ManifestChange)
            .where(ManifestChange.voyage_id == mv.voyage.id)
        )
        assert count.scalar_one() == 0

    async def test_another_lines_passenger_is_not_found(self, db, client, mv):
        p = mv.passengers[0]
        other = await make_tenant(db, kinds=("cruise",))
        await sign_in(client, other)
        assert (await client.get(f"/console/boarding/passengers/{p.id}")).status_code == 404
        answer = await form_post(
            client, f"/console/boarding/passengers/{p.id}", edit_form(p, name="李四")
        )
        assert answer.status_code == 404
        await bind_tenant(db, mv.voyage.tenant_id)
        await db.refresh(p)
        assert p.name == "张伟"
