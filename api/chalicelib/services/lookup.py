"""Finding a case by the tracking number a person typed."""

from __future__ import annotations

from ..domain.case import Case
from ..domain.errors import CaseNotFoundError, InvalidTrackingNumberError
from ..domain.tracking import parse_tracking_no
from .repository import CaseRepository

__all__ = ["find_case"]


def find_case(repository: CaseRepository, typed_number: str) -> Case:
    """The case, after the check symbol has been verified (a mistyped number never reaches storage)."""
    tracking_no = parse_tracking_no(typed_number)
    if tracking_no is None:
        raise InvalidTrackingNumberError()
    case = repository.get(tracking_no)
    if case is None:
        raise CaseNotFoundError()
    return case
