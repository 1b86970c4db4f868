"""Shared arrangements for front-desk tests."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from app.db.engine import TenantId
from tests.factories.tenants import Staff, make_tenant


@pytest.fixture
async def owner(db) -> Staff:  # type: ignore[no-untyped-def]
    return await make_tenant(db, name="重庆解放碑江景酒店")


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
