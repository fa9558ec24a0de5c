"""Showing an officer how to reach a complainant, on request: the callbacks worklist lists cases
without anyone's identity, and each reveal of a phone number is a view of personal data, logged
before it is answered.

Who may ask is who may call back (the ``callback`` action's roles and department rule), and only
for a complainant they may see: a confidential complaint's contact is for supervisors.
"""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct

from ..domain.action_rules import refused
from ..domain.actions import rule_named
from ..domain.case import Case
from ..domain.errors import ForbiddenError
from ..domain.messages import Message
from ..domain.staff import StaffMember
from .lookup import find_case
from .repository import AccessEntry, CaseRepository

__all__ = ["ContactView", "reveal_contact"]


class ContactView(Struct, frozen=True):
    case: Case


def reveal_contact(
    repository: CaseRepository, staff: StaffMember, typed_number: str, *, now: datetime
) -> ContactView:
    case = find_case(repository, typed_number)
    staff.ensure_role(rule_named("callback").roles)
    staff.ensure_may_work_on(case)
    if not staff.sees_identity_of(case):
        raise ForbiddenError(Message("forbidden_confidential_contact"))
    if not case.reachable:
        raise refused("callback_no_contact")
    repository.record_access(
        AccessEntry(case.tracking_no, now, staff.id, staff.name, staff.primary_role, "contact")
    )
    return ContactView(case)
