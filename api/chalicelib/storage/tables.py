"""Create the tables the settings name, or bring existing ones up to date:
``python -m chalicelib.storage.tables`` (cwd api/).

For DynamoDB Local, where a developer's data outlives changes to the models: missing or changed
indexes are (re)built, and cases written before an attribute the indexes need existed get it.
Deployed stages get their tables from CloudFormation (infra/). This is a maintenance tool, not a
request path: it may Scan.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from ..settings import Settings, get_settings
from .dynamodb import case_from_record, case_to_record
from .models import (
    AccessLogRecord,
    AttemptRecord,
    CaseRecord,
    EventRecord,
    IdempotencyRecordModel,
    bind_model,
    bind_models,
)
from .outbox_records import OutboxRecord

__all__ = ["bind", "ensure_tables", "main"]

_MODELS = (CaseRecord, EventRecord, IdempotencyRecordModel, AccessLogRecord, AttemptRecord, OutboxRecord)
_WAIT_SECONDS = 120


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
    bind_model(
        OutboxRecord, settings.outbox_table, region=settings.region, host=settings.dynamodb_endpoint_url
    )


def _client(model: Any) -> Any:
    return model._get_connection().connection.client


def _wanted_indexes(model: Any) -> dict[str, dict[str, Any]]:
    schema = model._get_schema()
    return {
        index["index_name"]: {
            "KeySchema": sorted(index["key_schema"], key=lambda k: k["KeyType"]),
            "Projection": {
                "ProjectionType": index["projection"]["ProjectionType"],
                **(
                    {"NonKeyAttributes": sorted(index["projection"]["NonKeyAttributes"])}
                    if "NonKeyAttributes" in index["projection"]
                    else {}
                ),
            },
            "AttributeDefinitions": index["attribute_definitions"],
        }
        for index in schema["global_secondary_indexes"]
    }


def _existing_indexes(description: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        index["IndexName"]: {
            "KeySchema": sorted(index["KeySchema"], key=lambda k: k["KeyType"]),
            "Projection": {
                "ProjectionType": index["Projection"]["ProjectionType"],
                **(
                    {"NonKeyAttributes": sorted(index["Projection"]["NonKeyAttributes"])}
                    if "NonKeyAttributes" in index["Projection"]
                    else {}
                ),
            },
        }
        for index in description.get("GlobalSecondaryIndexes", [])
    }


def _wait_until_settled(client: Any, table: str, gone: str | None = None) -> dict[str, Any]:
    deadline = time.monotonic() + _WAIT_SECONDS
    while True:
        description: dict[str, Any] = client.describe_table(TableName=table)["Table"]
        indexes = description.get("GlobalSecondaryIndexes", [])
        busy = description["TableStatus"] != "ACTIVE" or any(
            i.get("IndexStatus") != "ACTIVE" for i in indexes
        )
        if not busy and all(i["IndexName"] != gone for i in indexes):
            return description
        if time.monotonic() > deadline:
            raise TimeoutError(f"{table}: indexes still changing after {_WAIT_SECONDS} s")
        time.sleep(0.2)


def _sync_indexes(model: Any) -> list[str]:
    client, table = _client(model), model.Meta.table_name
    existing = _existing_indexes(_wait_until_settled(client, table))
    wanted = _wanted_indexes(model)
    changes = []
    for name, index in existing.items():
        target = wanted.get(name)
        if target is None or {k: target[k] for k in ("KeySchema", "Projection")} != index:
            client.update_table(
                TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": name}}]
            )
            _wait_until_settled(client, table, gone=name)
            changes.append(f"{table}: dropped index {name} (changed or no longer used)")
    current = _existing_indexes(_wait_until_settled(client, table))
    for name, index in wanted.items():
        if name in current:
            continue
        client.update_table(
            TableName=table,
            AttributeDefinitions=index["AttributeDefinitions"],
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": name,
                        "KeySchema": index["KeySchema"],
                        "Projection": index["Projection"],
                    }
                }
            ],
        )
        _wait_until_settled(client, table)
        changes.append(f"{table}: built index {name}")
    return changes


def _entries_from_maps(item: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """An older item's list of maps (``deadlines``/``milestones``) as the JSON entries read now."""
    entries = []
    for element in item.get(name, {}).get("L", []):
        fields = element["M"]
        entry: dict[str, Any] = {}
        for key, value in fields.items():
            if "S" in value:
                text = value["S"]
                is_time = key in ("due_at", "met_at", "at")
                entry[key] = CaseRecord.queue_at.deserialize(text).isoformat() if is_time else text
            elif "BOOL" in value:
                entry[key] = value["BOOL"]
            else:
                entry[key] = None
        if name == "deadlines":
            entry.setdefault("met_at", None)
        entries.append(entry)
    return entries


