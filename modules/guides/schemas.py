"""What the guide archive hands to its pages and to other modules (contracts, groups),
and the forms its pages read. Other modules import these through
`modules.guides.service`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from litestar.datastructures import UploadFile

from app.web.input import Cleaned, Paragraph


@dataclass(frozen=True, slots=True)
class GuideSummary:
    """A guide as other modules see it (a contract's guide, a group's guide)."""

    id: uuid.UUID
    licence_no: str
    name: str
    level: str  # junior | intermediate | senior | master
    languages: tuple[str, ...]  # codes of domain.LANGUAGES
    licence_valid_until: date
    status: str  # active | left
    photo_url: str | None  # the staff console's photo URL, or None without a photo


@dataclass(frozen=True, slots=True)
class GuideView:
    """The whole archive card (console only: it has the phone number)."""

    summary: GuideSummary
    qualification_no: str | None
    affiliation: str | None
    phone: str | None
    notes: str | None
    licence_state: str  # valid | expiring | expired (domain.licence_state)
    unusual_licence: bool  # not the D-XXXX-XXXXXX shape; shown as a warning
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AssignmentView:
    id: uuid.UUID
    guide_id: uuid.UUID
    guide_name: str
    licence_no: str
    group_id: uuid.UUID
    group_no: str
    from_date: date
    to_date: date
    status: str  # active | released


@dataclass(frozen=True, slots=True)
class CertificateView:
    id: uuid.UUID
    guide_id: uuid.UUID
    kind: str
    number: str | None
    issued_on: date | None
    expires_on: date | None
    filename: str
    content_type: str
    size: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RatingView:
    id: uuid.UUID
    score: int
    comment: str | None
    source: str
    group_no: str | None
    rated_on: date


@dataclass(frozen=True, slots=True)
class ComplaintView:
    id: uuid.UUID
    received_on: date
    description: str
    group_no: str | None
    status: str
    resolution: str | None
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class GuideRecord:
    """The guide's record: groups led, certificates, ratings (with the average),
    complaints."""

    guide: GuideView
    assignments: tuple[AssignmentView, ...]
    certificates: tuple[CertificateView, ...]
    ratings: tuple[RatingView, ...]
    complaints: tuple[ComplaintView, ...]
    average_score: float | None
    open_complaints: int


@dataclass(frozen=True, slots=True)
class PublicGuide:
    """What anyone may see by licence number: nothing private (no phone, no ID number,
    no complaints, no employer's internal notes)."""

    licence_no: str
    name: str
    level: str
    languages: tuple[str, ...]
    licence_valid_until: date
    valid_today: bool
    agency_name: str
    affiliation: str | None
    photo_url: str | None


@dataclass(frozen=True, slots=True)
class Photo:
    data: bytes
    content_type: str
    token: str


@dataclass(frozen=True, slots=True)
class Download:
    data: bytes
    content_type: str
    filename: str


@dataclass
class GuideData:
    """A guide's fields as typed (strings from the form; the service parses them)."""

    licence_no: str = ""
    name: str = ""
    level: str = ""
    languages: list[str] = field(default_factory=list)
    licence_valid_until: str = ""
    qualification_no: str = ""
    affiliation: str = ""
    phone: str = ""
    status: str = "active"
    notes: str = ""
    accept_unusual_licence: bool = False


@dataclass
class GuideForm(Cleaned):
    """The create/edit form (multipart: it may carry the photo)."""

    licence_no: str = ""
    name: str = ""
    level: str = ""
    languages: list[str] | str | None = None
    licence_valid_until: str = ""
    qualification_no: str = ""
    affiliation: str = ""
    phone: str = ""
    status: str = "active"
    notes: Paragraph = ""
    accept_unusual_licence: str = ""
    photo: UploadFile | None = None

    def data(self) -> GuideData:
        languages = self.languages or []
        return GuideData(
            licence_no=self.licence_no,
            name=self.name,
            level=self.level,
            languages=[languages] if isinstance(languages, str) else list(languages),
            licence_valid_until=self.licence_valid_until,
            qualification_no=self.qualification_no,
            affiliation=self.affiliation,
            phone=self.phone,
            status=self.status or "active",
            notes=self.notes,
            accept_unusual_licence=bool(self.accept_unusual_licence),
        )


@dataclass
class CertificateForm(Cleaned):
    kind: str = ""
    number: str = ""
    issued_on: str = ""
    expires_on: str = ""
    file: UploadFile | None = None


@dataclass
class RatingForm(Cleaned):
    score: str = ""
    comment: Paragraph = ""
    source: str = ""
    group_no: str = ""
    rated_on: str = ""


@dataclass
class ComplaintForm(Cleaned):
    received_on: str = ""
    description: Paragraph = ""
    group_no: str = ""


@dataclass
class ResolveForm(Cleaned):
    resolution: Paragraph = ""
