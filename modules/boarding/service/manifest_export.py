"""The manifest as the line's own documents: a CSV for spreadsheets and a printable PDF
(A4 landscape, a header with the voyage, page numbers), both with full ID numbers: the
maritime authority and the ship's master need the real names and numbers. Only pursers may
export (the route's guard), and every export is recorded in the enterprise's audit log."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.documents.pdf import render_html, render_pdf
from app.i18n import gettext as _
from modules.boarding.schemas.manifest import (
    ID_TYPE_LABELS,
    SEX_LABELS,
    STATUS_LABELS,
    Manifest,
    ManifestExport,
    ManifestPassenger,
)
from modules.boarding.service.manifest import get_manifest
from tenants.service import record_audit, tenant_settings

__all__ = ["MANIFEST_COLUMNS", "manifest_csv", "manifest_pdf"]

# The CSV's columns (English msgids; the file carries the line's language).
MANIFEST_COLUMNS = (
    "Cabin",
    "Name",
    "Sex",
    "Date of birth",
    "Age",
    "Child",
    "ID type",
    "ID number",
    "Phone",
    "Emergency contact",
    "Emergency phone",
    "Boarding port",
    "Pre-checked-in",
    "Aboard",
    "Status",
)
PDF_CSS = "@page { size: A4 landscape; margin: 12mm 10mm 14mm; }"
# A cell a spreadsheet would run as a formula is written as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _yes(flag: bool) -> str:
    return _("Yes") if flag else _("No")


def _row(p: ManifestPassenger) -> list[str]:
    cells = [
        p.cabin_number,
        p.name,
        _(SEX_LABELS.get(p.sex, p.sex)) if p.sex else "",
        p.birth_date.isoformat(),
        str(p.age),
        _yes(p.is_child),
        _(ID_TYPE_LABELS.get(p.id_type, p.id_type)),
        p.id_number,
        p.phone,
        p.emergency_name,
        p.emergency_phone,
        p.boarding_port_name,
        _yes(p.checked_in),
        _yes(p.aboard),
        _(STATUS_LABELS.get(p.status, p.status)),
    ]
    return [_cell(c) for c in cells]


async def _audit(
    db: AsyncSession, tenant_id: TenantId, manifest: Manifest, kind: str, actor: Actor
) -> None:
    await record_audit(
        db,
        tenant_id,
        "boarding.manifest_exported",
        actor_user_id=actor.user_id,
        actor_api_key_id=actor.api_key_id,
        subject_type="boarding_voyage",
        subject_id=manifest.voyage.id,
        data={"format": kind, "passengers": manifest.shown, "voyage": manifest.voyage.number},
        ip=actor.ip,
    )


def _name(manifest: Manifest, ext: str) -> str:
    return f"manifest-{manifest.voyage.number or manifest.voyage.id}.{ext}"


async def manifest_csv(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID, *, actor: Actor
) -> ManifestExport:
    """Every passenger of the voyage (cancelled ones too, with their status), full ID
    numbers, UTF-8 with a BOM so spreadsheet programs read the Chinese."""
    manifest = await get_manifest(db, tenant_id, voyage_id)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_(c) for c in MANIFEST_COLUMNS])
    for cabin in manifest.cabins:
        for p in cabin.passengers:
            writer.writerow(_row(p))
    await _audit(db, tenant_id, manifest, "csv", actor)
    return ManifestExport(_name(manifest, "csv"), out.getvalue().encode(), "text/csv")


async def manifest_pdf(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID, *, actor: Actor
) -> ManifestExport:
    """The printable manifest: the voyage's live passengers by cabin, with the count per
    boarding port."""
    manifest = await get_manifest(db, tenant_id, voyage_id, live_only=True)
    line = await tenant_settings(db, tenant_id)
    html = render_html(
        "boarding/manifest/pdf/manifest.html",
        manifest=manifest,
        line=line,
        printed_at=clock.now(),
        tz=manifest.voyage.tz,
        id_types=ID_TYPE_LABELS,
        sexes=SEX_LABELS,
    )
    pdf = await asyncio.to_thread(render_pdf, html, extra_css=PDF_CSS)
    await _audit(db, tenant_id, manifest, "pdf", actor)
    return ManifestExport(_name(manifest, "pdf"), pdf, "application/pdf")
