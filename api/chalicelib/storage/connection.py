"""The process's one connection to DynamoDB: every call of the repositories and of the table upkeep
goes through it, with the models' settings.

PynamoDB builds a connection's botocore client at first use, unguarded, from a new botocore session
of the calling thread (about 60 ms of GIL-bound work: the service model is parsed anew). Requests
that arrived together at cold connections (chalice local serves each on its own thread) each built
one: 50 concurrent staff actions took 10-20 s, since every model kept a connection of its own. Here
there is one connection per configuration, built once under a lock together with its client, and
given each table's ``MetaTable`` from the models (schema.py), so it never asks DynamoDB to describe
a table.

The models keep their ``Meta.table_name`` bound (``bind``): PynamoDB's transactions build their
requests from it. Nothing else of a model's own connection is used: no request travels through it.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from pynamodb.connection import Connection
from pynamodb.models import Model

from ..settings import Settings
from .attachment_records import AttachmentRecord
from .models import (
    AccessLogRecord,
    AttemptRecord,
    CaseRecord,
    ConnectionSettings,
    EventRecord,
    IdempotencyRecordModel,
    JobCursorRecord,
    ReportRecord,
    bind_models,
)
from .outbox_records import OutboxRecord
from .schema import meta_table

__all__ = ["MODELS", "DynamoDB", "bind", "dynamodb_for", "forget_connections", "table_names"]


# Each model and the setting that names its table.
_TABLE_SETTINGS: dict[type[Model], str] = {
    CaseRecord: "cases_table",
    EventRecord: "events_table",
    IdempotencyRecordModel: "idempotency_table",
    AccessLogRecord: "access_log_table",
    AttemptRecord: "attempts_table",
    OutboxRecord: "outbox_table",
    JobCursorRecord: "job_cursors_table",
    ReportRecord: "reports_table",
    AttachmentRecord: "attachments_table",
}
MODELS: tuple[type[Model], ...] = tuple(_TABLE_SETTINGS)


def table_names(settings: Settings) -> dict[type[Model], str]:
    """Each model's table under ``settings``."""
    return {model: str(getattr(settings, name)) for model, name in _TABLE_SETTINGS.items()}


def bind(settings: Settings) -> None:
    bind_models(table_names(settings), region=settings.region, host=settings.dynamodb_endpoint_url)


class DynamoDB:
    """A connection with its botocore client already built, and the names of its tables."""

    def __init__(self, tables: dict[type[Model], str], *, region: str, host: str | None) -> None:
        connection = Connection(
            region=region,
            host=host,
            connect_timeout_seconds=ConnectionSettings.connect_timeout_seconds,
            read_timeout_seconds=ConnectionSettings.read_timeout_seconds,
            max_retry_attempts=ConnectionSettings.max_retry_attempts,
            max_pool_connections=ConnectionSettings.max_pool_connections,
        )
        for model, name in tables.items():
            connection.add_meta_table(meta_table(model, name))
        _ = connection.client  # built now, by the one thread that builds this connection
        self.connection = connection
        self._tables = dict(tables)

    @property
    def models(self) -> tuple[type[Model], ...]:
        return tuple(self._tables)

    def table(self, model: type[Model]) -> str:
        return self._tables[model]


# lru_cache does not keep two threads from building the same value at once: each would build a
# client of its own, the very cost this module saves. The lock makes the first build it and the
# others wait for it (held for a dictionary look-up once it is built).
_BUILDING = threading.Lock()


@lru_cache(maxsize=4)
def _built(settings: Settings) -> DynamoDB:
    bind(settings)
    return DynamoDB(table_names(settings), region=settings.region, host=settings.dynamodb_endpoint_url)


def dynamodb_for(settings: Settings) -> DynamoDB:
    """The connection for ``settings``, built at first use (never at import: routes that touch no
    storage keep their cold start short)."""
    with _BUILDING:
        return _built(settings)


def forget_connections() -> None:
    """Drop the built connections (tests and launchers that change the configuration)."""
    with _BUILDING:
        _built.cache_clear()
