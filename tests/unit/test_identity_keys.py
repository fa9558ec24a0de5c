"""Keyed hashes of complainants' identifiers (services/identity_keys.py): one key per identifier
however it is typed, different keys for different kinds and secrets, none for an anonymous one."""

from __future__ import annotations

from chalicelib.domain.complaint import Complainant
from chalicelib.services.identity_keys import IdentityHasher

HASHER = IdentityHasher("identity-keys-unit-test-secret-" + "x" * 10)


def test_one_phone_number_however_it_is_typed_has_one_key() -> None:
    keys = {HASHER.phone_key(typed) for typed in ("138 0013 8000", "+86 13800138000", "138-0013-8000")}
    assert len(keys) == 1
    assert None not in keys
    assert HASHER.phone_key("not a number") is None


def test_an_email_address_is_compared_without_regard_to_case_and_a_credit_code_as_printed() -> None:
    assert HASHER.email_key("Li.Si@Example.COM") == HASHER.email_key(" li.si@example.com ")
    assert HASHER.credit_code_key("91350100m000100y43") == HASHER.credit_code_key("9135 0100-M000 100Y43")


def test_kinds_and_secrets_keep_keys_apart() -> None:
    assert HASHER.key("phone", "x") != HASHER.key("email", "x")
    other = IdentityHasher("another-identity-keys-secret-" + "y" * 10)
    assert other.phone_key("13800138000") != HASHER.phone_key("13800138000")
    assert len(HASHER.phone_key("13800138000") or "") == 32


def test_an_anonymous_complainant_has_no_keys() -> None:
    anonymous = Complainant(type="individual", anonymous=True, preferred_language="zh")
    assert HASHER.of(anonymous).present() == ()
    named = Complainant(
        type="individual", anonymous=False, preferred_language="zh", phone="13800138000", email="a@b.cn"
    )
    assert len(HASHER.of(named).present()) == 2
