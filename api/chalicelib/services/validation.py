"""Checking a complaint without filing it.

The portal asks before its "check your answers" step (``POST /complaints?dry_run=true``), so that
people see every mistake first and only confirm answers that filing will accept.
"""

from __future__ import annotations

from datetime import datetime

from ..domain.complaint import ComplaintDraft, check_draft
from ..domain.deadlines import Policy

__all__ = ["check_complaint"]


def check_complaint(draft: ComplaintDraft, *, now: datetime, policy: Policy) -> None:
    """Apply exactly the rules filing applies (raising ``InvalidInputError`` naming every field that
    breaks one), with the same "today" (``submit_complaint`` takes it from the same policy).
    Reads and writes nothing: no case, no event, no idempotency record."""
    check_draft(draft, today=policy.local_date(now))
