"""Pure rules of travel contracts: e-numbers and their check character, the cancellation
scale of GF-2014-2401 (REFERENCE §1.4), and what Tourism Law Art. 58–60 require before a
contract may be signed.

Nothing here touches the database, so every rule has a plain unit test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from app.damm import ALPHABET as ALPHABET
from app.damm import check_char as check_char
from app.damm import check_ok as check_ok
from app.damm import quasigroup as quasigroup
from app.enums import LabelledEnum
from app.identifiers import resident_id_problem


class ContractStatus(LabelledEnum):
    """Where a contract is in its life; labels as the console shows them."""

    DRAFT = "draft", "Draft"
    AWAITING_TOURIST = "awaiting_tourist", "Waiting for the tourist"
    AWAITING_AGENCY = "awaiting_agency", "Waiting for countersigning"
    SIGNED = "signed", "Signed"
    CANCELLED = "cancelled", "Terminated"


# --- e-numbers ---------------------------------------------------------------------------
E_NUMBER_RE = re.compile(r"^([0-9A-Z]{9})-(\d{4})-(\d{6})-([0-9A-Z])$", re.ASCII)
# The bureau's own rule for an e-number (it travels in URL paths).
BUREAU_E_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_SEQUENCE = 999_999


@dataclass(frozen=True, slots=True)
class EN:
    """A contract's electronic number: `<org9>-<YYYY>-<seq6>-<check>`."""

    org: str
    year: int
    sequence: int
    check: str

    def __str__(self) -> str:
        return f"{self.org}-{self.year:04d}-{self.sequence:06d}-{self.check}"


def org_code(enterprise_code: str | None) -> str | None:
    """Characters 9–17 of the 18-character credit code: the organisation code the
    e-number carries, so a public look-up finds the agency from the number alone."""
    code = (enterprise_code or "").strip().upper()
    if len(code) != 18 or not all(c in ALPHABET for c in code[8:17]):
        return None
    return code[8:17]


def make_e_number(org: str, year: int, sequence: int) -> EN:
    if not (1 <= sequence <= MAX_SEQUENCE) or not (1000 <= year <= 9999):
        raise ValueError("sequence or year out of range")
    if len(org) != 9 or not all(c in ALPHABET for c in org):
        raise ValueError("organisation code must be 9 characters of [0-9A-Z]")
    data = f"{org}{year:04d}{sequence:06d}"
    return EN(org, year, sequence, check_char(data))


def normalise_e_number(text: str) -> str:
    """What a person typed, as we store it: upper case, no spaces (also full-width ones)."""
    return re.sub(r"\s+", "", text or "").upper().replace("－", "-")


def parse_e_number(text: str) -> EN | None:
    """The e-number, or None when the format or the check character is wrong: a mistyped
    number is refused before anything is looked up."""
    m = E_NUMBER_RE.match(normalise_e_number(text))
    if m is None:
        return None
    org, year, seq, check = m.groups()
    if int(seq) == 0 or not check_ok(f"{org}{year}{seq}{check}"):
        return None
    return EN(org, int(year), int(seq), check)


# --- cancellation scale (GF-2014-2401 第十二、十三、十五、十七条) ------------------------


class Canceller(StrEnum):
    TOURIST = "tourist"  # the tourist cancels (or a no-show)
    AGENCY_CONDUCT = "agency_conduct"  # the agency cancels for the tourist's conduct (Art. 66)
    AGENCY_MIN_GROUP = "agency_min_group"  # the agency cancels: too few tourists (Art. 63)


CANCELLERS = tuple(c.value for c in Canceller)
CANCELLER_LABELS = {
    "tourist": "The tourist cancels",
    "agency_conduct": "The agency cancels for the tourist's conduct",
    "agency_min_group": "The agency cancels: minimum group size not reached",
}
IN_TRIP_DAY_RATE_BP = 6000


def tourist_rate_bp(days_before: int) -> int:
    """Share of the price the tourist bears, in basis points: ≥7 days 0, 6–4 days 20 %,
    3–1 days 40 %, on the start day 60 %. "7日以上" includes day 7."""
    if days_before >= 7:
        return 0
    if days_before >= 4:
        return 2000
    if days_before >= 1:
        return 4000
    return IN_TRIP_DAY_RATE_BP


def agency_penalty_bp(days_before: int) -> int:
    """Penalty the agency pays when it cancels for too few tourists: ≥7 days none,
    6–4 days 10 %, 3–1 days 15 %, on the start day 20 %."""
    if days_before >= 7:
        return 0
    if days_before >= 4:
        return 1000
    if days_before >= 1:
        return 1500
    return 2000


def _share(total_fen: int, bp: int) -> int:
    """total × bp / 10000, rounded half up, in whole fen."""
    return (total_fen * bp + 5000) // 10000


@dataclass(frozen=True, slots=True)
class Refund:
    days_before: int  # start date − notice date, calendar days (negative: during the trip)
    rate_bp: int  # tourist's share (deduction) or agency's penalty rate
    deduction_fen: int  # what the tourist bears
    penalty_fen: int  # what the agency pays on top of the refund
    refund_fen: int  # what goes back to the tourist


