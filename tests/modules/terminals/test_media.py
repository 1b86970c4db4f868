"""Videos: staff upload a film (checked by its bytes) with a poster; terminals stream it
with HTTP range requests so the player can seek (206 with Content-Range, 416 beyond the
end, Accept-Ranges: bytes)."""

from __future__ import annotations

import pytest

from app.db.engine import TenantId
from modules.terminals import domain, service
from tests.factories.tenants import make_tenant
from tests.factories.terminals import MP4, PNG, make_device, make_video, use_terminal
from tests.helpers import csrf, sign_in


@pytest.fixture(autouse=True)
def media_dir(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "data_dir", tmp_path)
    return tmp_path / "media"


async def _terminal_with_video(client, db):
    owner = await make_tenant(db)
    video_id = await make_video(db, tenant=owner.tenant)
    use_terminal(client, await make_device(db, tenant=owner.tenant))
    return owner, f"/terminal/videos/{video_id}/stream"


class TestRanges:
    async def test_without_a_range_the_whole_film_comes_with_accept_ranges(self, client, db):
        _, url = await _terminal_with_video(client, db)
        r = await client.get(url)
        assert r.status_code == 200
        assert r.content == MP4
        assert r.headers["accept-ranges"] == "bytes"
        assert r.headers["content-type"] == "video/mp4"

    async def test_a_range_answers_206_with_exactly_those_bytes(self, client, db):
        _, url = await _terminal_with_video(client, db)
        r = await client.get(url, headers={"range": "bytes=100-199"})
        assert r.status_code == 206
        assert r.content == MP4[100:200]
        assert r.headers["content-range"] == f"bytes 100-199/{len(MP4)}"
        assert r.headers["content-length"] == "100"

    async def test_open_ended_and_suffix_ranges(self, client, db):
        _, url = await _terminal_with_video(client, db)
        tail = await client.get(url, headers={"range": f"bytes={len(MP4) - 10}-"})
        assert tail.status_code == 206 and tail.content == MP4[-10:]
        suffix = await client.get(url, headers={"range": "bytes=-5"})
        assert suffix.status_code == 206 and suffix.content == MP4[-5:]
        past = await client.get(url, headers={"range": f"bytes=0-{len(MP4) * 2}"})
        assert past.status_code == 206 and past.content == MP4

    async def test_a_range_beyond_the_end_answers_416(self, client, db):
        _, url = await _terminal_with_video(client, db)
        r = await client.get(url, headers={"range": f"bytes={len(MP4)}-"})
        assert r.status_code == 416
        assert r.headers["content-range"] == f"bytes */{len(MP4)}"

    async def test_a_malformed_range_is_ignored_and_the_whole_film_sent(self, client, db):
        _, url = await _terminal_with_video(client, db)
        r = await client.get(url, headers={"range": "bytes=abc"})
        assert r.status_code == 200 and r.content == MP4


class TestParseRange:
    def test_rules(self):
        assert domain.parse_range(None, 10) is None
        assert domain.parse_range("bytes=2-4", 10) == domain.ByteRange(2, 4)
        assert domain.parse_range("bytes=-3", 10) == domain.ByteRange(7, 9)
        assert domain.parse_range("bytes=5-2", 10) is None
        assert domain.parse_range("bytes=0-1,4-5", 10) is None  # multiple: whole file
        with pytest.raises(domain.RangeNotSatisfiable):
            domain.parse_range("bytes=10-", 10)
        with pytest.raises(domain.RangeNotSatisfiable):
            domain.parse_range("bytes=-0", 10)


class TestUpload:
    async def test_an_uploaded_film_is_stored_on_disk_and_plays_on_the_terminal(
        self, client, db, media_dir
    ):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        token = await csrf(client)
        r = await client.post(
            "/console/terminals/videos",
            data={"_csrf_token": token, "title": "两江夜游", "description": "朝天门出发"},
            files={"file": ("night.mp4", MP4, "video/mp4"), "poster": ("p.png", PNG, "image/png")},
        )
        assert r.status_code == 303, r.text
        (video,) = await service.list_videos(db, TenantId(owner.tenant.id))
        assert video.size_bytes == len(MP4) and video.has_poster
        assert (media_dir / str(owner.tenant.id) / f"{video.id}.mp4").read_bytes() == MP4
        use_terminal(client, await make_device(db, tenant=owner.tenant))
        assert "两江夜游" in (await client.get("/terminal/videos")).text
        page = await client.get(f"/terminal/videos/{video.id}")
        assert f"/terminal/videos/{video.id}/stream" in page.text
        assert (await client.get(f"/terminal/videos/{video.id}/poster")).content == PNG

    async def test_a_file_that_is_not_a_video_is_refused_and_nothing_kept(
        self, client, db, media_dir
    ):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        token = await csrf(client)
        r = await client.post(
            "/console/terminals/videos",
            data={"_csrf_token": token, "title": "假视频"},
            files={"file": ("fake.mp4", b"MZ\x90\x00 not a film", "video/mp4")},
        )
        assert r.status_code == 422
        assert "不是 MP4 或 WebM 视频" in r.text
        assert await service.list_videos(db, TenantId(owner.tenant.id)) == []
        assert not any(media_dir.rglob("*.*"))

    async def test_deleting_a_video_removes_its_file(self, client, db, media_dir):
        owner = await make_tenant(db)
        video_id = await make_video(db, tenant=owner.tenant)
        path = media_dir / str(owner.tenant.id) / f"{video_id}.mp4"
        assert path.exists()
        await sign_in(client, owner)
        token = await csrf(client)
        r = await client.post(
            f"/console/terminals/videos/{video_id}/delete", data={"_csrf_token": token}
        )
        assert r.status_code == 303 and not path.exists()
