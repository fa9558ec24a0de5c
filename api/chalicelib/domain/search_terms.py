"""What an officer typed into the console's search box, read as the identifiers it can be.

People type a tracking number as it is printed or as they heard it on the phone (``7k3m 9qx2
hd4p``), a phone number with spaces, dashes or +86, an e-mail address in any case, a credit code in
groups, or a name or organisation as the complainant wrote it. Each reading has one normal form, the
same one cases are indexed under (services/identity_keys.py), so a search finds exactly what was
stored whatever the spelling on either side.

A valid tracking number (its check symbol holds) is only that; otherwise every identifier the text
could be is tried: an e-mail address (it has an @), a phone number, a credit code (its check
character holds), and otherwise a person's or an organisation's name.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from msgspec import Struct

from .complaint import normalize_credit_code, normalize_email, normalize_phone
from .errors import InvalidInputError
from .messages import Message
from .tracking import parse_tracking_no

__all__ = [
    "MAX_QUERY_LENGTH",
    "IdentifierKind",
    "SearchTerm",
    "SearchTerms",
    "normalize_name",
    "read_search",
]

IdentifierKind = Literal["phone", "email", "credit_code", "name", "organization"]

MAX_QUERY_LENGTH = 200

# Every kind of space (ASCII, ideographic U+3000, no-break) and the zero-width ones people paste.
_SPACES = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")


def normalize_name(raw: str) -> str:
    """A person's or organisation's name in one form: full-width letters and digits as half-width
    (NFKC), no spaces anywhere, no case (``Ｌｉ Ｍｉｎｇ``, ``li ming`` and ``LiMing`` are one name;
    ``张 三`` is ``张三``). Punctuation inside a name stays: ``阿卜杜·热合曼`` keeps its dot."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", raw)).casefold()


class SearchTerm(Struct, frozen=True):
    kind: IdentifierKind
    # The identifier in the normal form its index key is made of.
    normalised: str


class SearchTerms(Struct, frozen=True):
    """A tracking number, or the identifiers the text may be (never both)."""

    tracking_no: str | None
    identifiers: tuple[SearchTerm, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        return ("tracking_no",) if self.tracking_no else tuple(term.kind for term in self.identifiers)


def _credit_code(text: str) -> str | None:
    from stdnum.cn import uscc

    code = normalize_credit_code(text)
    return code if len(code) == 18 and uscc.is_valid(code) else None


def read_search(raw: str | None) -> SearchTerms:
    """The readings of a search text; an empty or overlong one is refused, naming the field ``q``."""
    text = unicodedata.normalize("NFC", raw or "").strip()
    if not normalize_name(text):
        raise InvalidInputError({"q": Message("search_empty")})
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInputError({"q": Message("search_too_long", {"max": MAX_QUERY_LENGTH})})
    tracking_no = parse_tracking_no(text)
    if tracking_no is not None:
        return SearchTerms(tracking_no, ())
    if "@" in text:
        return SearchTerms(None, (SearchTerm("email", normalize_email(text)),))
    terms: list[SearchTerm] = []
    phone = normalize_phone(text)
    if phone is not None:
        terms.append(SearchTerm("phone", phone))
    code = _credit_code(text)
    if code is not None:
        terms.append(SearchTerm("credit_code", code))
    if not terms:
        name = normalize_name(text)
        terms += [SearchTerm("name", name), SearchTerm("organization", name)]
    return SearchTerms(None, tuple(terms))
