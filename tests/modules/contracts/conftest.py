"""Shared arrangements for contracts tests: an agency with a credit code, registered
with the bureau (so filings get their bodies sealed at once)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from app.db.engine import TenantId
from tests.factories.contracts import make_agency
from tests.factories.filings import make_registration
from tests.factories.tenants import Staff


@pytest.fixture
async def owner(db) -> Staff:  # type: ignore[no-untyped-def]
    staff = await make_agency(db, name="重庆巴渝测试旅行社")
    await make_registration(db, tenant=staff.tenant, district_code="500105")
    return staff


@pytest.fixture
def tid(owner: Staff) -> TenantId:
    return TenantId(owner.tenant.id)


def pdf_text(pdf: bytes) -> str:
    """The text a PDF reader extracts (pdftotext from poppler-utils)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")
