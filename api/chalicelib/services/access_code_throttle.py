"""Limits on wrong access codes that stop bulk guessing without letting a stranger lock the owner out.

Why a throttle at all: an access code carries 80 random bits (2**80, about 1.2e24 values), so
guessing the code of one case is hopeless at any rate the portal can serve. The throttle exists to
stop bulk guessing (one client cycling through codes or numbers, or many clients on one number)
and the load it brings, not to lock a case. So a case is never locked by a count of wrong codes
alone: each client is limited on its own, and only a much larger, distributed effort against one
number meets the number's own cap, for the rest of an hour.

The limits, in fixed windows:

- per client address and tracking number: ``10`` per 15 minutes and ``30`` per day. Someone who
  mistypes their own code a few times never notices; a client that keeps guessing one number waits
  until the 15-minute window ends, and once it has used its day, until the day ends (the delay
  grows with persistence). Others behind the same address (an office or a park sharing one
  connection) are not held up on their own numbers;
- per client address, across every number: ``100`` per hour, against cycling through numbers;
- per tracking number, across every address: ``300`` per hour.

Every attempt is reserved before the code is compared, by an atomic conditional increment
(``count < cap``) of each counter, so parallel guesses can never be compared beyond a cap, however
many arrive at once. A right code gives its reservations back: only wrong codes stay counted, and
the owner using their code every day counts for nothing. A refused attempt keeps nothing reserved.

The arithmetic: a stranger's guesses count against the stranger's address and stop after 10 (30 a
day), long before the number's cap, so the owner's right code from their own address is compared
and accepted right after them. Meeting the number's cap takes 300 wrong codes within an hour, that
is at least 10 addresses each spending its whole day on it; even then the number is shut only
until the hour ends. At that cap without pause a number takes at most 300 * 24 * 365 = 2.6e6
guesses a year, a chance of success of 2.6e6 / 1.2e24 = 2e-18 a year; one address cycling through
numbers gets 100 an hour. Client addresses are kept only as keyed hashes (HMAC with the portal's
secret), never in plain.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Literal

from msgspec import Struct

from ..domain.errors import TooManyAttemptsError
from .repository import AttemptCounter

__all__ = ["LIMITS", "AttemptLimit", "client_key", "give_back", "reserve_attempt"]


Scope = Literal["client_case", "client", "case"]


class AttemptLimit(Struct, frozen=True):
    # What is counted together: one client on one number, one client on any, anyone on one number.
    scope: Scope
    window: timedelta
    cap: int

    def key(self, subject: str, now: datetime) -> tuple[str, datetime]:
        """The counter for ``subject`` in the window ``now`` falls in, and when that window ends."""
        seconds = int(self.window.total_seconds())
        index = int(now.timestamp()) // seconds
        return f"{self.scope}:{subject}:{seconds}:{index}", datetime.fromtimestamp((index + 1) * seconds, UTC)


LIMITS: tuple[AttemptLimit, ...] = (
    AttemptLimit("client_case", timedelta(minutes=15), 10),
    AttemptLimit("client_case", timedelta(days=1), 30),
    AttemptLimit("client", timedelta(hours=1), 100),
    AttemptLimit("case", timedelta(hours=1), 300),
)


def client_key(address: str, secret: str) -> str:
    """The client address as the counters know it: a keyed hash, not the address."""
    return hmac.new(secret.encode(), b"client-address\x00" + address.encode(), hashlib.sha256).hexdigest()[
        :32
    ]


def reserve_attempt(
    counter: AttemptCounter,
    *,
    client: str,
    tracking_no: str,
    now: datetime,
    limits: tuple[AttemptLimit, ...] = LIMITS,
) -> list[str]:
    """Reserve one attempt under every limit, or raise ``TooManyAttemptsError`` (with the time until
    the full window ends) and keep nothing reserved. Returns the keys to give back if the code is right."""
    subjects: dict[Scope, str] = {
        "client_case": f"{client}:{tracking_no}",
        "client": client,
        "case": tracking_no,
    }
    reserved: list[str] = []
    for limit in limits:
        key, window_end = limit.key(subjects[limit.scope], now)
        # Kept a window past its end, so a late read of the window still sees its count.
        if not counter.reserve(key, limit.cap, window_end + limit.window):
            give_back(counter, reserved)
            raise TooManyAttemptsError(max(1, int((window_end - now).total_seconds())))
        reserved.append(key)
    return reserved


def give_back(counter: AttemptCounter, keys: list[str]) -> None:
    for key in keys:
        counter.release(key)
