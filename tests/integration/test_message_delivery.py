"""Delivering the outbox (services/message_delivery.py), on the in-memory outbox and on DynamoDB
Local, with faults injected at each point of a delivery (issue 13, acceptance 3): no message is
ever lost; none is sent twice but when the delivery dies between the provider's acceptance and
the mark, and then exactly twice; racing deliveries send each message once; a provider's passing
fault is retried with growing waits, then the message is marked failed; a resend puts it back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.deadlines import default_policy
from chalicelib.domain.notifications import Notice, notice_id
from chalicelib.services.message_delivery import LEASE, ProviderError, deliver_due, retry_delay
from chalicelib.services.repository import CaseRepository, OutboxStore
from tests.support import unique_table_prefix
from tests.support.api_client import reset_app_state
from tests.support.memory import memory_repository

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
POLICY = default_policy()


class Crash(BaseException):
    """The delivery's process dying at that point (not an error the code handles)."""


class FakeProvider:
    """Records what it was given; fails or crashes when told to."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self._lock = threading.Lock()
        self.fail_with: ProviderError | None = None
        self.crash_after_accepting = False

    def send(self, notice: Notice) -> str:
        if self.fail_with is not None:
            raise self.fail_with
        with self._lock:
            self.sent.append(notice.id)
        if self.crash_after_accepting:
            self.crash_after_accepting = False
            raise Crash
        return f"provider-{len(self.sent)}"


def notices(count: int, *, meets_acknowledgement: bool = False) -> list[Notice]:
    return [
        Notice(
            id=notice_id("TESTTESTTEST", n, "reply", "complainant"),
            tracking_no="TESTTESTTEST",
            template="reply",
            role="complainant",
            channel="email",
            address=f"person{n}@example.cn",
            lang="zh",
            created_at=NOW,
            params={},
            meets_acknowledgement=meets_acknowledgement,
        )
        for n in range(count)
    ]


@pytest.fixture(params=["memory", "dynamodb"])
def stores(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[OutboxStore, CaseRepository]]:
    if request.param == "memory":
        repository = memory_repository()
        yield repository.outbox, repository
        return
    request.getfixturevalue("dynamodb_local")
    monkeypatch.setenv("STAGE", "test")
    monkeypatch.setenv("STORAGE", "dynamodb")
    monkeypatch.setenv("TABLE_PREFIX", unique_table_prefix("outbox"))
    reset_app_state()
    from chalicelib.settings import get_settings
    from chalicelib.storage import outbox_for, repository_for
    from chalicelib.storage.tables import ensure_tables

    ensure_tables(get_settings())
    yield outbox_for(get_settings()), repository_for(get_settings())
    reset_app_state()


def deliver(outbox: OutboxStore, provider: FakeProvider, cases: CaseRepository, at: datetime) -> Any:
    return deliver_due(outbox, provider, cases, now=at, policy=POLICY)


def test_each_message_is_sent_once_and_a_second_run_sends_nothing(
    stores: tuple[OutboxStore, CaseRepository],
) -> None:
    outbox, cases = stores
    outbox.add(notices(3), now=NOW)
    provider = FakeProvider()
    assert deliver(outbox, provider, cases, NOW).sent == 3
    assert deliver(outbox, provider, cases, NOW + timedelta(minutes=1)).sent == 0
    assert sorted(provider.sent) == sorted(n.id for n in notices(3))
    states = {m.notice.id: (m.state, m.attempts, m.provider_id) for m in outbox.for_case("TESTTESTTEST")}
    assert all(
        state == "sent" and attempts == 1 and provider_id for state, attempts, provider_id in states.values()
    )


def test_a_message_written_twice_is_one_message(stores: tuple[OutboxStore, CaseRepository]) -> None:
    outbox, _ = stores
    assert len(outbox.add(notices(2), now=NOW)) == 2
    assert outbox.add(notices(2), now=NOW) == []
    assert len(outbox.for_case("TESTTESTTEST")) == 2


def test_a_delivery_that_dies_before_claiming_loses_nothing(
    stores: tuple[OutboxStore, CaseRepository],
) -> None:
    outbox, cases = stores
    outbox.add(notices(1), now=NOW)
    # Dies after reading what is due, before its claim: nothing changed.
    assert len(outbox.due(NOW, 10)) == 1
    provider = FakeProvider()
    assert deliver(outbox, provider, cases, NOW + timedelta(seconds=5)).sent == 1
    assert len(provider.sent) == 1


def test_a_delivery_that_dies_after_claiming_is_taken_over_once_its_lease_runs_out(
    stores: tuple[OutboxStore, CaseRepository],
) -> None:
    outbox, cases = stores
    [notice] = notices(1)
    outbox.add([notice], now=NOW)
    assert outbox.claim(notice.id, token="dead-delivery", now=NOW, lease=LEASE) is not None
    provider = FakeProvider()
    # While the lease holds, nobody else sends it...
    assert deliver(outbox, provider, cases, NOW + LEASE - timedelta(seconds=1)).sent == 0
    # ... and once it has run out, the next delivery does, once.
    assert deliver(outbox, provider, cases, NOW + LEASE + timedelta(seconds=1)).sent == 1
    assert provider.sent == [notice.id]
    # The dead delivery, were it to wake up, can no longer mark anything.
    assert not outbox.mark_sent(notice.id, token="dead-delivery", now=NOW, provider_id="x", expires_at=NOW)


def test_dying_after_the_provider_accepted_sends_it_exactly_twice(
    stores: tuple[OutboxStore, CaseRepository],
) -> None:
    outbox, cases = stores
    [notice] = notices(1)
    outbox.add([notice], now=NOW)
    provider = FakeProvider()
    provider.crash_after_accepting = True
    with pytest.raises(Crash):
        deliver(outbox, provider, cases, NOW)
    assert deliver(outbox, provider, cases, NOW + LEASE / 2).sent == 0
    assert deliver(outbox, provider, cases, NOW + LEASE + timedelta(seconds=1)).sent == 1
    assert deliver(outbox, provider, cases, NOW + 3 * LEASE).sent == 0
    assert provider.sent == [notice.id, notice.id]


def test_dying_before_the_mark_is_written_sends_it_exactly_twice(
    stores: tuple[OutboxStore, CaseRepository], monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox, cases = stores
    [notice] = notices(1)
    outbox.add([notice], now=NOW)
    provider = FakeProvider()
    real_mark = outbox.mark_sent

    def dies(*args: Any, **kwargs: Any) -> bool:
        raise Crash

    monkeypatch.setattr(outbox, "mark_sent", dies)
    with pytest.raises(Crash):
        deliver(outbox, provider, cases, NOW)
    monkeypatch.setattr(outbox, "mark_sent", real_mark)
    assert deliver(outbox, provider, cases, NOW + LEASE + timedelta(seconds=1)).sent == 1
    assert provider.sent == [notice.id, notice.id]


def test_racing_deliveries_send_each_message_once(stores: tuple[OutboxStore, CaseRepository]) -> None:
    outbox, cases = stores
    outbox.add(notices(20), now=NOW)
    provider = FakeProvider()
    with ThreadPoolExecutor(max_workers=6) as pool:
        runs = list(pool.map(lambda _: deliver(outbox, provider, cases, NOW), range(6)))
    assert sum(run.sent for run in runs) == 20
    assert sorted(provider.sent) == sorted(n.id for n in notices(20))


def test_a_passing_provider_fault_is_retried_with_growing_waits_then_marked_failed(
    stores: tuple[OutboxStore, CaseRepository],
) -> None:
    outbox, cases = stores
    [notice] = notices(1)
    outbox.add([notice], now=NOW)
    provider = FakeProvider()
    provider.fail_with = ProviderError("Throttling", transient=True)
    at, attempts = NOW, POLICY.chasing.delivery_attempts
    for attempt in range(1, attempts):
        run = deliver(outbox, provider, cases, at)
        assert (run.retried, run.failed) == (1, 0), attempt
        # Not before its wait...
        assert deliver(outbox, provider, cases, at + retry_delay(attempt) - timedelta(seconds=1)).retried == 0
        at += retry_delay(attempt)
    assert deliver(outbox, provider, cases, at).failed == 1
    [message] = outbox.for_case("TESTTESTTEST")
    assert (message.state, message.attempts, message.error) == ("failed", attempts, "Throttling")
    assert [m.notice.id for m in outbox.failed(10)] == [notice.id]
    # Staff resend it: it goes with the next delivery.
    assert outbox.resend(notice.id, now=at)
    provider.fail_with = None
    assert deliver(outbox, provider, cases, at).sent == 1
    assert outbox.failed(10) == []


def test_a_refusal_that_will_not_pass_fails_at_once(stores: tuple[OutboxStore, CaseRepository]) -> None:
    outbox, cases = stores
    outbox.add(notices(1), now=NOW)
    provider = FakeProvider()
    provider.fail_with = ProviderError("MessageRejected", transient=False)
    assert deliver(outbox, provider, cases, NOW).failed == 1
    [message] = outbox.for_case("TESTTESTTEST")
    assert (message.state, message.attempts) == ("failed", 1)


def test_a_sent_acknowledgement_of_a_registration_meets_its_clock(
    stores: tuple[OutboxStore, CaseRepository],
) -> None:
    from chalicelib.domain.staff import StaffMember
    from chalicelib.services.staff_cases import register_complaint

    from ..unit.test_complaint_rules import PERSON

    outbox, cases = stores
    officer = StaffMember("o1", "王专员", frozenset({"officer"}))
    receipt = register_complaint(
        cases,
        officer,
        PERSON,
        channel="phone",
        received_at=NOW - timedelta(hours=1),
        idempotency_key=None,
        access_code_secret="s" * 40,
        now=NOW,
        policy=POLICY,
    )
    number = receipt.case.tracking_no
    [message] = outbox.for_case(number)
    assert message.notice.params["access_code"] == receipt.access_code
    provider = FakeProvider()
    assert deliver(outbox, provider, cases, NOW + timedelta(minutes=1)).acknowledged == 1
    case = cases.get(number)
    assert case is not None
    acknowledge = case.deadline("acknowledge")
    assert acknowledge is not None
    assert acknowledge.met_at == NOW + timedelta(minutes=1)
    last = cases.history(number)[-1]
    assert (last.action, last.actor.kind, last.data) == ("acknowledge", "system", {"method": "sms"})
    # Once sent, the outbox no longer holds the access code.
    [sent] = outbox.for_case(number)
    assert "access_code" not in sent.notice.params


class BrokenTemplate(FakeProvider):
    def send(self, notice: Notice) -> str:
        if notice.id == notices(1)[0].id:
            raise KeyError("a template asked for what the message does not have")
        return super().send(notice)


def test_a_message_that_cannot_be_made_fails_alone_and_the_others_go(
    stores: tuple[OutboxStore, CaseRepository],
) -> None:
    outbox, cases = stores
    outbox.add(notices(3), now=NOW)
    provider = BrokenTemplate()
    run = deliver(outbox, provider, cases, NOW)
    assert (run.sent, run.failed) == (2, 1)
    failed = [m for m in outbox.for_case("TESTTESTTEST") if m.state == "failed"]
    assert [(m.notice.id, m.error) for m in failed] == [(notices(1)[0].id, "KeyError")]
