"""The tables' shapes read from the models' public definitions (storage/schema.py) are PynamoDB's
own: keys, attribute definitions, indexes with their projections, and the TTL attribute. PynamoDB's
private schema methods serve here only as the oracle."""

from __future__ import annotations

from typing import Any

import pytest
from pynamodb.models import Model

from chalicelib.settings import Settings
from chalicelib.storage.connection import _TABLE_SETTINGS, all_models
from chalicelib.storage.models import CaseRecord
from chalicelib.storage.schema import index_key_names, meta_table, table_shape


def _pynamodb_shape(model: type[Model]) -> dict[str, Any]:
    schema = model._get_schema()
    ttl = model._ttl_attribute()  # type: ignore[no-untyped-call]
    return {
        "keys": sorted((k["AttributeName"], k["KeyType"]) for k in schema["key_schema"]),
        "attributes": sorted(
            (a["AttributeName"], a["AttributeType"]) for a in schema["attribute_definitions"]
        ),
        "indexes": sorted(
            (
                i["index_name"],
                tuple(sorted((k["AttributeName"], k["KeyType"]) for k in i["key_schema"])),
                i["projection"]["ProjectionType"],
                tuple(sorted(i["projection"].get("NonKeyAttributes", []))),
            )
            for i in schema["global_secondary_indexes"]
        ),
        "ttl": ttl.attr_name if ttl is not None else None,
    }


def _our_shape(model: type[Model]) -> dict[str, Any]:
    shape = table_shape(model)
    return {
        "keys": sorted((k["AttributeName"], k["KeyType"]) for k in shape.key_schema),
        "attributes": sorted((a["AttributeName"], a["AttributeType"]) for a in shape.attribute_definitions),
        "indexes": sorted(
            (
                i.name,
                tuple(sorted((k["AttributeName"], k["KeyType"]) for k in i.key_schema)),
                i.projection["ProjectionType"],
                tuple(sorted(i.projection.get("NonKeyAttributes", []))),
            )
            for i in shape.indexes
        ),
        "ttl": shape.ttl_attribute,
    }


@pytest.mark.parametrize("model", all_models(), ids=lambda model: model.__name__)
def test_each_tables_shape_is_the_one_pynamodb_would_create(model: type[Model]) -> None:
    assert _our_shape(model) == _pynamodb_shape(model)


@pytest.mark.parametrize("model", all_models(), ids=lambda model: model.__name__)
def test_the_meta_table_names_every_key_the_connection_builds_requests_with(model: type[Model]) -> None:
    meta = meta_table(model, "a-table")
    shape = table_shape(model)
    assert meta.table_name == "a-table"
    assert meta.hash_keyname == next(k["AttributeName"] for k in shape.key_schema if k["KeyType"] == "HASH")
    for index in shape.indexes:
        assert meta.has_index_name(index.name)  # type: ignore[no-untyped-call]
        hash_key = next(k["AttributeName"] for k in index.key_schema if k["KeyType"] == "HASH")
        assert meta.get_index_hash_keyname(index.name) == hash_key


def test_a_queue_cursor_holds_the_keys_of_its_index_and_the_table() -> None:
    assert index_key_names(CaseRecord, CaseRecord.open_queue) == {"tracking_no", "queue", "queue_key"}
    assert index_key_names(CaseRecord, CaseRecord.by_month) == {
        "tracking_no",
        "submitted_month",
        "submitted_at",
    }
    for index in (CaseRecord.status_queue, CaseRecord.department_queue, CaseRecord.open_queue):
        schema = index._get_schema()
        assert index_key_names(CaseRecord, index) == {
            "tracking_no",
            *(k["AttributeName"] for k in schema["key_schema"]),
        }


def test_every_model_has_the_setting_that_names_its_table() -> None:
    # The connection finds a model's table by the model's name (it imports no model it is not asked
    # for): each model is named there once, with a setting that exists.
    assert sorted(model.__name__ for model in all_models()) == sorted(_TABLE_SETTINGS)
    assert set(_TABLE_SETTINGS.values()) <= set(Settings.__struct_fields__)
