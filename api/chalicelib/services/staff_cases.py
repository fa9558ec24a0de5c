"""What staff do through the admin API: work the queue, read a case, register a complaint, act."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ..domain.actions import StaffAction, apply_staff_action
from ..domain.case import Case, Event
from ..domain.complaint import Channel, ComplaintDraft, check_draft
from ..domain.deadlines import Policy
from ..domain.errors import ForbiddenError, InvalidInputError, VersionConflictError
from ..domain.messages import Message, field_message
from ..domain.staff import Role, StaffMember
from .lookup import find_case
from .repository import AccessEntry, CasePage, CaseQuery, CaseRepository
from .submissions import Receipt, submit_complaint

__all__ = ["StaffCaseView", "act_on_case", "list_queue", "register_complaint", "view_case"]

_REGISTRARS: frozenset[Role] = frozenset({"officer", "supervisor"})


@dataclass(frozen=True, slots=True)
class StaffCaseView:
    case: Case
    history: list[Event]
    # False when the case is confidential and the viewer is not a supervisor: identity redacted.
    identity_visible: bool


def list_queue(repository: CaseRepository, staff: StaffMember, query: CaseQuery) -> CasePage:
    """A page of the queue. Handlers see their own department's cases only, whatever they ask."""
    if not staff.sees_every_department:
        if "handler" not in staff.roles or staff.department is None:
            raise ForbiddenError(Message("forbidden_role"))
        if query.department not in (None, staff.department):
            raise ForbiddenError(Message("forbidden_department"))
        query = replace(query, department=staff.department)
    return repository.list_cases(query)


def view_case(
    repository: CaseRepository, staff: StaffMember, typed_number: str, *, now: datetime
) -> StaffCaseView:
    """The whole case with its history. Every view that shows who complained is logged first."""
    case = find_case(repository, typed_number)
    staff.ensure_may_work_on(case)
    return _shown(repository, staff, case, now)


def _shown(repository: CaseRepository, staff: StaffMember, case: Case, now: datetime) -> StaffCaseView:
    identity_visible = staff.sees_identity_of(case)
    if identity_visible and not case.complainant.anonymous:
        repository.record_access(
            AccessEntry(
                tracking_no=case.tracking_no,
                at=now,
                staff_id=staff.id,
                staff_name=staff.name,
                role=staff.primary_role,
                purpose="case_view",
            )
        )
    return StaffCaseView(case, repository.history(case.tracking_no), identity_visible)


def register_complaint(
    repository: CaseRepository,
    staff: StaffMember,
    draft: ComplaintDraft,
    *,
    channel: Channel | None,
    idempotency_key: str | None,
    access_code_secret: str,
    now: datetime,
    policy: Policy,
) -> Receipt:
    """A complaint received by phone, letter, visit, e-mail or the suggestion box, registered by an officer."""
    staff.ensure_role(_REGISTRARS)
    if channel is None:
        missing = {"channel": field_message("required", "channel")}
        try:
            check_draft(draft, today=policy.local_date(now))
        except InvalidInputError as error:
            raise InvalidInputError({**error.fields, **missing}) from None
        raise InvalidInputError(missing)
    return submit_complaint(
        repository,
        draft,
        channel=channel,
        actor=staff.actor,
        idempotency_key=idempotency_key,
        access_code_secret=access_code_secret,
        now=now,
        policy=policy,
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
) -> StaffCaseView:
    """Apply one action to the version of the case the caller saw (a stale version changes nothing),
    and show the case as it now is."""
    case = find_case(repository, typed_number)
    staff.ensure_may_work_on(case)
    if case.version != expected_version:
        raise VersionConflictError()
    changed, event = apply_staff_action(case, action, staff, now=now, policy=policy)
    repository.save(changed, event)
    return _shown(repository, staff, changed, now)
