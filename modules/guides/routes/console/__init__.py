"""The guide archive in the console: the list, the card and the guide page (guides), and
the guide's record (records: certificates, ratings, complaints)."""

from typing import Any

from modules.guides.routes.console import guides, records

ROUTES: list[Any] = [
    guides.GuidesController,
    records.GuideRecordsController,
    records.CertificatesController,
]
