"""Where cases are kept: DynamoDB (PynamoDB) or, for development only, memory."""

from __future__ import annotations

from functools import lru_cache

from ..services.repository import AttemptCounter, CaseRepository, OutboxStore
from ..settings import Settings

__all__ = ["attempt_counter_for", "outbox_for", "repository_for"]


@lru_cache(maxsize=4)
def repository_for(settings: Settings) -> CaseRepository:
    """One repository per configuration, made at first use (not at import: cold starts stay short
    for routes that never touch storage)."""
    if settings.storage == "memory":
        from .memory import MemoryCaseRepository

        return MemoryCaseRepository()
    from .dynamodb import DynamoCaseRepository
    from .tables import bind

    bind(settings)
    return DynamoCaseRepository(region=settings.region, host=settings.dynamodb_endpoint_url)


@lru_cache(maxsize=4)
def attempt_counter_for(settings: Settings) -> AttemptCounter:
    if settings.storage == "memory":
        from .memory import MemoryAttemptCounter

        return MemoryAttemptCounter()
    from .dynamodb import DynamoAttemptCounter
    from .tables import bind

    bind(settings)
    return DynamoAttemptCounter()


@lru_cache(maxsize=4)
def outbox_for(settings: Settings) -> OutboxStore:
    """The outbox the repository of the same configuration writes messages to."""
    if settings.storage == "memory":
        from .memory import MemoryCaseRepository

        repository = repository_for(settings)
        assert isinstance(repository, MemoryCaseRepository)
        return repository.outbox
    from .outbox import DynamoOutbox
    from .tables import bind

    bind(settings)
    return DynamoOutbox()
