"""Money is integer fen. Formatting for people is `¥1,234.50`."""

from __future__ import annotations


def format_fen(amount_fen: int, currency: str = "CNY") -> str:
    sign = "-" if amount_fen < 0 else ""
    yuan, fen = divmod(abs(int(amount_fen)), 100)
    symbol = "¥" if currency == "CNY" else f"{currency} "
    return f"{sign}{symbol}{yuan:,}.{fen:02d}"
