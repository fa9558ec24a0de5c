"""Create the tables the settings name, if missing: ``python -m chalicelib.storage.tables`` (cwd api/).

Deployed stages get their tables from CloudFormation (infra/); this is for DynamoDB Local."""

from __future__ import annotations

import sys

from ..settings import Settings, get_settings
from .models import (
    AccessLogRecord,
    AttemptRecord,
    CaseRecord,
    EventRecord,
    IdempotencyRecordModel,
    bind_models,
)

__all__ = ["bind", "ensure_tables", "main"]


def bind(settings: Settings) -> None:
    bind_models(
        cases_table=settings.cases_table,
        events_table=settings.events_table,
        idempotency_table=settings.idempotency_table,
        access_log_table=settings.access_log_table,
        attempts_table=settings.attempts_table,
        region=settings.region,
        host=settings.dynamodb_endpoint_url,
    )


def ensure_tables(settings: Settings) -> list[str]:
    """Create the missing tables (with their indexes and TTL); return the names created."""
    bind(settings)
    created: list[str] = []
    for model in (CaseRecord, EventRecord, IdempotencyRecordModel, AccessLogRecord, AttemptRecord):
        if not model.exists():
            model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
            created.append(model.Meta.table_name)
    return created


def main() -> int:
    settings = get_settings()
    if settings.storage != "dynamodb":
        print("STORAGE is not dynamodb: no tables to create")
        return 0
    created = ensure_tables(settings)
    where = settings.dynamodb_endpoint_url or settings.region
    for name in created:
        print(f"created table {name} ({where})")
    if not created:
        print(f"tables present ({where})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
