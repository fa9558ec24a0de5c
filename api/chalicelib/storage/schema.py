"""Each table's shape (keys, indexes, projections, TTL), read from its model's public definitions:
``Model.get_attributes()`` and each index's ``Meta`` (``index_name``, ``projection``, ``attributes``).

One reading serves the repository's connection (its ``MetaTable``s, so that no DescribeTable call is
ever made at run time: it would add a round trip to every cold start), the creation and upkeep of
tables (tables.py) and the test that keeps infra/resources.json equal to the models.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from msgspec import Struct
from pynamodb.attributes import Attribute, TTLAttribute
from pynamodb.connection.base import MetaTable
from pynamodb.indexes import GlobalSecondaryIndex, Index
from pynamodb.models import Model

__all__ = ["IndexShape", "TableShape", "index_key_names", "indexes_of", "meta_table", "table_shape"]


class IndexShape(Struct, frozen=True):
    name: str
    # [{"AttributeName", "KeyType"}], the hash key first, as DynamoDB describes it.
    key_schema: list[dict[str, str]]
    # {"ProjectionType"[, "NonKeyAttributes"]}
    projection: dict[str, Any]


class TableShape(Struct, frozen=True):
    key_schema: list[dict[str, str]]
    # Every attribute a key of the table or of an index names, once: {"AttributeName", "AttributeType"}.
    attribute_definitions: list[dict[str, str]]
    indexes: list[IndexShape]
    ttl_attribute: str | None


def _key_schema(attributes: dict[str, Attribute[Any]]) -> list[dict[str, str]]:
    keys = [
        {"AttributeName": a.attr_name, "KeyType": "HASH" if a.is_hash_key else "RANGE"}
        for a in attributes.values()
        if a.is_hash_key or a.is_range_key
    ]
    return sorted(keys, key=lambda k: k["KeyType"])  # HASH sorts before RANGE


def _key_attributes(attributes: dict[str, Attribute[Any]]) -> list[Attribute[Any]]:
    return [a for a in attributes.values() if a.is_hash_key or a.is_range_key]


def indexes_of(model: type[Model]) -> list[Index[Any]]:
    """The model's global secondary indexes, in the order they are declared."""
    found: dict[str, Index[Any]] = {}
    for klass in reversed(model.__mro__):
        for value in vars(klass).values():
            if isinstance(value, GlobalSecondaryIndex):
                found[value.Meta.index_name] = value
    return list(found.values())


def _index_shape(index: Index[Any]) -> IndexShape:
    projection = index.Meta.projection
    shape: dict[str, Any] = {"ProjectionType": projection.projection_type}
    if projection.non_key_attributes:
        shape["NonKeyAttributes"] = list(projection.non_key_attributes)
    return IndexShape(index.Meta.index_name, _key_schema(index.Meta.attributes), shape)


def table_shape(model: type[Model]) -> TableShape:
    attributes = model.get_attributes()
    indexes = indexes_of(model)
    definitions: dict[str, str] = {}
    for attribute in _key_attributes(attributes) + [
        a for index in indexes for a in _key_attributes(index.Meta.attributes)
    ]:
        definitions.setdefault(attribute.attr_name, attribute.attr_type)
    ttl = next((a.attr_name for a in attributes.values() if isinstance(a, TTLAttribute)), None)
    return TableShape(
        key_schema=_key_schema(attributes),
        attribute_definitions=[{"AttributeName": n, "AttributeType": t} for n, t in definitions.items()],
        indexes=[_index_shape(index) for index in indexes],
        ttl_attribute=ttl,
    )


def meta_table(model: type[Model], table_name: str) -> MetaTable:
    """What a PynamoDB connection needs to know of a table to build its requests, without asking."""
    shape = table_shape(model)
    return MetaTable(
        {
            "TableName": table_name,
            "KeySchema": shape.key_schema,
            "AttributeDefinitions": shape.attribute_definitions,
            "GlobalSecondaryIndexes": [
                {"IndexName": i.name, "KeySchema": i.key_schema, "Projection": i.projection}
                for i in shape.indexes
            ],
        }
    )


@cache
def index_key_names(model: type[Model], index: Index[Any]) -> frozenset[str]:
    """The attributes of a last evaluated key from ``index``: its keys and the table's."""
    table_keys = {k["AttributeName"] for k in _key_schema(model.get_attributes())}
    return frozenset(table_keys | {k["AttributeName"] for k in _index_shape(index).key_schema})