def _convert_older_items() -> list[str]:
    """Cases written before deadlines and milestones were kept as JSON get them converted."""
    client, table = _client(CaseRecord), CaseRecord.Meta.table_name
    converted = 0
    pages = client.get_paginator("scan").paginate(
        TableName=table, FilterExpression="attribute_not_exists(deadline_entries)"
    )
    for page in pages:
        for item in page["Items"]:
            client.update_item(
                TableName=table,
                Key={"tracking_no": item["tracking_no"]},
                UpdateExpression="SET deadline_entries = :d, milestone_entries = :m REMOVE deadlines, milestones",
                ExpressionAttributeValues={
                    ":d": {"S": json.dumps(_entries_from_maps(item, "deadlines"))},
                    ":m": {"S": json.dumps(_entries_from_maps(item, "milestones"))},
                },
            )
            converted += 1
    return [f"{table}: converted {converted} older cases' deadlines and milestones"] if converted else []


def _backfill_queue_attributes() -> list[str]:
    """Cases written before the queue's attributes existed get them (without a new version)."""
    client, table = _client(CaseRecord), CaseRecord.Meta.table_name
    lacking = CaseRecord.queue_key.does_not_exist() | (
        CaseRecord.queue.exists() & CaseRecord.next_due_kind.does_not_exist()
    )
    updated = 0
    for record in CaseRecord.scan(lacking):
        derived = case_to_record(case_from_record(record))
        values = {
            ":key": {"S": derived.queue_key},
            ":at": {"S": CaseRecord.queue_at.serialize(derived.queue_at)},
        }
        expression = "SET queue_key = :key, queue_at = :at"
        if derived.queue:
            expression += ", #queue = :queue, next_due_kind = :kind"
            values[":queue"] = {"S": derived.queue}
            values[":kind"] = {"S": derived.next_due_kind or ""}
        client.update_item(
            TableName=table,
            Key={"tracking_no": {"S": record.tracking_no}},
            UpdateExpression=expression,
            ExpressionAttributeValues=values,
            **({"ExpressionAttributeNames": {"#queue": "queue"}} if derived.queue else {}),
        )
        updated += 1
    return [f"{table}: gave {updated} older cases their queue attributes"] if updated else []


def ensure_tables(settings: Settings) -> list[str]:
    """Create missing tables (with their indexes and TTL) and update existing ones; say what changed."""
    bind(settings)
    changes: list[str] = []
    for model in _MODELS:
        if not model.exists():
            model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
            changes.append(f"created table {model.Meta.table_name}")
        else:
            changes += _sync_indexes(model)
    changes += _convert_older_items()
    changes += _backfill_queue_attributes()
    return changes


def main() -> int:
    settings = get_settings()
    if settings.storage != "dynamodb":
        print("STORAGE is not dynamodb: no tables to create")
        return 0
    changes = ensure_tables(settings)
    where = settings.dynamodb_endpoint_url or settings.region
    for change in changes:
        print(f"{change} ({where})")
    if not changes:
        print(f"tables present and current ({where})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
