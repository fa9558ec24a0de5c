"""The JSON of staff search, a complainant's other complaints and the access log's screens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.deadlines import Policy
from ..domain.tracking import format_code
from ..services.access_log import StaffAccessLog
from ..services.case_search import ComplainantHistory, SearchHit, SearchResult
from ..services.repository import AccessEntry
from .views import iso, queue_item_view

__all__ = ["access_entry_view", "history_view", "search_view", "staff_access_view"]


def _hit_view(hit: SearchHit, now: datetime, policy: Policy) -> dict[str, Any]:
    line = queue_item_view(hit.summary, now, policy, delivery_failed=hit.delivery_failed)
    return {**line, "matched": list(hit.matched)}


def search_view(result: SearchResult, now: datetime, policy: Policy) -> dict[str, Any]:
    """What the search found; ``tracking_no`` is set when the text was a valid tracking number, so
    the console goes straight to the case."""
    number = result.terms.tracking_no
    return {
        "kinds": list(result.terms.kinds),
        "tracking_no": format_code(number) if number else None,
        "items": [_hit_view(hit, now, policy) for hit in result.hits],
        "more": result.more,
    }


def history_view(history: ComplainantHistory, now: datetime, policy: Policy) -> dict[str, Any]:
    return {
        "visible": history.visible,
        "items": [_hit_view(hit, now, policy) for hit in history.hits],
        "more": history.more,
    }


def access_entry_view(entry: AccessEntry) -> dict[str, Any]:
    searched = entry.tracking_no.startswith("search#")
    return {
        "at": iso(entry.at),
        "staff_id": entry.staff_id,
        "staff_name": entry.staff_name,
        "role": entry.role,
        "purpose": entry.purpose,
        "tracking_no": None if searched else format_code(entry.tracking_no),
        # Which kinds of identifier a search looked for; the keyed hashes stay in the log.
        "identifier_kinds": sorted({identifier.split(":", 1)[0] for identifier in entry.identifiers}),
    }


def staff_access_view(log: StaffAccessLog) -> dict[str, Any]:
    return {
        "staff_id": log.staff_id,
        "from": log.since.isoformat(),
        "to": log.until.isoformat(),
        "items": [access_entry_view(entry) for entry in log.entries],
    }
