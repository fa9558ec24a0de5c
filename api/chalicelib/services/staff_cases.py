"""What staff do through the admin API: work the queue, read a case, register a complaint, act."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct
from msgspec.structs import replace

from ..domain.actions import StaffAction, apply_staff_action
from ..domain.case import Case, Event, check_arrival
from ..domain.chasing import second_escalation_cutoff
from ..domain.complaint import ComplaintDraft, RegistrationChannel, check_draft
from ..domain.deadlines import Policy
from ..domain.errors import ForbiddenError, InvalidInputError, VersionConflictError
from ..domain.messages import Message
from ..domain.notifications import notices_for
from ..domain.staff import OFFICE, StaffMember
from .lookup import find_case
from .repository import AccessEntry, CasePage, CaseQuery, CaseRepository, OutboxStore
from .submissions import Receipt, submit_complaint

__all__ = [
    "QueuePage",
    "StaffCaseView",
    "act_on_case",
    "failed_deliveries",
    "list_queue",
    "register_complaint",
    "view_case",
]

# Failed messages are few (staff resend or give up on them); more than this is a fault to look at.
_FAILED_LOOKUP = 500


class StaffCaseView(Struct, frozen=True):
    case: Case
    history: list[Event]
    # False when the case is confidential and the viewer is not a supervisor: identity redacted.
    identity_visible: bool


class QueuePage(Struct, frozen=True):
    page: CasePage
    # The cases of this page with a message that could not be delivered (flagged in the queue).
    delivery_failed: frozenset[str]
    # How many cases all pages hold, when asked for.
    total: int | None = None


def list_queue(
    repository: CaseRepository,
    outbox: OutboxStore,
    staff: StaffMember,
    query: CaseQuery,
    *,
    escalated: bool = False,
    count: bool = False,
    policy: Policy,
) -> QueuePage:
    """A page of the queue. Handlers see their own department's cases only, whatever they ask.
    ``escalated``: only cases whose clock has been escalated a second time (still open that long
    after it ran out), which is the overdue queue as of the second escalation's cutoff. ``count``:
    how many cases all pages hold, too."""
    if not staff.sees_every_department:
        if "handler" not in staff.roles or staff.department is None:
            raise ForbiddenError(Message("forbidden_role"))
        if query.department not in (None, staff.department):
            raise ForbiddenError(Message("forbidden_department"))
        query = replace(query, department=staff.department)
    if escalated:
        query = replace(query, now=second_escalation_cutoff(query.now, policy), overdue=True)
    page = repository.list_cases(query)
    total = repository.count_cases(query) if count else None
    return QueuePage(page, failed_deliveries(outbox, [case.tracking_no for case in page.cases]), total)


def failed_deliveries(outbox: OutboxStore, tracking_nos: list[str]) -> frozenset[str]:
    """Those of these cases with a message that could not be delivered (flagged in lists)."""
    shown = set(tracking_nos)
    return frozenset(
        m.notice.tracking_no for m in outbox.failed(_FAILED_LOOKUP) if m.notice.tracking_no in shown
    )


def view_case(
    repository: CaseRepository, staff: StaffMember, typed_number: str, *, now: datetime
) -> StaffCaseView:
    """The whole case with its history. Every view that shows who complained is logged first."""
    case = find_case(repository, typed_number)
    staff.ensure_may_work_on(case)
    history = repository.history(case.tracking_no)
    access = _personal_data_access(staff, case, now)
    if access is not None:
        repository.record_access(access)
    return StaffCaseView(case, history, staff.sees_identity_of(case))


def _personal_data_access(staff: StaffMember, case: Case, now: datetime) -> AccessEntry | None:
    """The access-log entry for showing ``case`` to ``staff``, when the view shows who complained."""
    if not staff.sees_identity_of(case) or case.complainant.anonymous:
        return None
    return AccessEntry(
        tracking_no=case.tracking_no,
        at=now,
        staff_id=staff.id,
        staff_name=staff.name,
        role=staff.primary_role,
        purpose="case_view",
    )


def register_complaint(
    repository: CaseRepository,
    staff: StaffMember,
    draft: ComplaintDraft,
    *,
    channel: RegistrationChannel | None,
    received_at: datetime | None,
    idempotency_key: str | None,
    access_code_secret: str,
    now: datetime,
    policy: Policy,
    notify: bool = True,
) -> Receipt:
    """A complaint received by phone, letter, visit, e-mail or the suggestion box, registered by an
    officer. Every mistake (in the complaint, its channel and when it was received) is reported at once."""
    staff.ensure_role(OFFICE)
    arrival = check_arrival(channel, received_at, now=now, policy=policy)
    try:
        check_draft(draft, today=policy.local_date(now), writer="staff")
    except InvalidInputError as error:
        raise InvalidInputError({**error.fields, **arrival}) from None
    if arrival:
        raise InvalidInputError(arrival)
    assert channel is not None and received_at is not None  # checked by check_arrival
    return submit_complaint(
        repository,
        draft,
        channel=channel,
        actor=staff.actor,
        idempotency_key=idempotency_key,
        access_code_secret=access_code_secret,
        now=now,
        policy=policy,
        received_at=received_at,
        writer="staff",
        notify=notify,
    )


def act_on_case(
    repository: CaseRepository,
    staff: StaffMember,
    typed_number: str,
    action: StaffAction,
    *,
    expected_version: int,
    now: datetime,
    policy: Policy,
    notify: bool = True,
) -> StaffCaseView:
    """Apply one action to the version of the case the caller saw (a stale version changes nothing),
    and show the case as it now is.

    Everything that can fail happens before the one write: the history is read first, and the
    change, its event, the messages it sends and the access-log entry of the view that follows are
    written together, so a
    refused or failed request leaves nothing behind and a saved one cannot fail afterwards."""
    case = find_case(repository, typed_number)
    staff.ensure_may_work_on(case)
    if case.version != expected_version:
        raise VersionConflictError()
    changed, event = apply_staff_action(case, action, staff, now=now, policy=policy)
    history = repository.history(case.tracking_no)
    notices = notices_for(changed, event, policy=policy) if notify else []
    repository.save(changed, event, _personal_data_access(staff, changed, now), notices)
    return StaffCaseView(changed, [*history, event], staff.sees_identity_of(changed))
