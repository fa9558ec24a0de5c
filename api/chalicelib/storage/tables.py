"""Create the tables the settings name, or bring existing ones up to date:
``python -m chalicelib.storage.tables`` (cwd api/).

For DynamoDB Local, where a developer's data outlives changes to the models, and for a deployed
stage's data after an upgrade: missing or changed indexes are (re)built, and cases written before an
attribute the indexes or the monthly report need existed get it.
Deployed stages get their tables from CloudFormation (infra/). This is a maintenance tool, not a
request path: it may Scan.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime, timezone
from typing import Any

from ..domain.case import Case
from ..domain.deadlines import default_policy
from ..domain.months import Month
from ..domain.report_facts import FINISHED, CaseFacts, Marks, core_of, fact_months, marks_of
from ..services.identity_keys import IdentityHasher, IdentityKeys
from ..settings import Settings, get_settings
from .case_mapping import WAITING, case_from_record, case_to_record
from .case_repository import DynamoCaseRepository
from .connection import DynamoDB, all_models, dynamodb_for
from .models import CaseRecord
from .report_mapping import ReportRecord, facts_record
from .schema import TableShape, table_shape

__all__ = ["ensure_tables", "main"]

_WAIT_SECONDS = 120


def _projection(projection: dict[str, Any]) -> dict[str, Any]:
    return {
        "ProjectionType": projection["ProjectionType"],
        **(
            {"NonKeyAttributes": sorted(projection["NonKeyAttributes"])}
            if "NonKeyAttributes" in projection
            else {}
        ),
    }


def _wanted_indexes(shape: TableShape) -> dict[str, dict[str, Any]]:
    types = {a["AttributeName"]: a["AttributeType"] for a in shape.attribute_definitions}
    return {
        index.name: {
            "KeySchema": index.key_schema,
            "Projection": _projection(index.projection),
            "AttributeDefinitions": [
                {"AttributeName": k["AttributeName"], "AttributeType": types[k["AttributeName"]]}
                for k in index.key_schema
            ],
        }
        for index in shape.indexes
    }


def _existing_indexes(description: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        index["IndexName"]: {
            "KeySchema": sorted(index["KeySchema"], key=lambda k: k["KeyType"]),
            "Projection": _projection(index["Projection"]),
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


def _sync_indexes(client: Any, table: str, shape: TableShape) -> list[str]:
    existing = _existing_indexes(_wait_until_settled(client, table))
    wanted = _wanted_indexes(shape)
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


def _backfill_extension_queue(client: Any, table: str) -> list[str]:
    """Cases whose extension request was asked for before the extension queue existed join it."""
    pages = client.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="attribute_exists(extension_request) AND attribute_not_exists(extension_waiting)",
        ProjectionExpression="tracking_no",
    )
    updated = 0
    for item in (item for page in pages for item in page["Items"]):
        try:
            client.update_item(
                TableName=table,
                Key={"tracking_no": item["tracking_no"]},
                # Not if the request was decided meanwhile (a staff action rewrites the whole item).
                ConditionExpression="attribute_exists(extension_request)",
                UpdateExpression="SET extension_waiting = :waiting",
                ExpressionAttributeValues={":waiting": {"S": WAITING}},
            )
        except client.exceptions.ConditionalCheckFailedException:
            continue
        updated += 1
    return [f"{table}: {updated} waiting extension requests joined the extension queue"] if updated else []


def _convert_older_items(client: Any, table: str) -> list[str]:
    """Cases written before deadlines and milestones were kept as JSON get them converted."""
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


def _backfill_queue_attributes(client: Any, table: str) -> list[str]:
    """Cases written before the queue's attributes existed get them (without a new version)."""
    pages = client.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="attribute_not_exists(queue_key) OR "
        "(attribute_exists(#queue) AND attribute_not_exists(next_due_kind))",
        ExpressionAttributeNames={"#queue": "queue"},
    )
    updated = 0
    for record in (CaseRecord.from_raw_data(item) for page in pages for item in page["Items"]):
        derived = case_to_record(case_from_record(record), IdentityKeys())
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


def _months_open(case: Case, now: datetime, zone: timezone) -> set[Month]:
    """Every month ``case`` was open in, from its receipt to its closing or withdrawal (or now)."""
    finished = case.status in FINISHED and case.milestones
    last = Month.of(case.milestones[-1].at if finished else now, zone)
    month, months = Month.of(case.submitted_at, zone), set()
    while month <= last:
        months.add(month)
        month = month.shifted(1)
    return months


