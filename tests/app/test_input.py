"""The kernel's input rule: text cleaned or refused by field, numbers/money/dates read
from ASCII digits only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

import msgspec
import pytest

from app.errors import Invalid
from app.web.input import (
    Cleaned,
    Paragraph,
    Secret,
    Text,
    parse_int,
    read_date,
    read_fen,
    read_int,
)


@dataclass
class _Form(Cleaned):
    name: Annotated[str, Text(5)] = ""
    notes: Paragraph = ""
    password: Secret = ""
    tags: list[str] = field(default_factory=list)
    other: str = ""


def _errors(data: dict) -> dict[str, str]:
    with pytest.raises(Invalid) as refused:
        msgspec.convert(data, _Form, strict=False)
    return {e["field"]: e["message"] for e in refused.value.errors or []}


class TestText:
    def test_text_is_trimmed_and_passwords_are_kept_as_typed(self):
        form = msgspec.convert(
            {"name": " 李娜 ", "password": " pw ", "tags": [" a "]}, _Form, strict=False
        )
        assert (form.name, form.password, form.tags) == ("李娜", " pw ", ["a"])

    def test_nul_and_control_characters_are_refused_by_field(self):
        assert set(_errors({"name": "a\x00b", "other": "x\x1by", "tags": ["\x07"]})) == {
            "name",
            "other",
            "tags",
        }

    def test_line_breaks_only_in_multi_line_fields(self):
        assert set(_errors({"other": "a\nb"})) == {"other"}
        assert msgspec.convert({"notes": "a\r\nb\tc"}, _Form, strict=False).notes == "a\r\nb\tc"

    def test_every_field_has_a_maximum_length(self):
        assert set(_errors({"name": "x" * 6, "other": "x" * 201, "notes": "x" * 2001})) == {
            "name",
            "other",
            "notes",
        }
        assert msgspec.convert({"name": "😀" * 5}, _Form, strict=False).name == "😀" * 5


class TestNumbers:
    @pytest.mark.parametrize("text", ["²", "١٢", "１２", "1e3", "", " ", "NaN", "+1", "0x10"])
    def test_only_ascii_digits_are_integers(self, text):
        assert read_int(text) is None

    def test_integers_within_bounds(self):
        assert read_int(" 42 ") == 42 and read_int("-3") == -3
        assert read_int("7", maximum=6) is None
        assert parse_int("", "page", default=1) == 1
        with pytest.raises(Invalid) as refused:
            parse_int("²", "page", minimum=1, maximum=9)
        assert refused.value.errors[0]["field"] == "page"

    @pytest.mark.parametrize(
        ("text", "fen"),
        [("12", 1200), ("12.3", 1230), ("¥1,234.56", 123456), ("0.05", 5), ("12.345", None),
         ("NaN", None), ("Infinity", None), ("-1", None), ("1e3", None), ("１２", None)],
    )  # fmt: skip
    def test_money_is_read_as_text_into_fen(self, text, fen):
        assert read_fen(text) == fen

    def test_negative_money_only_when_asked(self):
        assert read_fen("-1.50", negative=True) == -150

    def test_dates_are_iso_in_ascii_digits(self):
        assert read_date("2026-12-24") == date(2026, 12, 24)
        assert read_date("２０２６-12-24") is None
        assert read_date("2026-02-30") is None
