"""infra/resources.json (merged into `chalice package`'s template) matches the PynamoDB models."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from pynamodb.models import Model

from chalicelib.jobs.registry import JOBS
from chalicelib.storage.attempt_counter import AttemptRecord
from chalicelib.storage.event_records import AccessLogRecord, EventRecord
from chalicelib.storage.idempotency_records import IdempotencyRecordModel
from chalicelib.storage.job_cursors import JobCursorRecord
from chalicelib.storage.models import CaseRecord
from chalicelib.storage.outbox_records import OutboxRecord
from chalicelib.storage.report_mapping import ReportRecord
from chalicelib.storage.schema import table_shape

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = json.loads((ROOT / "infra" / "resources.json").read_text(encoding="utf-8"))
TABLES: dict[str, type[Model]] = {
    "CasesTable": CaseRecord,
    "EventsTable": EventRecord,
    "IdempotencyTable": IdempotencyRecordModel,
    "AccessLogTable": AccessLogRecord,
    "AttemptsTable": AttemptRecord,
    "OutboxTable": OutboxRecord,
    "JobCursorsTable": JobCursorRecord,
    "ReportsTable": ReportRecord,
}
ENV_FOR_TABLE = {
    "CasesTable": "CASES_TABLE",
    "EventsTable": "EVENTS_TABLE",
    "IdempotencyTable": "IDEMPOTENCY_TABLE",
    "AccessLogTable": "ACCESS_LOG_TABLE",
    "AttemptsTable": "ATTEMPTS_TABLE",
    "OutboxTable": "OUTBOX_TABLE",
    "JobCursorsTable": "JOB_CURSORS_TABLE",
    "ReportsTable": "REPORTS_TABLE",
}
# Tables only the scheduled jobs use.
JOBS_ONLY = {"JobCursorsTable"}
# One environment for every function (SAM merges Globals into each): the API, the staff
# authorizer (it needs the issuer) and every scheduled job.
ENVIRONMENT = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]


def _keys(schema: Iterable[Mapping[str, object]]) -> dict[str, str]:
    return {str(k["AttributeName"]): str(k["KeyType"]) for k in schema}


def _projection(projection: Mapping[str, Any]) -> tuple[str, list[str]]:
    return projection["ProjectionType"], sorted(projection.get("NonKeyAttributes", []))


def _model_shape(model: type[Model]) -> dict[str, Any]:
    shape = table_shape(model)
    return {
        "keys": _keys(shape.key_schema),
        "attributes": {a["AttributeName"]: a["AttributeType"] for a in shape.attribute_definitions},
        "indexes": {i.name: (_keys(i.key_schema), _projection(i.projection)) for i in shape.indexes},
        "ttl": shape.ttl_attribute,
    }


def _template_shape(properties: dict[str, Any]) -> dict[str, Any]:
    ttl = properties.get("TimeToLiveSpecification")
    return {
        "keys": _keys(properties["KeySchema"]),
        "attributes": {a["AttributeName"]: a["AttributeType"] for a in properties["AttributeDefinitions"]},
        "indexes": {
            i["IndexName"]: (_keys(i["KeySchema"]), _projection(i["Projection"]))
            for i in properties.get("GlobalSecondaryIndexes", [])
        },
        "ttl": ttl["AttributeName"] if ttl and ttl["Enabled"] else None,
    }


@pytest.mark.parametrize("resource", sorted(TABLES))
def test_each_table_has_the_models_keys_indexes_and_ttl(resource: str) -> None:
    assert _template_shape(TEMPLATE["Resources"][resource]["Properties"]) == _model_shape(TABLES[resource])


@pytest.mark.parametrize("resource", sorted(TABLES))
def test_each_table_is_on_demand_recoverable_and_protected(resource: str) -> None:
    table = TEMPLATE["Resources"][resource]
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


def _statements(role: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = TEMPLATE["Resources"][role]["Properties"]["Policies"][0][
        "PolicyDocument"
    ]["Statement"]
    return statements


def test_every_function_is_told_every_table_and_the_api_may_use_only_those() -> None:
    for resource, variable in ENV_FOR_TABLE.items():
        assert ENVIRONMENT[variable] == {"Ref": resource}
    dynamodb = [
        s for s in _statements("ApiHandlerRole") if any(a.startswith("dynamodb:") for a in s["Action"])
    ]
    resources = json.dumps([s["Resource"] for s in dynamodb])
    assert all(f'"{name}"' in resources for name in TABLES if name not in JOBS_ONLY)
    # Where the jobs' passes stopped is theirs alone.
    assert not any(f'"{name}"' in resources for name in JOBS_ONLY)
    assert "*" not in {r for s in dynamodb for r in s["Resource"] if isinstance(r, str)}
    assert not any("Scan" in a or a == "dynamodb:*" for s in dynamodb for a in s["Action"])


def test_the_scheduled_jobs_may_send_messages_and_never_scan() -> None:
    statements = _statements("ScheduledJobsRole")
    actions = {action for statement in statements for action in statement["Action"]}
    assert {"ses:SendEmail", "sns:Publish", "dynamodb:Query", "dynamodb:UpdateItem"} <= actions
    assert not any("Scan" in a or a.endswith(":*") for a in actions)
    cursors = next(s for s in statements if "JobCursorsTable" in json.dumps(s["Resource"]))
    assert set(cursors["Action"]) == {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "dynamodb:DescribeTable",
    }
    publish = next(s for s in statements if "sns:Publish" in s["Action"])
    assert publish["NotResource"] == "arn:*:sns:*:*:*"  # text messages to numbers, no topic


def test_the_chalice_config_refuses_generated_policies() -> None:
    config = json.loads((ROOT / "api" / ".chalice" / "config.json").read_text(encoding="utf-8"))
    # Chalice's generated policy cannot see PynamoDB's calls (STACK-NOTES): the role is hand-written.
    assert config["autogen_policy"] is False


def test_chalice_package_merges_the_template_and_ships_the_data_files(tmp_path: Path) -> None:
    chalice = Path(sys.executable).with_name("chalice")
    out = tmp_path / "package"
    env = {**os.environ, "AWS_DEFAULT_REGION": "cn-north-1"}
    subprocess.run(
        [
            str(chalice),
            "package",
            "--stage",
            "prod",
            "--merge-template",
            str(ROOT / "infra" / "resources.json"),
            str(out),
        ],
        cwd=ROOT / "api",
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    merged = json.loads((out / "sam.json").read_text(encoding="utf-8"))
    resources = merged["Resources"]
    assert {"APIHandler", "RestAPI", *TABLES} <= set(resources)
    assert resources["APIHandler"]["Properties"]["Environment"]["Variables"]["STAGE"] == "prod"
    assert merged["Globals"]["Function"]["Environment"]["Variables"] == ENVIRONMENT
    # Every scheduled job is a function on its schedule, under the jobs' role.
    scheduled = {
        name: resource["Properties"]
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function" and resource["Properties"].get("Events")
    }
    expected = {"".join(part.title() for part in job.name.split("_")): job for job in JOBS}
    assert set(scheduled) == set(expected)
    for name, properties in scheduled.items():
        [event] = properties["Events"].values()
        assert event["Properties"]["Schedule"] == expected[name].schedule.expression()
        assert properties["Role"] == {"Fn::GetAtt": ["ScheduledJobsRole", "Arn"]}
        # Longer than the API's: a run reads up to its page bound, and goes on while time is left.
        assert properties["Timeout"] == 300
    assert resources["RestAPI"]["Properties"]["EndpointConfiguration"] == "REGIONAL"
    with zipfile.ZipFile(out / "deployment.zip") as bundle:
        names = set(bundle.namelist())
    for data in ("catalog.json", "glossary.json", "policy.json", "holidays.json"):
        assert f"chalicelib/data/{data}" in names
    assert "app.py" in names
    shutil.rmtree(ROOT / "api" / ".chalice" / "deployments", ignore_errors=True)


def test_the_gateways_401_has_the_apis_error_body_and_the_portals_origin() -> None:
    from chalicelib.web.auth import UNAUTHORIZED_BODY

    response = TEMPLATE["Resources"]["UnauthorizedResponse"]["Properties"]
    assert response["ResponseType"] == "UNAUTHORIZED"
    assert response["StatusCode"] == "401"
    assert response["ResponseTemplates"]["application/json"] == UNAUTHORIZED_BODY
    assert response["ResponseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == {
        "Fn::Sub": "'${PortalOrigin}'"
    }


def test_the_indexes_hold_no_personal_data() -> None:
    """The queue's indexes project summaries without the complainant; the identity indexes hold
    keys only, and their keys are keyed hashes (never an identifier itself)."""
    personal = {
        "complainant",
        "description",
        "location",
        "desired_outcome",
        "claim_amount",
        "access_code_hash",
    }
    identity = {"phone_key", "email_key", "credit_code_key", "name_key", "organization_key"}
    indexes = TEMPLATE["Resources"]["CasesTable"]["Properties"]["GlobalSecondaryIndexes"]
    for index in indexes:
        hash_key = index["KeySchema"][0]["AttributeName"]
        if hash_key in identity:
            assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}, index["IndexName"]
            continue
        assert index["Projection"]["ProjectionType"] == "INCLUDE"
        assert not personal & set(index["Projection"]["NonKeyAttributes"]), index["IndexName"]
    assert identity == {i["KeySchema"][0]["AttributeName"] for i in indexes} & identity


def test_staff_tokens_come_from_the_stacks_own_cognito_user_pool() -> None:
    resources = TEMPLATE["Resources"]
    variables = ENVIRONMENT
    assert "${StaffUserPool}" in variables["STAFF_ISSUER"]["Fn::Sub"]
    assert variables["STAFF_AUDIENCE"] == {"Ref": "StaffConsoleClient"}
    assert variables["STAFF_JWKS_URL"]["Fn::Sub"].endswith("/.well-known/jwks.json")
    groups = {
        r["Properties"]["GroupName"]
        for r in resources.values()
        if r.get("Type") == "AWS::Cognito::UserPoolGroup"
    }
    assert groups == {"officer", "handler", "supervisor"}
    client = resources["StaffConsoleClient"]["Properties"]
    # The console is a public client: authorization code with PKCE, no secret in the browser.
    assert client["GenerateSecret"] is False
    assert client["AllowedOAuthFlows"] == ["code"]
    assert (
        resources["StaffUserPool"]["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    )


def test_the_function_gets_a_generated_secret_of_its_own_for_identity_keys() -> None:
    resources = TEMPLATE["Resources"]
    assert ENVIRONMENT["IDENTITY_KEY_SECRET"] == {
        "Fn::Sub": "{{resolve:secretsmanager:${IdentityKeySecret}:SecretString}}"
    }
    secret = resources["IdentityKeySecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    assert secret["DeletionPolicy"] == "Retain"


def test_the_jobs_may_use_the_reports_table_for_the_monthly_report_and_the_facts_cases_carry() -> None:
    # The monthly report job reads and freezes it; every job that changes a case (auto-close) writes
    # the case's report facts in the same transaction, as the API does.
    statements = _statements("ScheduledJobsRole")
    reports = [s for s in statements if "ReportsTable" in json.dumps(s.get("Resource"))]
    assert [s["Resource"] for s in reports] == [[{"Fn::GetAtt": ["ReportsTable", "Arn"]}]]
    assert {"dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"} <= set(reports[0]["Action"])
    assert not any("Scan" in a or "Delete" in a for a in reports[0]["Action"])
    api = [s for s in _statements("ApiHandlerRole") if "ReportsTable" in json.dumps(s.get("Resource"))]
    assert [s["Resource"] for s in api] == [[{"Fn::GetAtt": ["ReportsTable", "Arn"]}]]
