"""Delivering the outbox: nothing lost, nothing sent twice but in one case, said plainly below.

A delivery takes the messages whose time has come, and for each: claims it (a conditional write
that sets a lease: a random token and a time it runs out), sends it, then marks it sent (a
conditional write that holds only while the lease is still its own). So:

- two deliveries at once never both send a message: only one claim succeeds;
- a delivery that dies before sending leaves a lease that runs out; the next delivery claims the
  message again and sends it: nothing is lost;
- a delivery that dies after the provider accepted the message but before marking it sent leaves
  the same lease: the message is sent a second time once the lease runs out. SES and SNS take no
  idempotency key that would let them drop the repeat, so *at least once* is the honest guarantee;
  a repeat needs a crash in that one instant, and then there is exactly one repeat per crash.

A provider fault that may pass (throttling, a timeout, a 5xx) is retried later, each wait twice the
one before, up to ``policy.chasing.delivery_attempts`` attempts; a refusal that will not pass (an
address the provider rejects), a message that cannot even be made (a template fault: a bug, named
by the exception's type) or the last attempt marks the message failed, which staff see on the case
and can resend; the other messages go on. A sent acknowledgement of a complaint staff registered meets the case's
acknowledgement clock (the portal records it, as the system).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Protocol

from msgspec import Struct, field

from ..domain.actions import Acknowledge, apply_system_action
from ..domain.deadlines import Policy
from ..domain.errors import DomainError, VersionConflictError
from ..domain.notifications import Notice
from .repository import CaseRepository, OutboxMessage, OutboxStore

__all__ = [
    "LEASE",
    "DeliveryCounts",
    "MessageSender",
    "ProviderError",
    "deliver_due",
    "retry_delay",
]

# Longer than any one send can take (the senders' own timeouts are a few seconds).
LEASE = timedelta(minutes=2)
_FIRST_RETRY = timedelta(minutes=1)
_LONGEST_RETRY = timedelta(hours=1)
_ACKNOWLEDGE_ATTEMPTS = 3


class ProviderError(Exception):
    """The provider did not take the message. ``transient``: the same message may go later."""

    def __init__(self, code: str, *, transient: bool) -> None:
        super().__init__(code)
        self.code = code
        self.transient = transient


class MessageSender(Protocol):
    def send(self, notice: Notice) -> str:
        """Send ``notice`` (rendered for its channel); the provider's id for the message."""
        ...


class DeliveryCounts(Struct):
    sent: int = 0
    retried: int = 0
    failed: int = 0
    # Claimed by another delivery, or already done: left alone.
    skipped: int = 0
    acknowledged: int = 0
    more: bool = False
    errors: list[str] = field(default_factory=list)

    def as_counts(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "retried": self.retried,
            "failed": self.failed,
            "skipped": self.skipped,
            "acknowledged": self.acknowledged,
        }


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4... minutes, at most an hour."""
    return min(_FIRST_RETRY * (1 << max(0, attempts - 1)), _LONGEST_RETRY)


def _retention_end(now: datetime, policy: Policy) -> datetime:
    return policy.after(policy.chasing.message_retention, now).at


def _deliver_one(
    outbox: OutboxStore,
    sender: MessageSender,
    cases: CaseRepository,
    waiting: OutboxMessage,
    *,
    now: datetime,
    policy: Policy,
    counts: DeliveryCounts,
) -> None:
    token = secrets.token_hex(16)
    message = outbox.claim(waiting.notice.id, token=token, now=now, lease=LEASE)
    if message is None:
        counts.skipped += 1
        return
    try:
        provider_id = sender.send(message.notice)
    except Exception as error:  # noqa: BLE001  # one message that cannot go must not stop the others
        error = (
            error
            if isinstance(error, ProviderError)
            else ProviderError(type(error).__name__, transient=False)
        )
        if error.transient and message.attempts < policy.chasing.delivery_attempts:
            outbox.retry_later(
                message.notice.id, token=token, at=now + retry_delay(message.attempts), error=error.code
            )
            counts.retried += 1
        else:
            outbox.mark_failed(
                message.notice.id,
                token=token,
                now=now,
                error=error.code,
                expires_at=_retention_end(now, policy),
            )
            counts.failed += 1
        counts.errors.append(error.code)
        return
    if outbox.mark_sent(
        message.notice.id,
        token=token,
        now=now,
        provider_id=provider_id,
        expires_at=_retention_end(now, policy),
    ):
        counts.sent += 1
    if message.notice.meets_acknowledgement and _acknowledge(cases, message.notice, now=now, policy=policy):
        counts.acknowledged += 1


def _acknowledge(cases: CaseRepository, notice: Notice, *, now: datetime, policy: Policy) -> bool:
    """Record on the case that the acknowledgement reached the complainant (it may already be met:
    staff recorded a call first; then nothing changes)."""
    for _ in range(_ACKNOWLEDGE_ATTEMPTS):
        case = cases.get(notice.tracking_no)
        if case is None:
            return False
        try:
            changed, event = apply_system_action(case, Acknowledge(notice.channel), now=now, policy=policy)
        except DomainError:
            return False
        try:
            cases.save(changed, event)
        except VersionConflictError:
            continue  # someone acted meanwhile: try again on the new version
        return True
    return False


def deliver_due(
    outbox: OutboxStore,
    sender: MessageSender,
    cases: CaseRepository,
    *,
    now: datetime,
    policy: Policy,
    limit: int = 50,
) -> DeliveryCounts:
    """Deliver up to ``limit`` messages whose time has come (the rest wait for the next run)."""
    counts = DeliveryCounts()
    waiting = outbox.due(now, limit + 1)
    counts.more = len(waiting) > limit
    for message in waiting[:limit]:
        _deliver_one(outbox, sender, cases, message, now=now, policy=policy, counts=counts)
    return counts
