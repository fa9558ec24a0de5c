"""Finding cases without their tracking number: staff search, and a complainant's other complaints.

Both look cases up through the identity indexes, whose keys are keyed hashes
(services/identity_keys.py), and both follow the rules of who may see what:
- a handler finds only the cases of their own department, as in the queue;
- a confidential complaint is never found by an identity search of someone who may not see who
  made it: finding it under a phone number would tell them who complained. A tracking number
  reveals nothing about its complainant, so a confidential case is found by its number (its page
  then shows no identity);
- every search is written to the access log first (who, when, which kinds of identifier, each only
  as its keyed hash), so no search goes unrecorded even when it fails afterwards.
"""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct
from msgspec.structs import replace

from ..domain.case import CaseSummary
from ..domain.deadlines import Policy
from ..domain.search_terms import IdentifierKind, SearchTerms, read_search
from ..domain.staff import StaffMember
from .identity_keys import IdentityHasher
from .lookup import find_case
from .repository import AccessEntry, CaseRepository, OutboxStore
from .staff_cases import failed_deliveries

__all__ = [
    "SEARCH_LIMIT",
    "ComplainantHistory",
    "SearchHit",
    "SearchResult",
    "complainant_history",
    "search_cases",
]

# More than this many cases under one identifier is rare (a frequent complainant): the console says
# there are more and the officer narrows the search.
SEARCH_LIMIT = 50


class SearchHit(Struct, frozen=True):
    summary: CaseSummary
    # What the case was found by: "tracking_no", or the kinds of identifier it matched.
    matched: tuple[str, ...]
    # A message about the case could not be delivered (flagged as in the queue).
    delivery_failed: bool = False


class SearchResult(Struct, frozen=True):
    terms: SearchTerms
    hits: list[SearchHit]
    # More cases matched than are listed.
    more: bool


class ComplainantHistory(Struct, frozen=True):
    # False when the viewer may not see who made the case (confidential): nothing is looked up.
    visible: bool
    hits: list[SearchHit]
    more: bool


def _entry(
    staff: StaffMember, at: datetime, where: str, purpose: str, identifiers: tuple[str, ...]
) -> AccessEntry:
    return AccessEntry(
        tracking_no=where,
        at=at,
        staff_id=staff.id,
        staff_name=staff.name,
        role=staff.primary_role,
        purpose=purpose,
        identifiers=identifiers,
    )


def _flagged(outbox: OutboxStore, hits: list[SearchHit]) -> list[SearchHit]:
    failed = failed_deliveries(outbox, [hit.summary.tracking_no for hit in hits])
    return [replace(hit, delivery_failed=hit.summary.tracking_no in failed) for hit in hits]


def _identity_hits(
    repository: CaseRepository,
    staff: StaffMember,
    keys: list[tuple[IdentifierKind, str]],
    *,
    limit: int,
    leave_out: str | None = None,
) -> tuple[list[SearchHit], bool]:
    """The cases indexed under ``keys`` that ``staff`` may find by who made them, newest first."""
    matched: dict[str, list[str]] = {}
    for kind, key in keys:
        for number in repository.cases_with_identifier(kind, key, limit + 1):
            if number != leave_out:
                matched.setdefault(number, []).append(kind)
    found = [
        s for s in repository.summaries(list(matched)) if staff.may_work_on(s) and staff.sees_identity_of(s)
    ]
    found.sort(key=lambda s: (s.submitted_at, s.tracking_no), reverse=True)
    hits = [SearchHit(s, tuple(matched[s.tracking_no])) for s in found]
    return hits[:limit], len(hits) > limit


def search_cases(
    repository: CaseRepository,
    outbox: OutboxStore,
    identity: IdentityHasher,
    staff: StaffMember,
    text: str | None,
    *,
    now: datetime,
    policy: Policy,
    limit: int = SEARCH_LIMIT,
) -> SearchResult:
    """The cases ``text`` finds for ``staff`` (a bad text is refused before anything is logged)."""
    terms = read_search(text)
    if terms.tracking_no is not None:
        identifiers: tuple[str, ...] = (f"tracking_no:{terms.tracking_no}",)
        keys: list[tuple[IdentifierKind, str]] = []
    else:
        keys = [(t.kind, identity.key(t.kind, t.normalised)) for t in terms.identifiers]
        identifiers = tuple(f"{kind}:{key}" for kind, key in keys)
    # Searches are kept by the day they were made on (Beijing time), beside the cases' entries.
    where = f"search#{policy.local_date(now).isoformat()}"
    repository.record_access(_entry(staff, now, where, "search", identifiers))
    if terms.tracking_no is not None:
        case = repository.get(terms.tracking_no)
        found = case is not None and staff.may_work_on(case)
        hits = [SearchHit(case.summary, ("tracking_no",))] if case is not None and found else []
        return SearchResult(terms, _flagged(outbox, hits), more=False)
    hits, more = _identity_hits(repository, staff, keys, limit=limit)
    return SearchResult(terms, _flagged(outbox, hits), more)


def complainant_history(
    repository: CaseRepository,
    outbox: OutboxStore,
    identity: IdentityHasher,
    staff: StaffMember,
    typed_number: str,
    *,
    now: datetime,
    limit: int = SEARCH_LIMIT,
) -> ComplainantHistory:
    """The other complaints of the complainant of a case (the same phone, e-mail address or credit
    code), so an officer sees a repeat complaint at once. A case whose complainant the viewer may
    not see has no history for them: listing it would link the case to the others."""
    case = find_case(repository, typed_number)
    staff.ensure_may_work_on(case)
    if not staff.sees_identity_of(case):
        return ComplainantHistory(visible=False, hits=[], more=False)
    keys = list(identity.of(case.complainant).contacts())
    if not keys:
        return ComplainantHistory(visible=True, hits=[], more=False)
    identifiers = tuple(f"{kind}:{key}" for kind, key in keys)
    repository.record_access(_entry(staff, now, case.tracking_no, "history", identifiers))
    hits, more = _identity_hits(repository, staff, keys, limit=limit, leave_out=case.tracking_no)
    return ComplainantHistory(visible=True, hits=_flagged(outbox, hits), more=more)
