"""Keyed hashes of the identifiers that name a complainant: a phone number, an e-mail address, a
Unified Social Credit Code, a name and an organisation, each in its one normal form.

The same identifier gives the same key however it was typed (``138 0013 8000`` and
``+86 13800138000``; ``Li@Example.com`` and ``li@example.com``), and a key tells nothing without the
secret (HMAC-SHA256 under ``IDENTITY_KEY_SECRET``): the monthly report counts repeat complainants by
the contact identifiers' keys without reading who they are, and staff search finds a complainant's
cases through index keys made of them all (never through the identifiers themselves). The kind of
identifier is hashed with it, so a phone number and an e-mail address, or a person and an
organisation of the same name, never share a key. Cases carry their keys from the moment they are stored (storage/case_mapping.py).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from msgspec import Struct

from ..domain.complaint import Complainant, normalize_credit_code, normalize_email, normalize_phone

if TYPE_CHECKING:  # the search terms' module is the searches' (a cold lookup makes no key)
    from ..domain.search_terms import IdentifierKind

__all__ = ["IdentityHasher", "IdentityKeys"]


class IdentityKeys(Struct, frozen=True):
    """The keys of one complainant's identifiers (``None`` for one not given)."""

    phone: str | None = None
    email: str | None = None
    credit_code: str | None = None
    name: str | None = None
    organization: str | None = None

    def present(self) -> tuple[str, ...]:
        """The contact identifiers' keys, which tell one complainant from another (the monthly
        report's repeat complainants); two people may share a name."""
        return tuple(key for key in (self.phone, self.email, self.credit_code) if key is not None)

    def contacts(self) -> tuple[tuple[IdentifierKind, str], ...]:
        """The contact identifiers' keys with their kinds (a complainant's other complaints)."""
        kinds: tuple[IdentifierKind, ...] = ("phone", "email", "credit_code")
        return tuple((kind, key) for kind in kinds if (key := getattr(self, kind)) is not None)


class IdentityHasher:
    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def key(self, kind: IdentifierKind, normalised: str) -> str:
        """The key of an identifier already in its normal form (128 bits, hex)."""
        message = kind.encode() + b"\x00" + normalised.encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]

    def phone_key(self, phone: str) -> str | None:
        """The key of a phone number as people type it, or ``None`` if it is not one."""
        normalised = normalize_phone(phone)
        return self.key("phone", normalised) if normalised else None

    def email_key(self, address: str) -> str | None:
        """The key of an e-mail address, compared without regard to case."""
        normalised = normalize_email(address)
        return self.key("email", normalised) if normalised else None

    def credit_code_key(self, code: str) -> str | None:
        """The key of a credit code as people type it (spaces, hyphens, lower or full-width case)."""
        normalised = normalize_credit_code(code)
        return self.key("credit_code", normalised) if normalised else None

    def name_key(self, name: str, kind: IdentifierKind = "name") -> str | None:
        """The key of a person's (or, with ``kind="organization"``, an organisation's) name, the
        same however it is spaced or whatever the width of its letters."""
        from ..domain.search_terms import normalize_name

        normalised = normalize_name(name)
        return self.key(kind, normalised) if normalised else None

    def of(self, complainant: Complainant) -> IdentityKeys:
        """The keys of everything that names ``complainant`` (none for an anonymous complaint)."""
        if complainant.anonymous:
            return IdentityKeys()
        return IdentityKeys(
            phone=self.phone_key(complainant.phone) if complainant.phone else None,
            email=self.email_key(complainant.email) if complainant.email else None,
            credit_code=self.credit_code_key(complainant.credit_code) if complainant.credit_code else None,
            name=self.name_key(complainant.name) if complainant.name else None,
            organization=(
                self.name_key(complainant.organization, "organization") if complainant.organization else None
            ),
        )
