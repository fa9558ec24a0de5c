"""Tracking numbers and access codes.

A tracking number is 11 random Crockford base32 symbols (55 bits from ``secrets``) and one check
symbol: 12 characters, shown as ``XXXX-XXXX-XXXX``. The check symbol makes the weighted sum
``sum(alpha**i * v_i)`` over GF(32) vanish, ``i`` counted from the right. Every weight is a distinct
non-zero power of a primitive element, so a change of any one symbol changes the sum by
``alpha**i * e != 0`` and a swap of two symbols ``a != b`` at positions ``i != j`` by
``(alpha**i + alpha**j)(a + b) != 0``: every single-symbol error and every transposition
(adjacent or not) is detected. Crockford's own mod-37 check needs five extra symbols (``*~$=U``)
that are not readable aloud; this one stays inside the 32-symbol alphabet.

The access code is a second secret (16 symbols, 80 bits) given to the complainant once. Only its
hash is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from typing import Literal

__all__ = [
    "ACCESS_CODE_LENGTH",
    "ALPHABET",
    "TRACKING_NO_LENGTH",
    "TrackingNoProblem",
    "access_code_matches",
    "check_symbol",
    "derive_access_code",
    "format_code",
    "hash_access_code",
    "new_access_code",
    "new_tracking_no",
    "normalize",
    "parse_tracking_no",
    "tracking_no_problem",
]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
# Read-alikes people type for the symbols that are in the alphabet.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " \t\r\n-_.\u2010\u2011\u2012\u2013\u2014\u2212\u00a0\u3000")

RANDOM_LENGTH = 11
TRACKING_NO_LENGTH = RANDOM_LENGTH + 1
ACCESS_CODE_LENGTH = 16

# GF(2^5) with the primitive polynomial x^5 + x^2 + 1: tables of powers of alpha and their logs.
_EXP: list[int] = []
_LOG: dict[int, int] = {}
_x = 1
for _power in range(31):
    _EXP.append(_x)
    _LOG[_x] = _power
    _x <<= 1
    if _x & 0b100000:
        _x ^= 0b100101
del _x, _power


def _times_alpha_power(value: int, power: int) -> int:
    if value == 0:
        return 0
    return _EXP[(_LOG[value] + power) % 31]


def _weighted_sum(symbols: str, first_power: int) -> int:
    """XOR-sum of alpha**(first_power + i) * v_i, with i counted from the rightmost symbol."""
    total = 0
    for offset, symbol in enumerate(reversed(symbols)):
        total ^= _times_alpha_power(_VALUE[symbol], first_power + offset)
    return total


def check_symbol(body: str) -> str:
    """The check symbol to append to ``body`` (the symbols without their check)."""
    # The check sits at power 0 (weight 1), so it must equal the sum of the others at powers 1..n.
    return ALPHABET[_weighted_sum(body, 1)]


def _random_symbols(count: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(count))


def new_tracking_no() -> str:
    """A fresh tracking number in canonical form (12 symbols, no separators)."""
    body = _random_symbols(RANDOM_LENGTH)
    return body + check_symbol(body)


def normalize(text: str) -> str:
    """Canonical form of a code typed by a person: full-width to ASCII, separators dropped,
    upper case, and O/I/L read as 0/1."""
    return unicodedata.normalize("NFKC", text).translate(_SEPARATORS).upper().translate(_CONFUSABLE)


TrackingNoProblem = Literal["length", "symbol", "check"]


def tracking_no_problem(text: str) -> TrackingNoProblem | None:
    """What is wrong with a typed tracking number, so people are told what to look for: the wrong
    number of symbols, a symbol no number uses (U, punctuation), or, for twelve good symbols whose
    check fails, one symbol mistyped or two swapped. ``None`` when the number is valid."""
    candidate = normalize(text)
    if len(candidate) != TRACKING_NO_LENGTH:
        return "length"
    if any(symbol not in _VALUE for symbol in candidate):
        return "symbol"
    if _weighted_sum(candidate, 0) != 0:
        return "check"
    return None


def parse_tracking_no(text: str) -> str | None:
    """The canonical tracking number, or ``None`` when ``text`` is not a valid one."""
    return None if tracking_no_problem(text) else normalize(text)


def format_code(code: str) -> str:
    """Groups of four for people to read: ``7K3M-9QX2-HD4P``."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def new_access_code() -> str:
    return _random_symbols(ACCESS_CODE_LENGTH)


def derive_access_code(secret: str, seed: str) -> str:
    """An access code computed from a server secret and a seed (an idempotency key's hash), so that
    a retried submission gets the same code back without the code ever being stored."""
    digest = hmac.new(secret.encode(), b"access-code\x00" + seed.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:10], "big")  # 80 bits
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(ACCESS_CODE_LENGTH)))


def hash_access_code(tracking_no: str, access_code: str) -> str:
    # The code carries 80 random bits, so a fast hash is enough; the tracking number salts it.
    material = f"{tracking_no}:{normalize(access_code)}".encode()
    return hashlib.sha256(material).hexdigest()


def access_code_matches(tracking_no: str, access_code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_access_code(tracking_no, access_code), stored_hash)
