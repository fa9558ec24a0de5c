"""The access-code throttle on DynamoDB Local (issue 8, acceptance 3): parallel wrong guesses are
compared no more often than the cap allows, and a stranger's wrong codes never lock the owner out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import ForbiddenError, TooManyAttemptsError
from chalicelib.domain.tracking import access_code_matches, new_access_code
from chalicelib.services import self_service
from chalicelib.services.access_code_throttle import LIMITS, AttemptLimit, client_key, reserve_attempt
from chalicelib.services.self_service import open_own_case
from chalicelib.settings import Settings, get_settings
from chalicelib.storage.attempt_counter import DynamoAttemptCounter
from chalicelib.storage.case_repository import DynamoCaseRepository
from chalicelib.storage.connection import dynamodb_for

from .test_dynamodb_local import SECRET, repository, settings, submit

__all__ = ["repository", "settings"]  # fixtures used here

CLIENT_CAP = next(limit.cap for limit in LIMITS if limit.scope == "client_case")


def outcomes(attempts: Sequence[Callable[[], object]]) -> dict[str, int]:
    """What attempts made at once came to: compared and wrong (403), refused unseen (429), or let
    through."""

    def attempt(call: Callable[[], object]) -> str:
        try:
            call()
        except ForbiddenError:
            return "compared"
        except TooManyAttemptsError:
            return "refused"
        return "accepted"

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(attempt, attempts))
    return {kind: results.count(kind) for kind in ("compared", "refused", "accepted")}


def test_100_parallel_wrong_guesses_from_one_client_compare_no_more_than_its_cap(
    repository: DynamoCaseRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    receipt = submit(repository)
    counter = DynamoAttemptCounter(dynamodb_for(get_settings()))
    compared: list[str] = []

    def counted_match(tracking_no: str, access_code: str, stored_hash: str) -> bool:
        compared.append(access_code)  # list.append is atomic under the GIL
        return access_code_matches(tracking_no, access_code, stored_hash)

    monkeypatch.setattr(self_service, "access_code_matches", counted_match)
    stranger = client_key("203.0.113.9", SECRET)
    now = datetime.now(UTC)
    guesses = [
        lambda: open_own_case(
            repository, counter, receipt.case.tracking_no, new_access_code(), client=stranger, now=now
        )
        for _ in range(100)
    ]
    assert outcomes(guesses) == {"compared": CLIENT_CAP, "refused": 100 - CLIENT_CAP, "accepted": 0}
    # The codes really compared, not only the answers that say so.
    assert len(compared) == CLIENT_CAP
    owner = client_key("198.51.100.7", SECRET)
    view = open_own_case(
        repository, counter, receipt.case.tracking_no, receipt.access_code, client=owner, now=now
    )
    assert view.case.tracking_no == receipt.case.tracking_no


def test_100_parallel_reservations_from_100_clients_stop_at_the_numbers_cap(settings: Settings) -> None:
    counter = DynamoAttemptCounter(dynamodb_for(get_settings()))
    now = datetime.now(UTC)
    case_cap = AttemptLimit("case", timedelta(hours=1), 30)
    limits = (*(limit for limit in LIMITS if limit.scope != "case"), case_cap)

    def guess(client: int) -> Callable[[], object]:
        return lambda: reserve_attempt(
            counter, client=f"client-{client}", tracking_no="CASE00000001", now=now, limits=limits
        )

    # Let through: reserved, so its code would be compared.
    assert outcomes([guess(n) for n in range(100)]) == {"compared": 0, "refused": 70, "accepted": 30}
    # A refused attempt keeps nothing reserved under the client's own limits.
    for n in range(30, 100):
        reserve_attempt(counter, client=f"client-{n}", tracking_no="CASE00000002", now=now)


def test_the_owner_is_accepted_right_after_a_strangers_50_wrong_codes(
    repository: DynamoCaseRepository,
) -> None:
    receipt = submit(repository)
    counter = DynamoAttemptCounter(dynamodb_for(get_settings()))
    stranger, owner = client_key("203.0.113.9", SECRET), client_key("198.51.100.7", SECRET)
    now = datetime.now(UTC)
    refused = 0
    for _ in range(50):
        with pytest.raises((ForbiddenError, TooManyAttemptsError)) as wrong:
            open_own_case(
                repository, counter, receipt.case.tracking_no, new_access_code(), client=stranger, now=now
            )
        refused += isinstance(wrong.value, TooManyAttemptsError)
    assert refused == 50 - CLIENT_CAP
    view = open_own_case(
        repository, counter, receipt.case.tracking_no, receipt.access_code, client=owner, now=now
    )
    assert view.case.tracking_no == receipt.case.tracking_no
