"""Tracking numbers: unpredictable, unique, readable aloud, and self-checking."""

from __future__ import annotations

import secrets

import pytest

from chalicelib.domain.errors import InvalidTrackingNumberError
from chalicelib.domain.messages import render
from chalicelib.domain.tracking import (
    ACCESS_CODE_LENGTH,
    ALPHABET,
    TRACKING_NO_LENGTH,
    access_code_matches,
    derive_access_code,
    format_code,
    hash_access_code,
    new_access_code,
    new_tracking_no,
    normalize,
    parse_tracking_no,
    tracking_no_problem,
)


def test_alphabet_is_crockford_base32_without_i_l_o_u() -> None:
    assert len(ALPHABET) == 32
    assert not set("ILOU") & set(ALPHABET)


def test_numbers_are_short_well_formed_and_carry_at_least_40_random_bits() -> None:
    number = new_tracking_no()
    assert len(number) == TRACKING_NO_LENGTH <= 16
    assert set(number) <= set(ALPHABET)
    # 11 random symbols of 5 bits each precede the check symbol.
    assert (TRACKING_NO_LENGTH - 1) * 5 >= 40
    assert parse_tracking_no(number) == number


def test_100_000_numbers_are_all_distinct_and_valid() -> None:
    numbers = {new_tracking_no() for _ in range(100_000)}
    assert len(numbers) == 100_000
    assert all(parse_tracking_no(n) == n for n in list(numbers)[:5000])


def test_numbers_are_not_sequential() -> None:
    first, second = new_tracking_no(), new_tracking_no()
    assert abs(int.from_bytes(first.encode()) - int.from_bytes(second.encode())) > 1
    # The leading symbols of many numbers spread over the whole alphabet (not a counter).
    leading = {new_tracking_no()[0] for _ in range(2000)}
    assert len(leading) == 32


@pytest.mark.parametrize("sample", range(300))
def test_every_single_symbol_error_is_detected(sample: int) -> None:
    number = new_tracking_no()
    for position in range(TRACKING_NO_LENGTH):
        for symbol in ALPHABET:
            if symbol != number[position]:
                wrong = number[:position] + symbol + number[position + 1 :]
                assert parse_tracking_no(wrong) is None, (number, wrong)


@pytest.mark.parametrize("sample", range(300))
def test_every_adjacent_swap_is_detected(sample: int) -> None:
    number = new_tracking_no()
    for position in range(TRACKING_NO_LENGTH - 1):
        a, b = number[position], number[position + 1]
        if a != b:
            swapped = number[:position] + b + a + number[position + 2 :]
            assert parse_tracking_no(swapped) is None, (number, swapped)


def test_a_wrong_length_or_foreign_symbol_is_refused() -> None:
    number = new_tracking_no()
    assert parse_tracking_no(number[:-1]) is None
    assert parse_tracking_no(number + "0") is None
    assert parse_tracking_no(number[:-1] + "U") is None
    assert parse_tracking_no("") is None
    assert parse_tracking_no("天" * 12) is None


def test_typed_numbers_are_normalised() -> None:
    number = new_tracking_no()
    grouped = format_code(number)
    assert grouped.count("-") == 2
    assert grouped.replace("-", "") == number
    assert parse_tracking_no(grouped) == number
    assert parse_tracking_no(grouped.lower()) == number
    assert parse_tracking_no(" " + " ".join(grouped.split("-")) + " ") == number
    assert parse_tracking_no(grouped.replace("-", "\u3000")) == number
    # Full-width characters from a Chinese input method.
    full_width = "".join(chr(ord(ch) + 0xFEE0) if ch != "-" else "－" for ch in grouped)
    assert parse_tracking_no(full_width) == number


def test_letters_read_as_digits_are_corrected() -> None:
    assert normalize("oOiIlL") == "001111"
    for _ in range(200):
        number = new_tracking_no()
        if "0" in number or "1" in number:
            typed = number.replace("0", "o").replace("1", "l")
            assert parse_tracking_no(typed) == number
            break
    else:
        pytest.fail("no number with 0 or 1 in 200 tries")


def test_access_codes_carry_80_bits_and_only_their_hash_is_kept() -> None:
    code = new_access_code()
    assert len(code) == ACCESS_CODE_LENGTH
    assert ACCESS_CODE_LENGTH * 5 >= 80
    number = new_tracking_no()
    stored = hash_access_code(number, code)
    assert code not in stored
    assert access_code_matches(number, format_code(code).lower(), stored)
    assert not access_code_matches(number, new_access_code(), stored)
    assert not access_code_matches(new_tracking_no(), code, stored)


def test_derived_access_codes_repeat_for_the_same_seed_only() -> None:
    secret = secrets.token_urlsafe(32)
    seed = secrets.token_hex(16)
    code = derive_access_code(secret, seed)
    assert len(code) == ACCESS_CODE_LENGTH
    assert set(code) <= set(ALPHABET)
    assert derive_access_code(secret, seed) == code
    assert derive_access_code(secret, seed + "x") != code
    assert derive_access_code(secret + "x", seed) != code


def test_people_are_told_what_is_wrong_with_a_number_they_typed() -> None:
    number = new_tracking_no()
    typo = number[:5] + ALPHABET[(ALPHABET.index(number[5]) + 1) % 32] + number[6:]
    assert tracking_no_problem(number) is None
    assert tracking_no_problem(format_code(typo).lower()) == "check"
    assert tracking_no_problem(number[:-1]) == "length"
    assert tracking_no_problem(number[:-1] + "U") == "symbol"
    said = {
        problem: render(InvalidTrackingNumberError(problem).message, "en")
        for problem in ("check", "length", "symbol")
    }
    # A single typo in a full-length number is not told it "has 12 letters and digits".
    assert said["check"].startswith("One character of this tracking number looks wrong")
    assert "12" in said["length"]
    assert "never U" in said["symbol"]
