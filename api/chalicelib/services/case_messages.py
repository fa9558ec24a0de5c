"""What was sent about a case, for staff: each message's template, recipient (masked), times and
delivery state, and resending one that could not be delivered."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct

from ..domain.case import Case
from ..domain.errors import TransitionNotAllowedError
from ..domain.messages import Message
from ..domain.staff import RESEND_ROLES, StaffMember
from .lookup import find_case
from .repository import AccessEntry, CaseRepository, OutboxMessage, OutboxStore

__all__ = ["CaseMessages", "case_messages", "resend_message"]


class CaseMessages(Struct, frozen=True):
    case: Case
    messages: list[OutboxMessage]
    # Whether the viewer may see the complainant's (masked) address at all.
    identity_visible: bool
    # Whether the viewer may resend a failed message (``RESEND_ROLES``).
    may_resend: bool


def case_messages(
    repository: CaseRepository, outbox: OutboxStore, staff: StaffMember, typed_number: str, *, now: datetime
) -> CaseMessages:
    """A case's messages. Showing where the complainant was written to (masked) is a view of their
    personal data: it is logged like a view of the case."""
    case = find_case(repository, typed_number)
    staff.ensure_may_work_on(case)
    messages = outbox.for_case(case.tracking_no)
    visible = staff.sees_identity_of(case)
    if visible and any(m.notice.role == "complainant" for m in messages):
        repository.record_access(
            AccessEntry(case.tracking_no, now, staff.id, staff.name, staff.primary_role, "messages")
        )
    return CaseMessages(case, messages, visible, bool(staff.roles & RESEND_ROLES))


def resend_message(
    repository: CaseRepository,
    outbox: OutboxStore,
    staff: StaffMember,
    typed_number: str,
    message_id: str,
    *,
    now: datetime,
) -> CaseMessages:
    """Put a message that could not be delivered back in line; the case's messages as they now are."""
    staff.ensure_role(RESEND_ROLES)
    case = find_case(repository, typed_number)
    staff.ensure_may_work_on(case)
    mine = {m.notice.id for m in outbox.for_case(case.tracking_no)}
    if message_id not in mine or not outbox.resend(message_id, now=now):
        raise TransitionNotAllowedError(Message("message_not_failed"))
    return case_messages(repository, outbox, staff, typed_number, now=now)
