"""Where cases are kept: DynamoDB (PynamoDB) or, for development only, memory."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from ..services.repository import AttemptCounter, CaseRepository, JobCursors, OutboxStore
from ..settings import Settings

if TYPE_CHECKING:  # the report's modules load on the report's routes only
    from ..services.identity_keys import IdentityHasher
    from ..services.report_store import ReportStore

__all__ = [
    "attempt_counter_for",
    "forget_storage",
    "identity_hasher_for",
    "job_cursors_for",
    "outbox_for",
    "report_store_for",
    "repository_for",
]


@lru_cache(maxsize=4)
def identity_hasher_for(settings: Settings) -> IdentityHasher:
    """The keyed hashes cases are indexed and searched under (services/identity_keys.py)."""
    from ..services.identity_keys import IdentityHasher

    return IdentityHasher(settings.identity_key_secret)


@lru_cache(maxsize=4)
def repository_for(settings: Settings) -> CaseRepository:
    """One repository per configuration, made at first use (not at import: cold starts stay short
    for routes that never touch storage)."""
    identity = identity_hasher_for(settings)
    if settings.storage == "memory":
        from .memory import MemoryCaseRepository

        return MemoryCaseRepository(identity)
    from .case_repository import DynamoCaseRepository
    from .connection import dynamodb_for

    return DynamoCaseRepository(dynamodb_for(settings), identity)


@lru_cache(maxsize=4)
def attempt_counter_for(settings: Settings) -> AttemptCounter:
    if settings.storage == "memory":
        from .memory import MemoryAttemptCounter

        return MemoryAttemptCounter()
    from .attempt_counter import DynamoAttemptCounter
    from .connection import dynamodb_for

    return DynamoAttemptCounter(dynamodb_for(settings))


@lru_cache(maxsize=4)
def outbox_for(settings: Settings) -> OutboxStore:
    """The outbox the repository of the same configuration writes messages to."""
    if settings.storage == "memory":
        from .memory import MemoryCaseRepository

        repository = repository_for(settings)
        assert isinstance(repository, MemoryCaseRepository)
        return repository.outbox
    from .connection import dynamodb_for
    from .outbox import DynamoOutbox

    return DynamoOutbox(dynamodb_for(settings))


@lru_cache(maxsize=4)
def job_cursors_for(settings: Settings) -> JobCursors:
    if settings.storage == "memory":
        from .memory import MemoryJobCursors

        return MemoryJobCursors()
    from .connection import dynamodb_for
    from .job_cursors import DynamoJobCursors

    return DynamoJobCursors(dynamodb_for(settings))


@lru_cache(maxsize=4)
def report_store_for(settings: Settings) -> ReportStore:
    """Where the monthly report's facts, snapshots and the published statistics are kept. In memory
    they are the memory repository's own: it keeps the facts as it keeps the cases."""
    if settings.storage == "memory":
        from .memory import MemoryCaseRepository

        repository = repository_for(settings)
        assert isinstance(repository, MemoryCaseRepository)
        return repository
    from .connection import dynamodb_for
    from .report_store import DynamoReportStore

    return DynamoReportStore(dynamodb_for(settings))


def forget_storage() -> None:
    """Forget the repositories and connections made so far (tests and launchers that change the
    configuration)."""
    repository_for.cache_clear()
    identity_hasher_for.cache_clear()
    attempt_counter_for.cache_clear()
    outbox_for.cache_clear()
    job_cursors_for.cache_clear()
    report_store_for.cache_clear()
    from .attachment_storage import forget_attachment_storage
    from .connection import forget_connections

    forget_attachment_storage()
    forget_connections()
