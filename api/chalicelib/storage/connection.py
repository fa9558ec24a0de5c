"""The process's one connection to DynamoDB: every call of the repositories and of the table upkeep
goes through it, with the models' settings.

PynamoDB builds a connection's botocore client at first use, unguarded, from a new botocore session
of the calling thread (about 60 ms of GIL-bound work: the service model is parsed anew). Requests
that arrived together at cold connections (chalice local serves each on its own thread) each built
one: 50 concurrent staff actions took 10-20 s, since every model kept a connection of its own. Here
there is one connection per configuration, built once under a lock together with its client, and
given each table's ``MetaTable`` from its model (schema.py) at the table's first use, so it never
asks DynamoDB to describe a table.

A model is bound to its table (``Meta.table_name``) at that first use too: PynamoDB's transactions
build their requests from it, so a transaction's tables are asked for before it is written. Nothing
else of a model's own connection is used: no request travels through it.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from pynamodb.connection import Connection
from pynamodb.models import Model

from ..settings import Settings
from .models import ConnectionSettings, bind_models
from .schema import meta_table

__all__ = ["DynamoDB", "all_models", "dynamodb_for", "forget_connections"]


# The setting that names each model's table, by the model's name: a table is described to the
# connection (and its model bound) at its first use, so that a cold lookup imports the cases' models
# alone, not the outbox's or the attachments' modules. all_models() names every model.
_TABLE_SETTINGS: dict[str, str] = {
    "CaseRecord": "cases_table",
    "EventRecord": "events_table",
    "IdempotencyRecordModel": "idempotency_table",
    "AccessLogRecord": "access_log_table",
    "AttemptRecord": "attempts_table",
    "OutboxRecord": "outbox_table",
    "JobCursorRecord": "job_cursors_table",
    "ReportRecord": "reports_table",
    "AttachmentRecord": "attachments_table",
}


def all_models() -> tuple[type[Model], ...]:
    """Every table's model (the table upkeep creates their tables; the schema tests read them)."""
    from .attachment_records import AttachmentRecord
    from .attempt_counter import AttemptRecord
    from .event_records import AccessLogRecord, EventRecord
    from .idempotency_records import IdempotencyRecordModel
    from .job_cursors import JobCursorRecord
    from .models import CaseRecord
    from .outbox_records import OutboxRecord
    from .report_mapping import ReportRecord

    return (
        CaseRecord,
        EventRecord,
        IdempotencyRecordModel,
        AccessLogRecord,
        AttemptRecord,
        OutboxRecord,
        JobCursorRecord,
        ReportRecord,
        AttachmentRecord,
    )


class DynamoDB:
    """A connection with its botocore client already built, and the tables of its configuration."""

    def __init__(self, settings: Settings) -> None:
        connection = Connection(
            region=settings.region,
            host=settings.dynamodb_endpoint_url,
            connect_timeout_seconds=ConnectionSettings.connect_timeout_seconds,
            read_timeout_seconds=ConnectionSettings.read_timeout_seconds,
            max_retry_attempts=ConnectionSettings.max_retry_attempts,
            max_pool_connections=ConnectionSettings.max_pool_connections,
        )
        _ = connection.client  # built now, by the one thread that builds this connection
        self.connection = connection
        self._settings = settings
        self._tables: dict[type[Model], str] = {}
        self._describing = threading.Lock()

    def table(self, model: type[Model]) -> str:
        """The name of ``model``'s table. At its first use the connection is given the table's
        ``MetaTable`` and the model is bound to the table (PynamoDB's transactions read the name from
        the model), under a lock: requests arriving together describe it once."""
        name = self._tables.get(model)
        if name is not None:
            return name
        with self._describing:
            if model not in self._tables:
                name = str(getattr(self._settings, _TABLE_SETTINGS[model.__name__]))
                settings = self._settings
                bind_models({model: name}, region=settings.region, host=settings.dynamodb_endpoint_url)
                self.connection.add_meta_table(meta_table(model, name))
                self._tables[model] = name
            return self._tables[model]


# lru_cache does not keep two threads from building the same value at once: each would build a
# client of its own, the very cost this module saves. The lock makes the first build it and the
# others wait for it (held for a dictionary look-up once it is built).
_BUILDING = threading.Lock()


@lru_cache(maxsize=4)
def _built(settings: Settings) -> DynamoDB:
    return DynamoDB(settings)


def dynamodb_for(settings: Settings) -> DynamoDB:
    """The connection for ``settings``, built at first use (never at import: routes that touch no
    storage keep their cold start short)."""
    with _BUILDING:
        return _built(settings)


def forget_connections() -> None:
    """Drop the built connections (tests and launchers that change the configuration)."""
    with _BUILDING:
        _built.cache_clear()