def refund_for(
    canceller: Canceller | str,
    *,
    price_fen: int,
    start: date,
    notice: date,
    trip_days: int,
    actual_cost_fen: int | None = None,
) -> Refund:
    """The refund when a contract is cancelled, from the standard scale.

    A tourist (or the agency for the tourist's conduct) bears the scale's share; during
    the trip, 60 % plus the rest pro rata for the days travelled. Costs actually incurred
    that exceed the share replace it, never beyond the price. An agency cancelling for
    too few tourists refunds everything plus its penalty."""
    days = (start - notice).days
    if Canceller(canceller) is Canceller.AGENCY_MIN_GROUP:
        bp = agency_penalty_bp(max(days, 0))
        penalty = _share(price_fen, bp)
        return Refund(days, bp, 0, penalty, price_fen + penalty)
    if days >= 0:
        bp = tourist_rate_bp(days)
        deduction = _share(price_fen, bp)
    else:
        bp = IN_TRIP_DAY_RATE_BP
        base = _share(price_fen, bp)
        travelled = min(-days, max(trip_days, 1))
        deduction = base + (price_fen - base) * travelled // max(trip_days, 1)
    if actual_cost_fen is not None and actual_cost_fen > deduction:
        deduction = actual_cost_fen
    deduction = min(deduction, price_fen)
    return Refund(days, bp, deduction, 0, price_fen - deduction)


def refund_due_by(notice: date, working_days: int = 5) -> date:
    """The refund (and any penalty) is due within 5 working days of the day the notice
    arrived (model text Art. 15 and 17). Weekends are skipped; public holidays and the
    make-up working days around them are not modelled."""
    day, left = notice, working_days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


# --- what a contract must say before it may be signed (Tourism Law Art. 58–61) -------------

CONTRACT_TYPES = ("domestic_group", "outbound_group", "day_tour", "domestic_independent")
CONTRACT_TYPE_LABELS = {
    "domestic_group": "Domestic group tour",
    "outbound_group": "Outbound group tour",
    "day_tour": "Day tour",
    "domestic_independent": "Domestic independent tour",
}
GROUP_TYPES = frozenset({"domestic_group", "outbound_group", "day_tour"})
ID_TYPES = ("resident_id", "passport", "hk_macau_permit", "taiwan_permit", "other")
ID_TYPE_LABELS = {
    "resident_id": "Resident ID card",
    "passport": "Passport",
    "hk_macau_permit": "Mainland travel permit (HK/Macau)",
    "taiwan_permit": "Mainland travel permit (Taiwan)",
    "other": "Other document",
}
INSURANCE_CHOICES = ("agency", "self", "declined")
INSURANCE_LABELS = {
    "agency": "Bought through the agency",
    "self": "Bought by the tourist",
    "declined": "Declined by the tourist",
}
DISPUTE_CHOICES = ("arbitration", "court")
DISPUTE_LABELS = {
    "arbitration": "Arbitration commission",
    "court": "People's court",
}
# 《行程单》 must not use these vague phrases (GF-2014-2401 第二条).
VAGUE_WORDS = re.compile(r"准.{0,2}星|豪华|仅供参考|以.{1,12}为准|与.{1,12}同级")


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    id_type: str
    id_number: str
    phone: str = ""
    is_lead: bool = False


@dataclass(frozen=True, slots=True)
class Day:
    day_no: int
    route: str = ""  # places of the day: "重庆→武隆"
    sights: str = ""  # sights with minimum times
    transport: str = ""
    lodging: str = ""
    meals: str = ""
    free_time: str = ""


@dataclass(frozen=True, slots=True)
class Terms:
    """Everything a contract says: what the checklist, the document and the filing read."""

    contract_type: str
    agency_name: str
    agency_licence_no: str
    agency_address: str
    agency_phone: str
    tourists: tuple[Person, ...]
    lead_phone: str
    lead_email: str
    route_name: str
    departure: str
    destinations: tuple[str, ...]
    start_date: date | None
    end_date: date | None
    nights: int | None
    days: tuple[Day, ...]
    min_group_size: int | None
    transport_standard: str
    lodging_standard: str
    meal_standard: str
    free_time: str
    price_total_fen: int | None
    payment_deadline: date | None
    payment_method: str
    insurance: str
    insurer: str
    policy_no: str
    dispute_resolution: str
    dispute_body: str
    selling_agency: str
    ground_operator: str
    guide_count: int
    guide_fee_fen: int | None
    other_terms: str

    @property
    def trip_days(self) -> int | None:
        if self.start_date and self.end_date and self.end_date >= self.start_date:
            return (self.end_date - self.start_date).days + 1
        return None

    @property
    def lead(self) -> Person | None:
        return next((p for p in self.tourists if p.is_lead), None)


