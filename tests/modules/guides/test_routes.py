"""The guide archive over HTTP: what an agent sees and clicks in the console."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.db.engine import TenantId
from modules.guides import service
from tests.factories.guides import PDF, make_guide, png, today, unique_licence
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import csrf, form_post, sign_in


@pytest.fixture
async def owner(db):
    return await make_tenant(db, kinds=("agency",), name="巴渝测试旅行社")


@pytest.fixture
async def agent(db, owner):
    return await make_staff(db, tenant=owner.tenant, role="agent", display_name="王芳")


@pytest.fixture
async def signed_in(client, agent):
    await sign_in(client, agent)
    return client


async def multipart_post(client, path, data, files):
    token = await csrf(client)
    return await client.post(
        path, data={**data, "_csrf_token": token}, files=files, follow_redirects=False
    )


def new_guide_form(**overrides):
    form = {
        "licence_no": unique_licence(),
        "name": "陈思远",
        "level": "senior",
        "languages": ["mandarin", "japanese"],
        "licence_valid_until": (today() + timedelta(days=600)).isoformat(),
        "affiliation": "重庆市导游服务中心",
        "phone": "13912345678",
        "status": "active",
    }
    form.update(overrides)
    return form


class TestRoles:
    async def test_front_desk_staff_cannot_open_the_archive(self, db, owner, client):
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, clerk)
        assert (await client.get("/console/guides")).status_code == 403
        assert (await client.get("/console/guides/new")).status_code == 403

    async def test_owner_and_manager_can(self, db, owner, client):
        manager = await make_staff(db, tenant=owner.tenant, role="manager")
        await sign_in(client, manager)
        assert (await client.get("/console/guides")).status_code == 200

    async def test_an_agent_cannot_resolve_a_complaint(self, db, owner, signed_in):
        guide = (await make_guide(db, tenant=owner.tenant)).summary
        complaint = await _complaint(db, owner, guide.id)
        answer = await form_post(
            signed_in,
            f"/console/guides/{guide.id}/complaints/{complaint.id}/resolve",
            {"resolution": "已道歉"},
        )
        assert answer.status_code == 403

    async def test_the_navigation_shows_guides_with_the_licence_badge(self, db, owner, signed_in):
        await make_guide(
            db, tenant=owner.tenant, licence_valid_until=(today() - timedelta(days=2)).isoformat()
        )
        page = await signed_in.get("/console/guides")
        assert 'href="/console/guides"' in page.text
        assert 'hx-get="/console/guides/badge"' in page.text
        badge = await signed_in.get("/console/guides/badge")
        assert re.search(r">\s*1\s*<", badge.text)


class TestCreate:
    async def test_agent_archives_a_guide_with_a_photo(self, db, owner, signed_in):
        form = new_guide_form()
        answer = await multipart_post(
            signed_in, "/console/guides", form, {"photo": ("me.png", png(), "image/png")}
        )
        assert answer.status_code == 303, answer.text
        page = await signed_in.get(answer.headers["location"])
        assert "陈思远" in page.text and form["licence_no"] in page.text
        assert "高级" in page.text and "日语" in page.text
        assert f"/verify/guide?licence={form['licence_no']}" in page.text  # the badge's QR
        assert 'src="data:image/svg+xml' in page.text
        photo_url = re.search(r'src="(/console/guides/[^"]+/photo\?v=[^"]+)"', page.text)
        assert photo_url
        photo = await signed_in.get(photo_url.group(1))
        assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
        assert photo.content == png()

    async def test_a_program_renamed_png_is_refused_with_422(self, db, owner, signed_in):
        answer = await multipart_post(
            signed_in,
            "/console/guides",
            new_guide_form(),
            {"photo": ("photo.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "image/png")},
        )
        assert answer.status_code == 422
        assert "照片必须是 JPEG、PNG 或 WebP 格式的图片" in answer.text
        assert (await service.list_guides(db, TenantId(owner.tenant.id))) == []

    async def test_field_errors_are_shown_with_the_typed_values(self, db, owner, signed_in):
        answer = await multipart_post(
            signed_in,
            "/console/guides",
            new_guide_form(licence_no="导游证", phone="123", name="赵敏"),
            {},
        )
        assert answer.status_code == 422
        assert "请输入导游证号" in answer.text and "请输入 11 位手机号码" in answer.text
        assert 'value="赵敏"' in answer.text

    async def test_an_unusual_number_is_saved_once_confirmed(self, db, owner, signed_in):
        form = new_guide_form(licence_no="DY-88-1234567")
        first = await multipart_post(signed_in, "/console/guides", form, {})
        assert first.status_code == 422
        assert 'name="accept_unusual_licence"' in first.text
        second = await multipart_post(
            signed_in, "/console/guides", {**form, "accept_unusual_licence": "1"}, {}
        )
        assert second.status_code == 303

    async def test_a_licence_archived_elsewhere_is_refused_with_a_message(
        self, db, owner, signed_in
    ):
        other = (await make_tenant(db, kinds=("agency",))).tenant
        licence = unique_licence()
        await make_guide(db, tenant=other, licence_no=licence)
        answer = await multipart_post(
            signed_in, "/console/guides", new_guide_form(licence_no=licence), {}
        )
        assert answer.status_code == 409
        assert "已由其他企业建档" in answer.text


class TestListAndEdit:
    async def test_expired_and_expiring_licences_are_flagged_and_filtered(
        self, db, owner, signed_in
    ):
        await make_guide(
            db,
            tenant=owner.tenant,
            name="过期导游",
            licence_valid_until=(today() - timedelta(days=1)).isoformat(),
        )
        await make_guide(
            db,
            tenant=owner.tenant,
            name="将到期导游",
            licence_valid_until=(today() + timedelta(days=20)).isoformat(),
        )
        await make_guide(db, tenant=owner.tenant, name="正常导游")
        page = await signed_in.get("/console/guides")
        assert "已过期" in page.text and "即将到期" in page.text
        expired = await signed_in.get("/console/guides?licence=expired")
        assert "过期导游" in expired.text and "正常导游" not in expired.text
        by_language = await signed_in.get("/console/guides?language=japanese")
        assert "正常导游" not in by_language.text

    async def test_marking_a_guide_as_left_takes_them_off_the_public_check(
        self, db, owner, signed_in
    ):
        view = await make_guide(db, tenant=owner.tenant)
        edit = await signed_in.get(f"/console/guides/{view.summary.id}/edit")
        assert edit.status_code == 200 and view.summary.licence_no in edit.text
        form = new_guide_form(licence_no=view.summary.licence_no, name="李晓燕", status="left")
        answer = await multipart_post(signed_in, f"/console/guides/{view.summary.id}", form, {})
        assert answer.status_code == 303
        assert await service.registry_publisher(db, view.summary.licence_no) is None


async def _complaint(db, owner, guide_id):
    from modules.guides.schemas import ComplaintForm

    return await service.add_complaint(
        db,
        TenantId(owner.tenant.id),
        guide_id,
        ComplaintForm(description="行程中强制购物", group_no="CQ-1"),
        today=today(),
        actor=service.SYSTEM,
    )


class TestRecord:
    async def test_certificate_upload_download_and_delete(self, db, owner, signed_in):
        guide = (await make_guide(db, tenant=owner.tenant)).summary
        base = f"/console/guides/{guide.id}"
        answer = await multipart_post(
            signed_in,
            f"{base}/certificates",
            {"kind": "qualification", "number": "ZG-500-2019", "issued_on": "2019-06-01"},
            {"file": ("资格证.PDF", PDF, "application/pdf")},
        )
        assert answer.status_code == 303, answer.text
        page = await signed_in.get(base)
        link = re.search(r'href="(/console/guides/certificates/[0-9a-f-]+)"', page.text)
        assert link and "ZG-500-2019" in page.text
        download = await signed_in.get(link.group(1))
        assert download.status_code == 200 and download.content == PDF
        assert download.headers["content-type"] == "application/pdf"
        assert "attachment" in download.headers["content-disposition"]
        deleted = await form_post(signed_in, f"{link.group(1)}/delete", {})
        assert deleted.status_code == 303
        assert (await signed_in.get(link.group(1))).status_code == 404

    async def test_a_certificate_that_is_not_a_document_is_refused(self, db, owner, signed_in):
        guide = (await make_guide(db, tenant=owner.tenant)).summary
        answer = await multipart_post(
            signed_in,
            f"/console/guides/{guide.id}/certificates",
            {"kind": "qualification"},
            {"file": ("cert.pdf", b"#!/bin/sh\nrm -rf /\n", "application/pdf")},
        )
        assert answer.status_code == 422
        assert "文件必须是 PDF、JPEG、PNG 或 WebP 格式" in answer.text

    async def test_ratings_are_averaged_and_complaints_resolved(self, db, owner, client):
        manager = await make_staff(db, tenant=owner.tenant, role="manager")
        await sign_in(client, manager)
        guide = (await make_guide(db, tenant=owner.tenant)).summary
        base = f"/console/guides/{guide.id}"
        for score in ("5", "4"):
            answer = await form_post(
                client, f"{base}/ratings", {"score": score, "source": "survey", "comment": "好"}
            )
            assert answer.status_code == 303
        bad = await form_post(client, f"{base}/ratings", {"score": "9", "source": "survey"})
        assert bad.status_code == 422 and "请选择 1 到 5 星" in bad.text
        answer = await form_post(
            client, f"{base}/complaints", {"description": "讲解敷衍", "group_no": "CQ-9"}
        )
        assert answer.status_code == 303
        page = await client.get(base)
        assert "4.5" in page.text and "讲解敷衍" in page.text and "待处理" in page.text
        complaint_id = re.search(rf"{base}/complaints/([0-9a-f-]+)/resolve", page.text)
        assert complaint_id
        path = f"{base}/complaints/{complaint_id.group(1)}/resolve"
        empty = await form_post(client, path, {"resolution": " "})
        assert empty.status_code == 422
        done = await form_post(client, path, {"resolution": "已向游客致歉并退还讲解费"})
        assert done.status_code == 303
        page = await client.get(base)
        assert "已向游客致歉并退还讲解费" in page.text and "已结案" in page.text

    async def test_groups_led_are_listed(self, db, owner, signed_in):
        import uuid

        guide = (await make_guide(db, tenant=owner.tenant)).summary
        await service.assign_to_group(
            db,
            TenantId(owner.tenant.id),
            guide.id,
            group_id=uuid.uuid4(),
            group_no="CQ-20261210-08",
            from_date=today() + timedelta(days=5),
            to_date=today() + timedelta(days=7),
        )
        page = await signed_in.get(f"/console/guides/{guide.id}")
        assert "CQ-20261210-08" in page.text
