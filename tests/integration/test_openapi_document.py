"""The OpenAPI document (api/openapi.yaml) against the app itself: a valid OpenAPI 3.1 document that
lists exactly the app's routes, puts exactly the routes behind the staff authorizer behind the bearer
scheme, and describes request bodies and query parameters as the pydantic models read them.

What the API answers is checked against the same document by schemathesis (test_schemathesis.py)."""

from __future__ import annotations

import re
from typing import Any, get_args

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel

from app import app
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.vocabulary import categories, departments, rejection_reasons, terms
from chalicelib.settings import get_settings, reset_settings
from chalicelib.web.schemas import (
    COMPLAINANT_BODIES,
    ActionBody,
    ComplaintSubmission,
    QueueParameters,
    ReportParameters,
    StaffComplaintRegistration,
    StatisticsParameters,
)
from tests.support.openapi import documented_operations, load_openapi

ROUTES = {(path, method) for path, methods in app.routes.items() for method in methods}
# The constraints compared with what pydantic's own JSON schema of a model says.
CONSTRAINTS = ("minimum", "maximum", "minLength", "maxLength", "pattern", "format")
# Codes the domain checks against the catalog: plain text to pydantic, an enumeration in the document.
CATALOG_CODES = {
    "category": set(categories()),
    "department": set(departments()),
    "reason_code": set(rejection_reasons()),
}
# Where the document admits more JSON types than pydantic's schema shows, and why.
WIDER_TYPES = {"claim_amount": {"number"}}  # a number is read as the text a person would have typed


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = load_openapi()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _schema(name: str) -> dict[str, Any]:
    return _resolve({"$ref": f"#/components/schemas/{name}"})


