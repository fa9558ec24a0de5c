"""Finding a case by the tracking number a person typed."""

from __future__ import annotations

from ..domain.case import Case
from ..domain.errors import CaseNotFoundError, InvalidTrackingNumberError
from ..domain.tracking import normalize, tracking_no_problem
from .repository import CaseRepository

__all__ = ["find_case"]


def find_case(repository: CaseRepository, typed_number: str) -> Case:
    """The case, after the check symbol has been verified (a mistyped number never reaches storage)."""
    problem = tracking_no_problem(typed_number)
    if problem is not None:
        raise InvalidTrackingNumberError(problem)
    case = repository.get(normalize(typed_number))
    if case is None:
        raise CaseNotFoundError()
    return case