def _set_keys(client: Any, table: str, number: dict[str, str], keys: IdentityKeys, *markers: str) -> None:
    """Give a stored case the keyed hashes of all its identifiers, and the markers saying what it
    now has (``search_keys``: every key)."""
    values: dict[str, Any] = {":true": {"BOOL": True}}
    expression = [f"{marker} = :true" for marker in (*markers, "search_keys")]
    for name in ("phone", "email", "credit_code", "name", "organization"):
        key = getattr(keys, name)
        if key is not None:
            values[f":{name}"] = {"S": key}
            expression.append(f"{name}_key = :{name}")
    client.update_item(
        TableName=table,
        Key={"tracking_no": number},
        UpdateExpression="SET " + ", ".join(expression),
        ExpressionAttributeValues=values,
    )


def _backfill_report_facts(dynamodb: DynamoDB, settings: Settings) -> list[str]:
    """Cases written before the monthly report kept facts get them, in every month they concern
    and every month they were open in (as the scheduled job would have carried them), and the keyed
    hashes of their complainant's identifiers; their version stays as it is."""
    client: Any = dynamodb.connection.client
    cases, reports = dynamodb.table(CaseRecord), dynamodb.table(ReportRecord)
    repository = DynamoCaseRepository(dynamodb, IdentityHasher(settings.identity_key_secret))
    hasher = IdentityHasher(settings.identity_key_secret)
    zone, now = default_policy().zone, datetime.now(UTC)
    pages = client.get_paginator("scan").paginate(
        TableName=cases, FilterExpression="attribute_not_exists(report_facts)"
    )
    updated = 0
    for item in (item for page in pages for item in page["Items"]):
        case = case_from_record(CaseRecord.from_raw_data(item))
        events = repository.history(case.tracking_no)
        marks = Marks()
        months = _months_open(case, now, zone)
        for event in events:
            marks = marks.then(marks_of(event))
            months |= fact_months(case, event, zone)
        keys = hasher.of(case.complainant)
        facts = CaseFacts(core_of(case, keys.present()), marks)
        for month in months:
            client.put_item(TableName=reports, Item=facts_record(str(month), facts).serialize())
        _set_keys(client, cases, item["tracking_no"], keys, "report_facts")
        updated += 1
    return [f"{cases}: gave {updated} older cases their report facts and identity keys"] if updated else []


def _backfill_search_keys(dynamodb: DynamoDB, settings: Settings) -> list[str]:
    """Cases written before search existed get the keys of every identifier they are found by
    (their version stays as it is)."""
    client: Any = dynamodb.connection.client
    cases = dynamodb.table(CaseRecord)
    hasher = IdentityHasher(settings.identity_key_secret)
    pages = client.get_paginator("scan").paginate(
        TableName=cases, FilterExpression="attribute_not_exists(search_keys)"
    )
    updated = 0
    for item in (item for page in pages for item in page["Items"]):
        keys = hasher.of(case_from_record(CaseRecord.from_raw_data(item)).complainant)
        _set_keys(client, cases, item["tracking_no"], keys)
        updated += 1
    return [f"{cases}: gave {updated} older cases the keys staff search finds them by"] if updated else []


def _create_table(client: Any, table: str, shape: TableShape) -> None:
    indexes = [
        {"IndexName": i.name, "KeySchema": i.key_schema, "Projection": i.projection} for i in shape.indexes
    ]
    client.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=shape.key_schema,
        AttributeDefinitions=shape.attribute_definitions,
        **({"GlobalSecondaryIndexes": indexes} if indexes else {}),
    )
    _wait_until_settled(client, table)
    if shape.ttl_attribute:
        client.update_time_to_live(
            TableName=table, TimeToLiveSpecification={"AttributeName": shape.ttl_attribute, "Enabled": True}
        )


def _exists(client: Any, table: str) -> bool:
    try:
        client.describe_table(TableName=table)
    except client.exceptions.ResourceNotFoundException:
        return False
    return True


def ensure_tables(settings: Settings) -> list[str]:
    """Create missing tables (with their indexes and TTL) and update existing ones; say what changed."""
    dynamodb = dynamodb_for(settings)
    client: Any = dynamodb.connection.client
    changes: list[str] = []
    for model in all_models():
        table, shape = dynamodb.table(model), table_shape(model)
        if not _exists(client, table):
            _create_table(client, table, shape)
            changes.append(f"created table {table}")
        else:
            changes += _sync_indexes(client, table, shape)
    cases = dynamodb.table(CaseRecord)
    changes += _convert_older_items(client, cases)
    changes += _backfill_queue_attributes(client, cases)
    changes += _backfill_extension_queue(client, cases)
    changes += _backfill_report_facts(dynamodb, settings)
    changes += _backfill_search_keys(dynamodb, settings)
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