def _branches(node: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """The non-null alternatives of a (JSON or OpenAPI) schema, and whether null is allowed."""
    node = _resolve(node)
    alternatives = node.get("anyOf") or node.get("oneOf")
    if alternatives:
        branches, nullable = [], False
        for alternative in alternatives:
            inner, inner_null = _branches(alternative)
            branches += inner
            nullable |= inner_null
        return branches, nullable
    types = node.get("type")
    types = set(types) if isinstance(types, list) else {types} if types else set()
    nullable = "null" in types or None in node.get("enum", [])
    if types == {"null"}:
        return [], True
    branch = {**node, "type": sorted(types - {"null"})}
    if "enum" in node:
        branch["enum"] = [value for value in node["enum"] if value is not None]
    return [branch], nullable


def _shape(node: dict[str, Any]) -> dict[str, Any]:
    branches, nullable = _branches(node)
    enum: set[Any] | None = None
    types: set[str] = set()
    constraints: dict[str, Any] = {}
    for branch in branches:
        types |= set(branch.get("type") or [])
        if "const" in branch:
            enum = (enum or set()) | {branch["const"]}
            types.add("string")
        if "enum" in branch:
            enum = (enum or set()) | set(branch["enum"])
        constraints |= {key: branch[key] for key in CONSTRAINTS if key in branch}
    return {"nullable": nullable, "enum": enum, "types": types, "constraints": constraints}


def _inline_definitions(node: Any, definitions: dict[str, Any]) -> Any:
    """pydantic's schema with its ``$defs`` references (the domain's enumerations) written in place."""
    if isinstance(node, dict):
        reference = node.get("$ref", "")
        if reference.startswith("#/$defs/"):
            return _inline_definitions(definitions[reference.removeprefix("#/$defs/")], definitions)
        return {key: _inline_definitions(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline_definitions(item, definitions) for item in node]
    return node


def _assert_describes(
    model: type[BaseModel], documented: dict[str, Any], name: str, *, query: bool = False
) -> None:
    """``documented`` (an object schema) has the model's fields, required ones, enumerations,
    null-ness (not for query parameters: a query has no null), JSON types and constraints, and
    refuses unknown fields as the model does."""
    schema = model.model_json_schema()
    wire = _inline_definitions(schema, schema.get("$defs", {}))
    assert documented.get("additionalProperties") is False, f"{name}: unknown fields are refused"
    assert set(documented["properties"]) == set(model.model_fields), name
    assert set(documented.get("required", [])) == set(wire.get("required", [])), name
    for field, expected in wire["properties"].items():
        want, have = _shape(expected), _shape(documented["properties"][field])
        where = f"{name}.{field}"
        assert query or have["nullable"] == want["nullable"], f"{where}: null"
        if want["enum"] is not None:
            assert have["enum"] == want["enum"], f"{where}: choices"
        elif field in CATALOG_CODES and not query:  # a filter may name any code: no match, no error
            assert have["enum"] == CATALOG_CODES[field], f"{where}: the catalog's codes"
        else:
            assert have["enum"] is None, f"{where}: no choices"
        assert have["types"] - want["types"] == WIDER_TYPES.get(field, set()), f"{where}: types"
        assert want["types"] <= have["types"], f"{where}: types"
        for key, value in want["constraints"].items():
            assert have["constraints"].get(key) == value, f"{where}: {key}"


def test_the_document_is_a_valid_openapi_3_1_document() -> None:
    document = load_openapi()
    assert document["openapi"].startswith("3.1.")
    validate(document)


def test_every_route_of_the_app_is_documented_and_nothing_else() -> None:
    documented = set(documented_operations())
    assert ROUTES - documented == set(), "routes the document leaves out"
    assert documented - ROUTES == set(), "documented operations the app does not have"


def test_the_routes_behind_the_staff_authorizer_and_only_they_need_the_bearer_token() -> None:
    for (path, method), operation in documented_operations().items():
        behind_authorizer = app.routes[path][method].authorizer is not None
        expected: list[dict[str, list[str]]] = [{"staffToken": []}] if behind_authorizer else []
        assert operation["security"] == expected, f"{method} {path}"
    scheme = load_openapi()["components"]["securitySchemes"]["staffToken"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")


def test_path_parameters_are_the_routes_own() -> None:
    for (path, method), operation in documented_operations().items():
        declared = {p["name"] for p in map(_resolve, operation.get("parameters", [])) if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), f"{method} {path}"


def test_error_answers_have_the_one_error_shape_and_the_statuses_each_kind_of_route_can_give() -> None:
    for (path, method), operation in documented_operations().items():
        responses = {status: _resolve(r) for status, r in operation["responses"].items()}
        where = f"{method} {path}"
        # A route that answers only with pages (the status page without JavaScript) errs in pages.
        pages_only = set(responses.get("200", {}).get("content", {})) == {"text/html"}
        for status, response in responses.items():
            if int(status) >= 400 and pages_only:
                assert response["content"] == {
                    "text/html": {"schema": {"$ref": "#/components/schemas/HtmlPage"}}
                }, f"{where} {status}"
            elif int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, f"{where} {status}"
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(responses), where
        if operation["security"]:
            assert {"401", "403"} <= set(responses), where
        if "tracking_no" in path and method != "OPTIONS":
            assert {"400", "404"} <= set(responses), where
        if method == "OPTIONS":
            assert set(responses) == {"204"}, where


def test_the_documented_body_limit_is_the_default_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAX_BODY_BYTES", raising=False)
    reset_settings()
    try:
        limit = get_settings().max_body_bytes
    finally:
        reset_settings()
    description = load_openapi()["info"]["description"]
    assert f"`MAX_BODY_BYTES` ({limit:,} bytes".replace(",", " ") in description


def test_the_complaint_bodies_are_the_models() -> None:
    operations = documented_operations()
    public = operations[("/complaints", "POST")]["requestBody"]["content"]
    _assert_describes(
        ComplaintSubmission, _resolve(public["application/json"]["schema"]), "ComplaintSubmission"
    )
    staff = operations[("/admin/complaints", "POST")]["requestBody"]["content"]
    assert set(staff) == {"application/json"}
    _assert_describes(
        StaffComplaintRegistration,
        _resolve(staff["application/json"]["schema"]),
        "StaffComplaintRegistration",
    )


def test_the_form_post_has_the_complaints_fields_as_text() -> None:
    form = _resolve(
        documented_operations()[("/complaints", "POST")]["requestBody"]["content"][
            "application/x-www-form-urlencoded"
        ]["schema"]
    )
    assert form["additionalProperties"] is False
    assert set(form["properties"]) == set(ComplaintSubmission.model_fields)
    for field, expected in ComplaintSubmission.model_json_schema()["properties"].items():
        have = _shape(form["properties"][field])
        assert have["types"] == {"string"}, field
        assert not have["nullable"], field
        want = _shape(expected)
        if "boolean" in want["types"]:
            assert have["enum"] == {"true", "false"}, field
        elif want["enum"] is not None:
            assert have["enum"] == want["enum"], field


def test_each_staff_action_is_its_model_chosen_by_action() -> None:
    documented = _resolve(
        documented_operations()[("/admin/complaints/{tracking_no}/actions", "POST")]["requestBody"][
            "content"
        ]["application/json"]["schema"]
    )
    assert documented["discriminator"]["propertyName"] == "action"
    mapping = documented["discriminator"]["mapping"]
    assert [{"$ref": ref} for ref in mapping.values()] == documented["oneOf"]
    members: tuple[type[BaseModel], ...] = get_args(get_args(ActionBody)[0])
    models = {get_args(model.model_fields["action"].annotation)[0]: model for model in members}
    assert set(mapping) == set(models)
    for action, model in models.items():
        _assert_describes(model, _resolve({"$ref": mapping[action]}), model.__name__)


@pytest.mark.parametrize("kind", sorted(COMPLAINANT_BODIES))
def test_each_complainant_action_body_is_its_model(kind: str) -> None:
    operation = documented_operations()[(f"/complaints/{{tracking_no}}/{kind}", "POST")]
    schema = _resolve(operation["requestBody"]["content"]["application/json"]["schema"])
    _assert_describes(COMPLAINANT_BODIES[kind], schema, COMPLAINANT_BODIES[kind].__name__)
    access_code = [_resolve(p) for p in operation["parameters"] if _resolve(p)["name"] == "X-Access-Code"]
    assert [p["required"] for p in access_code] == [True]


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/admin/complaints", QueueParameters),
        ("/admin/reports/monthly", ReportParameters),
        ("/stats/monthly", StatisticsParameters),
    ],
)
def test_the_query_parameters_are_the_model(path: str, model: type[BaseModel]) -> None:
    parameters = [_resolve(p) for p in documented_operations()[(path, "GET")]["parameters"]]
    query = {p["name"]: p for p in parameters if p["in"] == "query"}
    assert set(query) == set(model.model_fields)
    _assert_describes(
        model,
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {n: p["schema"] for n, p in query.items()},
        },
        model.__name__,
        query=True,
    )


def test_the_documents_vocabulary_is_the_domains() -> None:
    assert set(_schema("Status")["enum"]) == {s.value for s in Status}
    assert set(_schema("CategoryCode")["enum"]) == set(categories())
    assert set(_schema("DepartmentCode")["enum"]) == set(departments())
    assert set(_schema("RejectionReasonCode")["enum"]) == set(rejection_reasons())
    assert set(_schema("ActionName")["enum"]) == set(terms("action"))
    assert set(_schema("DeadlineKind")["enum"]) == set(terms("deadline"))
    assert set(_schema("Priority")["enum"]) == set(terms("priority"))
    assert set(_schema("Decision")["enum"]) == set(terms("decision"))
    assert set(_schema("Satisfaction")["enum"]) == set(terms("satisfaction"))
