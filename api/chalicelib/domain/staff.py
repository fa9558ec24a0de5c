"""Staff members, their roles, and what each role may see and do."""

from __future__ import annotations

from typing import Literal

from msgspec import Struct

from .case import Actor, Case, CaseSummary
from .errors import ForbiddenError
from .messages import Message

__all__ = ["ALL_STAFF", "OFFICE", "RESEND_ROLES", "ROLES", "SUPERVISORS", "Role", "StaffMember"]

Role = Literal["officer", "handler", "supervisor"]
ROLES: tuple[Role, ...] = ("officer", "handler", "supervisor")

# The role sets rules are written with (the only place they are spelled out): everyone; the
# complaint office, which runs the process (registers, accepts, routes, calls back, closes); and
# supervisors, who alone extend time limits, decide reviews and lift confidentiality.
ALL_STAFF: frozenset[Role] = frozenset(ROLES)
OFFICE: frozenset[Role] = frozenset({"officer", "supervisor"})
SUPERVISORS: frozenset[Role] = frozenset({"supervisor"})
# Who may put a message that could not be delivered back in line: the office, which answers for
# telling the complainant (a department's handler sees the messages but does not resend them).
RESEND_ROLES: frozenset[Role] = OFFICE


class StaffMember(Struct, frozen=True):
    id: str
    name: str
    roles: frozenset[Role]
    department: str | None = None

    @property
    def primary_role(self) -> Role:
        order: tuple[Role, ...] = ("supervisor", "officer", "handler")
        for role in order:
            if role in self.roles:
                return role
        raise ForbiddenError(Message("forbidden_role"))

    @property
    def actor(self) -> Actor:
        return Actor(kind="staff", id=self.id, name=self.name, role=self.primary_role)

    @property
    def sees_every_department(self) -> bool:
        return bool(self.roles & OFFICE)

    def ensure_role(self, allowed: frozenset[Role]) -> None:
        if not self.roles & allowed:
            raise ForbiddenError(Message("forbidden_role"))

    def ensure_may_work_on(self, case: Case | CaseSummary) -> None:
        """Handlers work only on the cases of their own department."""
        if self.sees_every_department:
            return
        if "handler" not in self.roles:
            raise ForbiddenError(Message("forbidden_role"))
        if self.department is None or case.department != self.department:
            raise ForbiddenError(Message("forbidden_department"))

    def may_work_on(self, case: Case | CaseSummary) -> bool:
        """The rule above as a question (what a search may list)."""
        try:
            self.ensure_may_work_on(case)
        except ForbiddenError:
            return False
        return True

    def sees_identity_of(self, case: Case | CaseSummary) -> bool:
        """A confidential complaint (about staff conduct; it stays so until a supervisor lifts it)
        shows who complained to supervisors only."""
        return bool(self.roles & SUPERVISORS) or not case.confidential
