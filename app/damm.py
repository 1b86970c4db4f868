"""The e-number's check character: a Damm check over a totally anti-symmetric
quasigroup of order 36, so one character of [0-9A-Z] catches every single substitution
and every adjacent transposition (see docs/contracts.md for why not ISO 7064 MOD 37,36).

Pure arithmetic; the contracts module builds and parses its e-numbers with it."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# The check character is a Damm check over a totally anti-symmetric quasigroup of order
# 36, built as the direct product GF(4) x GF(9) with x*y = a.x + y (a = w in GF(4), i in
# GF(9)). Unlike ISO 7064 MOD 37,36 (a hybrid system that lets ~0.2 % of adjacent
# transpositions through, e.g. ...786310... vs ...786301...), it catches EVERY single
# substitution and EVERY adjacent transposition, with a check character in [0-9A-Z].
_GF4_EXP = (1, 2, 3)
_GF4_LOG = {1: 0, 2: 1, 3: 2}
_A4 = 2  # w
_A9 = 3  # i (encoded as 3*im + re)


def _mul4(x: int, y: int) -> int:
    if x == 0 or y == 0:
        return 0
    return _GF4_EXP[(_GF4_LOG[x] + _GF4_LOG[y]) % 3]


def _mul9(x: int, y: int) -> int:
    """GF(9) = GF(3)[i]/(i²+1); an element is 3*im + re."""
    a, b = divmod(x, 3)
    c, d = divmod(y, 3)
    return ((b * c + a * d) % 3) * 3 + (b * d - a * c) % 3


def _add9(x: int, y: int) -> int:
    a, b = divmod(x, 3)
    c, d = divmod(y, 3)
    return ((a + c) % 3) * 3 + (b + d) % 3


def _neg9(x: int) -> int:
    a, b = divmod(x, 3)
    return ((-a) % 3) * 3 + (-b) % 3


def quasigroup(x: int, y: int) -> int:
    """The Damm operation on 0..35 (totally anti-symmetric: (c*x)*y == (c*y)*x only if x == y)."""
    x4, x9 = divmod(x, 9)
    y4, y9 = divmod(y, 9)
    return (_mul4(_A4, x4) ^ y4) * 9 + _add9(_mul9(_A9, x9), y9)


def _interim(chars: str) -> int:
    r = 0
    for c in chars:
        r = quasigroup(r, ALPHABET.index(c))
    return r


def check_char(data: str) -> str:
    """The character that brings the Damm interim of `data` + it back to zero."""
    r4, r9 = divmod(_interim(data), 9)
    return ALPHABET[_mul4(_A4, r4) * 9 + _neg9(_mul9(_A9, r9))]


def check_ok(data_with_check: str) -> bool:
    return _interim(data_with_check) == 0
