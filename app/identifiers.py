"""Check characters of Chinese identifiers (pure rules, shared by every module).

- Unified social credit code, GB 32100-2015 (with the embedded GB 11714 check).
- Resident ID number, GB 11643-1999 (ISO 7064 MOD 11-2).
"""

from __future__ import annotations

import re
from datetime import date

from app import clock

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$", re.ASCII)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """GB 11714 check of positions 9–16 of a credit code; letters use the full alphabet."""
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def normalize_uscc(code: str) -> str:
    return code.strip().upper().replace(" ", "")


def uscc_problem(code: str) -> str | None:
    """None when `code` is a valid 18-character credit code, else a short English reason
    (an msgid for the caller to translate)."""
    code = normalize_uscc(code)
    if len(code) != 18:
        return "A unified social credit code has 18 characters."
    if not _USCC_RE.match(code):
        return "The code contains characters a credit code cannot have."
    if code[17] != uscc_check_char(code[:17]):
        return "The check character does not match; please check the code."
    return None


def is_valid_uscc(code: str) -> bool:
    return uscc_problem(code) is None


def make_uscc(region: str, org_base8: str, *, dept: str = "9", kind: str = "1") -> str:
    """Build a valid code (demo data, tests): department, kind, 6-digit region, 8-char base."""
    org = org_base8 + org_code_check_char(org_base8)
    first17 = f"{dept}{kind}{region}{org}"
    return first17 + uscc_check_char(first17)


def id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def resident_id_problem(number: str) -> str | None:
    number = number.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number, re.ASCII):
        return "A resident ID number has 17 digits and a check digit or X."
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "The date of birth in the ID number is not a real date."
    if born.year < 1900 or born > clock.today():
        return "The date of birth in the ID number is not plausible."
    if number[17] != id_check_char(number[:17]):
        return "The check digit does not match; please check the number."
    return None


def is_valid_resident_id(number: str) -> bool:
    return resident_id_problem(number) is None