# The Art. 58–60 checklist: key → English msgid shown to staff.
CHECKLIST = {
    "agency": "Agency details: name, licence number, address and phone (Art. 58-1)",
    "tourists": "Tourists with names and valid ID documents, a lead with a phone (Art. 58-1)",
    "itinerary": "Itinerary: dates, departure, destinations, one row per day (Art. 58-2, Art. 59)",
    "min_group_size": "Minimum group size (Art. 58-3)",
    "standards": "Transport, lodging and meal arrangements and standards (Art. 58-4)",
    "sights": "Sightseeing items with their times, on every day (Art. 58-5)",
    "free_time": "Free time (Art. 58-6)",
    "price": "Price with payment deadline and method (Art. 58-7)",
    "liability": "Liability for breach and dispute resolution (Art. 58-8)",
    "insurance": "Personal accident insurance choice (Art. 61)",
    "selling_agency": "The selling agency, when sold through an agent (Art. 60)",
    "ground_operator": "The ground operator, when reception is delegated (Art. 60)",
    "guide_fee": "The guide service fee, when a guide is provided (Art. 60)",
    "vague_words": "No vague wording such as 豪华, 准四星, 仅供参考 (GF-2014-2401 Art. 2)",
}


@dataclass(frozen=True, slots=True)
class CheckItem:
    key: str
    label: str
    ok: bool
    applies: bool = True


def _tourists_ok(t: Terms) -> bool:
    if not t.tourists or t.lead is None or not t.lead_phone.strip():
        return False
    for p in t.tourists:
        if not p.name.strip() or id_problem(p.id_type, p.id_number) is not None:
            return False
    return True


def _itinerary_ok(t: Terms) -> bool:
    days = t.trip_days
    return (
        days is not None
        and bool(t.departure.strip())
        and bool(t.destinations)
        and len(t.days) == days
        and sorted(d.day_no for d in t.days) == list(range(1, days + 1))
        and all(d.route.strip() for d in t.days)
    )


def _standards_ok(t: Terms) -> bool:
    lodging = bool(t.lodging_standard.strip()) or (t.nights or 0) == 0
    return bool(t.transport_standard.strip()) and bool(t.meal_standard.strip()) and lodging


def _vague(t: Terms) -> bool:
    texts = [t.transport_standard, t.lodging_standard, t.meal_standard]
    texts += [f"{d.transport} {d.lodging} {d.meals} {d.sights}" for d in t.days]
    return any(VAGUE_WORDS.search(x) for x in texts)


def checklist(t: Terms, *, sold_by_agent: bool, delegated: bool) -> list[CheckItem]:
    """Every item Tourism Law Art. 58 (and 60, 61) requires, with whether it is there."""
    insurance_ok = t.insurance in INSURANCE_CHOICES and (
        t.insurance != "agency" or bool(t.insurer.strip() and t.policy_no.strip())
    )
    items = [
        ("agency", all(x.strip() for x in (t.agency_name, t.agency_licence_no,
                                              t.agency_address, t.agency_phone)), True),
        ("tourists", _tourists_ok(t), True),
        ("itinerary", _itinerary_ok(t), True),
        ("min_group_size", (t.min_group_size or 0) >= 1, t.contract_type in GROUP_TYPES),
        ("standards", _standards_ok(t), True),
        ("sights", bool(t.days) and all(d.sights.strip() for d in t.days), True),
        ("free_time", bool(t.free_time.strip()), True),
        ("price", (t.price_total_fen or 0) > 0 and t.payment_deadline is not None
         and bool(t.payment_method.strip()), True),
        ("liability", t.dispute_resolution in DISPUTE_CHOICES and bool(t.dispute_body.strip()),
         True),
        ("insurance", insurance_ok, True),
        ("selling_agency", bool(t.selling_agency.strip()), sold_by_agent),
        ("ground_operator", bool(t.ground_operator.strip()), delegated),
        ("guide_fee", t.guide_fee_fen is not None and t.guide_fee_fen >= 0, t.guide_count > 0),
        ("vague_words", not _vague(t), True),
    ]  # fmt: skip
    return [
        CheckItem(key, CHECKLIST[key], ok or not applies, applies) for key, ok, applies in items
    ]


def missing(items: list[CheckItem]) -> list[CheckItem]:
    return [i for i in items if not i.ok]


def id_problem(id_type: str, id_number: str) -> str | None:
    """None when the document number is acceptable for its type (resident IDs by their
    GB 11643 check digit), else an English msgid."""
    if id_type not in ID_TYPES:
        return "Choose the kind of ID document."
    number = id_number.strip().upper()
    if not number:
        return "Enter the document number."
    if id_type == "resident_id":
        return resident_id_problem(number)
    if not re.fullmatch(r"[A-Z0-9]{5,20}", number):
        return "A document number has 5 to 20 letters and digits."
    return None


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: enough for the holder to recognise, not to identify."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "****"


_YUAN = re.compile(r"^(\d{1,9})(?:\.(\d{1,2}))?$", re.ASCII)


def parse_yuan(text: str | None) -> int | None:
    """Fen from what an agent types ("3980", "3,980.50", "¥3980"); None when it is not
    money. Floats never touch it."""
    if text is None:
        return None
    match = _YUAN.match(re.sub(r"[\s¥￥,，]", "", text))
    if not match:
        return None
    whole, frac = match.groups()
    return int(whole) * 100 + int((frac or "0").ljust(2, "0"))
