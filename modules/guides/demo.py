"""The demo agency's guide archive (`make run`, never production).

Five guides of 巴渝旅行社 with Chongqing licence numbers (`D-5000-…`, REFERENCE §3),
levels, languages and photos (placeholder portraits drawn here as real PNGs), a
qualification certificate, tourists' ratings and two complaints (one resolved). One
licence expires within the month and one has expired, so the console's badge and the
"expired guide cannot be assigned" refusal can be seen at once. Idempotent: once the
agency has any guide nothing changes.

Licence numbers are derived from the tenant id: the registry is platform-wide, so two
demo agencies (tests build several) must not claim the same numbers.
"""

from __future__ import annotations

import logging
import struct
import uuid
import zlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from modules.guides import domain, service
from modules.guides.repository import GuidesRepository
from modules.guides.schemas import CertificateForm, ComplaintForm, GuideData, RatingForm

log = logging.getLogger("zhilv.guides")


@dataclass(frozen=True)
class DemoGuide:
    name: str
    level: str
    languages: tuple[str, ...]
    valid_days: int  # licence valid this many days from today (negative: expired)
    colour: tuple[int, int, int]
    affiliation: str | None = None
    ratings: tuple[tuple[int, str], ...] = ()


GUIDES = (
    DemoGuide(
        "黄磊",
        "senior",
        ("mandarin", "english", "chongqing"),
        700,
        (70, 110, 160),
        ratings=((5, "讲解生动，对洪崖洞历史如数家珍"), (5, "很负责，照顾老人"), (4, "")),
    ),
    DemoGuide(
        "周婷",
        "intermediate",
        ("mandarin", "japanese"),
        420,
        (170, 90, 110),
        ratings=((5, "日语讲解很流利"), (4, "行程安排合理")),
    ),
    DemoGuide(
        "陈志强",
        "master",
        ("mandarin", "english", "french"),
        950,
        (90, 140, 100),
        affiliation="重庆市导游服务中心",
        ratings=((5, "大足石刻讲得太精彩了"),),
    ),
    DemoGuide("王雪梅", "junior", ("mandarin", "chongqing"), 20, (200, 150, 70)),
    DemoGuide("李婷", "junior", ("mandarin", "korean"), -12, (120, 120, 130)),
)


def licence_no(tenant_id: TenantId, index: int) -> str:
    base = int(tenant_id.hex[-8:], 16) % 9000 + 1000
    return f"D-5000-{base:04d}{index + 11:02d}"


def portrait(colour: tuple[int, int, int], width: int = 150, height: int = 200) -> bytes:
    """A placeholder portrait: head and shoulders on a coloured ground, as a real PNG."""
    light = tuple(min(255, c + 120) for c in colour)
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            head = (x - width / 2) ** 2 + (y - height * 0.38) ** 2 <= (width * 0.2) ** 2
            body = ((x - width / 2) / (width * 0.42)) ** 2 + (
                (y - height * 1.02) / (height * 0.38)
            ) ** 2 <= 1
            row += bytes(light if head or body else colour)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def certificate_pdf(number: str) -> bytes:
    """A one-page PDF standing in for a scanned qualification certificate."""
    text = f"BT /F1 18 Tf 60 760 Td (Guide qualification certificate {number}) Tj ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


async def _record(db: AsyncSession, tid: TenantId, guide_id: uuid.UUID, g: DemoGuide) -> None:
    today = domain.business_date(clock.DEFAULT_TZ)
    for days_ago, (score, comment) in enumerate(g.ratings, start=3):
        form = RatingForm(
            score=str(score),
            comment=comment,
            source="survey",
            rated_on=(today - timedelta(days=days_ago * 9)).isoformat(),
        )
        await service.add_rating(db, tid, guide_id, form, today=today, actor=service.SYSTEM)


async def _extras(db: AsyncSession, tid: TenantId, ids: list[uuid.UUID]) -> None:
    """A certificate for the first guide, a resolved complaint for the third and an
    open one for the second."""
    today = domain.business_date(clock.DEFAULT_TZ)
    number = "ZG5019000731"
    await service.add_certificate(
        db,
        tid,
        ids[0],
        CertificateForm(kind="qualification", number=number, issued_on="2019-07-20"),
        filename="导游资格证书.pdf",
        data=certificate_pdf(number),
        actor=service.SYSTEM,
    )
    open_one = ComplaintForm(
        received_on=(today - timedelta(days=4)).isoformat(),
        description="游客反映自由活动时间比合同约定少了半小时。",
        group_no="BY-DEMO-0917",
    )
    await service.add_complaint(db, tid, ids[1], open_one, today=today, actor=service.SYSTEM)
    closed = await service.add_complaint(
        db,
        tid,
        ids[2],
        ComplaintForm(
            received_on=(today - timedelta(days=40)).isoformat(),
            description="集合时间通知不清，两位游客错过了观景台。",
            group_no="BY-DEMO-0812",
        ),
        today=today,
        actor=service.SYSTEM,
    )
    await service.resolve_complaint(
        db,
        tid,
        ids[2],
        closed.id,
        resolution="已向游客致歉并补游观景台，导游集合通知改为书面发送。",
        actor=service.SYSTEM,
    )


async def seed_demo(db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...]) -> None:
    """Guides for an agency; nothing for other kinds or once guides exist."""
    if "agency" not in kinds or await GuidesRepository(db, tenant_id).guides():
        return
    today = domain.business_date(clock.DEFAULT_TZ)
    ids: list[uuid.UUID] = []
    for index, g in enumerate(GUIDES):
        data = GuideData(
            licence_no=licence_no(tenant_id, index),
            name=g.name,
            level=g.level,
            languages=list(g.languages),
            licence_valid_until=(today + timedelta(days=g.valid_days)).isoformat(),
            affiliation=g.affiliation or "",
            phone=f"1390236{index:04d}",
        )
        view = await service.create_guide(
            db, tenant_id, data, today=today, actor=service.SYSTEM, photo=portrait(g.colour)
        )
        ids.append(view.summary.id)
        await _record(db, tenant_id, view.summary.id, g)
    await _extras(db, tenant_id, ids)
    log.info("demo guides seeded", extra={"tenant_id": str(tenant_id), "guides": len(ids)})
