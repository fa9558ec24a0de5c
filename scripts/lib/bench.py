"""``./scripts/bench``: the API's speed, each figure beside its floor.

Starts an in-memory AWS DynamoDB Local, creates the tables, and measures:

- cold start: a fresh process that imports the API module and serves its first public lookup (and
  one its first submission), against a fresh process that imports botocore, creates one DynamoDB
  client and makes the same calls, both run from the functions' code as ``./scripts/deploy``
  packages it (medians of wall and CPU time, and of the pairs' ratios; and,
  where valgrind is installed, the instructions each executes up to its answer);
- per endpoint (submit, public lookup, staff list, staff action), p50 and p99 of the Lambda handler
  called in process with API Gateway's event, against the same DynamoDB calls made with boto3;
- the staff list at 1 000 and at 20 000 cases;
- the monthly report of a month of 10 000 cases (in process, against reading the month's items with
  boto3), its Excel workbook (time, and Python's memory at its peak), and the public statistics (one
  DynamoDB request, against a GetItem);
- the attachment upload's presign (``POST /complaints/{no}/attachments``) against a bare botocore
  ``generate_presigned_post``;
- HTTP throughput of the local API (chalice local with the Nagle fix) under 8 keep-alive connections.

Prints a table and writes ``bench-results.json``. Timing lives here, never in tests.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

from scripts.lib.dynamodb_local import DUMMY_AWS_ENV, DynamoDBLocal
from scripts.lib.local_api import api_command
from scripts.lib.paths import API_DIR, REPO_ROOT
from scripts.lib.ports import free_port
from scripts.lib.processes import ManagedProcess
from scripts.lib.staff_tokens import LocalIssuer

RESULTS = REPO_ROOT / "bench-results.json"
COMPLAINT = {
    "complainant_type": "individual",
    "name": "基准测试",
    "phone": "13800138000",
    "category": "env_air",
    "subject": "园区工厂夜间排放废气",
    "description": "园区东侧工厂每天夜间排放刺鼻废气，影响周边居民休息，已持续两周。",
    "location": "园区东路18号",
    "consent": True,
}
STAFF_CONTEXT = {"staff_id": "bench-officer", "name": "基准专员", "roles": "officer", "department": ""}


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(samples_ms: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(samples_ms), 3),
        "p99_ms": round(percentile(samples_ms, 99), 3),
        "n": len(samples_ms),
    }


def paired(
    app: Callable[[], object], floor: Callable[[], object], runs: int, warmup: int = 50
) -> dict[str, Any]:
    """App and floor timed alternately, call by call: both meet DynamoDB Local in the same state
    (its JIT warms up and its tables grow during a run, which would favour whichever ran second);
    and each goes first in every other pair, so that neither gains from following the other."""
    for _ in range(warmup):
        app()
        floor()
    app_ms: list[float] = []
    floor_ms: list[float] = []
    for n in range(runs):
        pair = ((app, app_ms), (floor, floor_ms))
        for action, samples in pair if n % 2 == 0 else pair[::-1]:
            started = time.perf_counter()
            action()
            samples.append((time.perf_counter() - started) * 1000)
    return {"app": summary(app_ms), "floor": summary(floor_ms)}


def timed(action: Callable[[], object], runs: int, warmup: int = 20) -> list[float]:
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


# --- API Gateway events for the Lambda handler ---------------------------------------------------


def api_event(
    method: str,
    resource: str,
    path_parameters: dict[str, str] | None = None,
    *,
    body: str | None = None,
    headers: dict[str, str] | None = None,
    authorizer: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    path = resource
    for name, value in (path_parameters or {}).items():
        path = path.replace("{" + name + "}", value)
    context: dict[str, Any] = {
        "resourcePath": resource,
        "httpMethod": method,
        "requestId": str(uuid.uuid4()),
        "stage": "api",
        "path": path,
    }
    if authorizer is not None:
        context["authorizer"] = {**authorizer, "principalId": authorizer["staff_id"]}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {"Host": "bench", "Accept-Language": "zh", **(headers or {})},
        "multiValueHeaders": None,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": False,
    }


LAMBDA_CONTEXT = SimpleNamespace(
    aws_request_id="bench",
    function_name="complaint-portal-prod",
    memory_limit_in_mb=512,
    get_remaining_time_in_millis=lambda: 25_000,
)


# --- The environment: DynamoDB Local, tables, settings ---------------------------------------------


@contextmanager
def environment(work: Path) -> Iterator[dict[str, str]]:
    with DynamoDBLocal(free_port(), log_path=work / "dynamodb.log") as dynamodb:
        issuer = LocalIssuer(directory=work / "staff-auth")
        env = {
            **DUMMY_AWS_ENV,
            "AWS_DEFAULT_REGION": DUMMY_AWS_ENV["AWS_REGION"],
            "DYNAMODB_ENDPOINT_URL": dynamodb.endpoint_url,
            "STAGE": "test",
            "STORAGE": "dynamodb",
            "TABLE_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
            "ACCESS_CODE_SECRET": "bench-secret-" + "x" * 32,
            "PORTAL_ORIGIN": "http://localhost:8000",
            **issuer.environment(),
        }
        os.environ.update(env)
        from chalicelib.settings import get_settings, reset_settings
        from chalicelib.storage.tables import ensure_tables

        reset_settings()
        ensure_tables(get_settings())
        yield env


def boto3_client() -> Any:
    import boto3
    from botocore.config import Config

    from chalicelib.settings import get_settings

    settings = get_settings()
    config = Config(retries={"mode": "standard", "max_attempts": 4})
    return boto3.client(
        "dynamodb", endpoint_url=settings.dynamodb_endpoint_url, region_name=settings.region, config=config
    )


def call(app: Any, event: dict[str, Any], expected: int) -> dict[str, Any]:
    response: dict[str, Any] = app(event, LAMBDA_CONTEXT)
    if response["statusCode"] != expected:
        raise RuntimeError(
            f"{event['httpMethod']} {event['path']}: {response['statusCode']} {response['body']}"
        )
    return response


def submit_event(key: str) -> dict[str, Any]:
    return api_event(
        "POST",
        "/complaints",
        body=json.dumps(COMPLAINT, ensure_ascii=False),
        headers={"Content-Type": "application/json", "Idempotency-Key": key},
    )


# --- Cold start --------------------------------------------------------------------------------------

_APP_CHILD = """
import json, os, sys, time
from types import SimpleNamespace
import app
event = json.loads(sys.argv[1])
context = SimpleNamespace(aws_request_id="cold", function_name="f", memory_limit_in_mb=512,
                          get_remaining_time_in_millis=lambda: 25000)
response = app.app(event, context)
assert response["statusCode"] == int(sys.argv[2]), response
print("answered", time.process_time() * 1000, flush=True)
os._exit(0)  # a Lambda keeps its process: the interpreter's exit is no part of a cold start
"""

# The physical floor: botocore alone (PynamoDB's SDK; boto3 is not needed), one DynamoDB client,
# the same calls as the app's first request, given as JSON.
_BOTOCORE_FLOOR_CHILD = """
import json, os, sys, time
import botocore.session
client = botocore.session.get_session().create_client(
    "dynamodb", endpoint_url=sys.argv[1], region_name=sys.argv[2]
)
for operation, parameters in json.loads(sys.argv[3]):
    getattr(client, operation)(**parameters)
print("answered", time.process_time() * 1000, flush=True)
os._exit(0)
"""


def run_child(argv: list[str], env: dict[str, str], code: Path) -> tuple[float, float]:
    """From starting a fresh process to its first answer (the child says "answered"): a Lambda
    keeps its process after answering, so the interpreter's exit is not part of a cold start.
    The wall time, and the CPU time the child had used by then (interpreter start included): the
    cold start is CPU-bound imports, and on a shared machine the CPU time is what another process
    cannot stretch; both meet the same DynamoDB Local, whose time only the wall clock counts. Run
    in ``code``, the function's code (lambda_bundle)."""
    started = time.perf_counter()
    with subprocess.Popen(
        argv, cwd=code, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        line = child.stdout.readline()
        elapsed = (time.perf_counter() - started) * 1000
        _, errors = child.communicate(timeout=60)
    said, _, cpu = line.strip().partition(" ")
    if said != "answered" or child.returncode != 0:
        raise RuntimeError(f"cold start child failed (exit {child.returncode}): {errors[-2000:]}")
    return elapsed, float(cpu)


def cold_figures(
    app_argv: Callable[[int], list[str]],
    floor_argv: Callable[[int], list[str]],
    env: dict[str, str],
    code: Path,
    runs: int,
) -> dict[str, Any]:
    """Fresh processes of the app and of its floor, in turns (each first in every other pair), after
    one of each so that both find their bytecode compiled; medians of wall and of CPU time, and the
    median of each pair's ratio: a pair's two processes run one after the other, so they meet the
    machine in the same state, where the medians of all runs also take in how its speed drifts
    over the minute of the measurement (on this shared machine, ±0.1 of the ratio run to run)."""
    run_child(app_argv(-1), env, code)
    run_child(floor_argv(-1), env, code)
    app_runs: list[tuple[float, float]] = []
    floor_runs: list[tuple[float, float]] = []
    for n in range(runs):
        pair = ((app_argv, app_runs), (floor_argv, floor_runs))
        for argv, samples in pair if n % 2 == 0 else pair[::-1]:
            samples.append(run_child(argv(n), env, code))
    app_wall, floor_wall = (statistics.median(w for w, _ in r) for r in (app_runs, floor_runs))
    app_cpu, floor_cpu = (statistics.median(c for _, c in r) for r in (app_runs, floor_runs))
    paired = statistics.median(a / f for (_, a), (_, f) in zip(app_runs, floor_runs, strict=True))
    return {
        "paired_cpu_ratio": round(paired, 3),
        "app_median_ms": round(app_wall, 1),
        "floor_median_ms": round(floor_wall, 1),
        "ratio": round(app_wall / floor_wall, 3),
        "app_cpu_median_ms": round(app_cpu, 1),
        "floor_cpu_median_ms": round(floor_cpu, 1),
        "cpu_ratio": round(app_cpu / floor_cpu, 3),
        "runs": runs,
    }


def instructions(argv: list[str], env: dict[str, str], code: Path) -> int | None:
    """The instructions a child executes up to its answer, counted by valgrind (callgrind), with a
    fixed hash seed: the same work counts the same to a few in a million, where on a shared machine
    the times of the same processes move by several per cent from one run to the next. ``None``
    without valgrind (a Debian package: ``apt-get install valgrind``)."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    result = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        cwd=code,
        env={**env, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    counted = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or not result.stdout.startswith("answered") or counted is None:
        raise RuntimeError(f"cold start child failed under valgrind: {result.stderr[-2000:]}")
    return int(counted.group(1))


def cold_instructions(
    app_argv: list[str], floor_argv: list[str], env: dict[str, str], code: Path
) -> dict[str, Any]:
    """One run of each under valgrind (about 50 times slower), both at once."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        app, floor = pool.map(lambda argv: instructions(argv, env, code), (app_argv, floor_argv))
    if app is None or floor is None:
        return {}
    return {"app_instructions": app, "floor_instructions": floor, "instruction_ratio": round(app / floor, 4)}


def lambda_bundle(work: Path) -> Path:
    """The functions' code as ``./scripts/deploy`` packages it (``chalice package``, the bytecode
    compiled into it), unpacked under ``work``. The cold starts run from it with ``python -S``: the
    modules and bytecode the Lambda ships, and none of the development environment's (blinker,
    which PynamoDB's signals import when installed; setuptools' start-up hook)."""
    from scripts.lib.deploy import build
    from scripts.lib.deploy_stage import load_stage

    with redirect_stdout(sys.stderr):  # the build's progress is not the bench's output
        built = build(load_stage("test"), directory=work / "build")
    code = work / "bundle"
    with zipfile.ZipFile(built.bundle) as archive:
        archive.extractall(code)
    return code


def cold_start(env: dict[str, str], receipt_no: str, runs: int, code: Path) -> dict[str, Any]:
    """The first public lookup and the first submission of a fresh process run from the functions'
    code (lambda_bundle), each against a fresh process run from the same code that imports
    botocore, creates a DynamoDB client and makes the same calls."""
    from chalicelib.settings import get_settings

    settings = get_settings()
    # The deployed function's environment (api/.chalice/config.json), e.g. no pydantic plugin scan.
    config = json.loads((API_DIR / ".chalice" / "config.json").read_text(encoding="utf-8"))
    child_env = {**os.environ, **config["environment_variables"], **env}
    # As on Lambda, whose code directory is read-only: the bytecode is the bundle's, none written;
    # nothing but the bundle on the children's path (python -S: no site-packages).
    child_env["PYTHONDONTWRITEBYTECODE"] = "1"
    child_env.pop("PYTHONPATH", None)
    endpoint, region = settings.dynamodb_endpoint_url or "", settings.region
    tracking_no = receipt_no.replace("-", "")
    run_id = uuid.uuid4().hex[:8]

    def child(source: str, *arguments: str) -> list[str]:
        """A fresh Python running ``source``, without site-packages: only the bundle (its cwd)."""
        return [sys.executable, "-S", "-c", source, *arguments]

    def floor(calls: Callable[[int], list[tuple[str, dict[str, Any]]]]) -> Callable[[int], list[str]]:
        return lambda n: child(_BOTOCORE_FLOOR_CHILD, endpoint, region, json.dumps(calls(n)))

    def app_child(event: Callable[[int], dict[str, Any]], status: int) -> Callable[[int], list[str]]:
        return lambda n: child(_APP_CHILD, json.dumps(event(n)), str(status))

    lookup_event = api_event("GET", "/complaints/{tracking_no}", {"tracking_no": receipt_no})
    lookup_calls = [
        (
            "get_item",
            {
                "TableName": settings.cases_table,
                "Key": {"tracking_no": {"S": tracking_no}},
                "ConsistentRead": True,
            },
        )
    ]
    submission_calls = submission_floor_calls(boto3_client(), tracking_no)
    lookup_app, lookup_floor = app_child(lambda n: lookup_event, 200), floor(lambda n: lookup_calls)
    submit_app = app_child(lambda n: submit_event(f"cold-{run_id}-{n}"), 201)
    submit_floor = floor(lambda n: submission_calls(f"cold{run_id}{n}"))
    counted = -2  # the pairs are 0.., the warm-up -1
    return {
        "lookup": {
            **cold_figures(lookup_app, lookup_floor, child_env, code, runs),
            **cold_instructions(lookup_app(counted), lookup_floor(counted), child_env, code),
        },
        "submission": {
            **cold_figures(submit_app, submit_floor, child_env, code, runs),
            **cold_instructions(submit_app(counted), submit_floor(counted), child_env, code),
        },
    }


# --- Endpoints in process ------------------------------------------------------------------------------


def raw_item(client: Any, table: str, key: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = client.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    return item


def submission_floor_calls(
    client: Any, tracking_no: str
) -> Callable[[str], list[tuple[str, dict[str, Any]]]]:
    """The DynamoDB calls a submission makes, as boto3 method names and parameters, copied from the
    items the submission of ``tracking_no`` wrote: GetItem (the Idempotency-Key), TransactWriteItems
    (key, case, first event, its message, the report's facts). ``calls(n)``: the same with keys of
    their own, ``n`` distinct per use."""
    from chalicelib.domain.notifications import notice_id
    from chalicelib.settings import get_settings

    settings = get_settings()
    case_item = raw_item(client, settings.cases_table, {"tracking_no": {"S": tracking_no}})
    event_item = raw_item(
        client, settings.events_table, {"tracking_no": {"S": tracking_no}, "seq": {"N": "1"}}
    )
    # The acknowledgement the submission writes to the outbox in the same transaction.
    message_id = notice_id(tracking_no, 1, "acknowledgement", "complainant")
    message_item = raw_item(client, settings.outbox_table, {"message_id": {"S": message_id}})
    fact_updates = fact_update_items(tracking_no)
    idempotency_item = {
        "key_hash": {"S": "template"},
        "fingerprint": {"S": "f" * 64},
        "tracking_no": {"S": tracking_no},
        "created_at": case_item["submitted_at"],
        "expires_at": {"N": str(int(time.time()) + 86400)},
    }

    def calls(n: str) -> list[tuple[str, dict[str, Any]]]:
        number = {"S": f"FLOOR{n}"}
        key = {"key_hash": {"S": "floor-" + n}}
        return [
            ("get_item", {"TableName": settings.idempotency_table, "Key": key, "ConsistentRead": True}),
            (
                "transact_write_items",
                {
                    "TransactItems": [
                        {
                            "Put": {
                                "TableName": settings.idempotency_table,
                                "Item": {**idempotency_item, **key},
                                "ConditionExpression": "attribute_not_exists(key_hash) OR expires_at < :now",
                                "ExpressionAttributeValues": {":now": {"N": str(int(time.time()))}},
                            }
                        },
                        {
                            "Put": {
                                "TableName": settings.cases_table,
                                "Item": {**case_item, "tracking_no": number},
                                "ConditionExpression": "attribute_not_exists(tracking_no) AND attribute_not_exists(version)",
                            }
                        },
                        {
                            "Put": {
                                "TableName": settings.events_table,
                                "Item": {**event_item, "tracking_no": number},
                                "ConditionExpression": "attribute_not_exists(tracking_no)",
                            }
                        },
                        {
                            "Put": {
                                "TableName": settings.outbox_table,
                                "Item": {
                                    **message_item,
                                    "message_id": {"S": f"floor-{n}"},
                                    "tracking_no": number,
                                },
                                "ConditionExpression": "attribute_not_exists(message_id)",
                            }
                        },
                        *fact_updates(number["S"]),
                    ]
                },
            ),
        ]

    return calls


def endpoints(runs: int) -> dict[str, Any]:
    from app import app
    from chalicelib.settings import get_settings

    settings = get_settings()
    client = boto3_client()
    results: dict[str, Any] = {}

    # Submit: GetItem (Idempotency-Key) + TransactWriteItems (key, case, first event, its message).
    counter = iter(range(10**9))
    receipt = json.loads(call(app, submit_event("bench-template"), 201)["body"])
    tracking_no = receipt["tracking_no"].replace("-", "")
    submission_calls = submission_floor_calls(client, tracking_no)
    case_item = raw_item(client, settings.cases_table, {"tracking_no": {"S": tracking_no}})
    event_item = raw_item(
        client, settings.events_table, {"tracking_no": {"S": tracking_no}, "seq": {"N": "1"}}
    )
    fact_updates = fact_update_items(tracking_no)

    def submit_floor() -> None:
        for operation, parameters in submission_calls(str(next(counter))):
            getattr(client, operation)(**parameters)

    results["submit"] = paired(
        lambda: call(app, submit_event(f"bench-{next(counter)}"), 201), submit_floor, runs
    )

    # Public lookup: GetItem.
    lookup = api_event("GET", "/complaints/{tracking_no}", {"tracking_no": receipt["tracking_no"]})
    results["public_lookup"] = paired(
        lambda: call(app, lookup, 200),
        lambda: client.get_item(
            TableName=settings.cases_table, Key={"tracking_no": {"S": tracking_no}}, ConsistentRead=True
        ),
        runs,
    )

    # Staff list: Query on the open queue, a page of 50.
    results["staff_list"] = staff_list(app, client, runs)

    # Staff action (a note): GetItem, TransactWriteItems (case + event + report facts), PutItem (access
    # log), Query (history).
    results["staff_action"] = staff_action(app, client, runs, case_item, event_item, fact_updates)
    for figures in results.values():
        figures["ratio_p50"] = round(figures["app"]["p50_ms"] / figures["floor"]["p50_ms"], 3)
    return results


def messages_cost(runs: int) -> dict[str, Any]:
    """Submissions with messages on against the same with messages off (``MESSAGES``), alternately:
    what deciding the acknowledgement and writing it into the submission's transaction costs."""
    from app import app
    from chalicelib.settings import reset_settings

    counter = iter(range(10**9))
    # Keys of this run's own: a key used before is answered from its stored response, without a
    # case, an event or a message written (a second run in one process measured only replays).
    run_id = uuid.uuid4().hex[:8]

    def submit(switch: str) -> Callable[[], object]:
        def run() -> object:
            os.environ["MESSAGES"] = switch
            reset_settings()
            return call(app, submit_event(f"messages-{run_id}-{switch}-{next(counter)}"), 201)

        return run

    try:
        figures = paired(submit("on"), submit("off"), runs)
    finally:
        os.environ.pop("MESSAGES", None)
        reset_settings()
    figures["ratio_p50"] = round(figures["app"]["p50_ms"] / figures["floor"]["p50_ms"], 3)
    return figures


def staff_list(app: Any, client: Any, runs: int) -> dict[str, Any]:
    from chalicelib.settings import get_settings

    settings = get_settings()
    event = api_event("GET", "/admin/complaints", authorizer=STAFF_CONTEXT)

    def floor() -> None:
        client.query(
            TableName=settings.cases_table,
            IndexName="open-queue-index",
            KeyConditionExpression="#q = :open",
            ExpressionAttributeNames={"#q": "queue"},
            ExpressionAttributeValues={":open": {"S": "open"}},
            Limit=50,
        )
        # The messages that could not be delivered, to flag their cases on the page.
        client.query(
            TableName=settings.outbox_table,
            IndexName="failed-index",
            KeyConditionExpression="failed = :failed",
            ExpressionAttributeValues={":failed": {"S": "failed"}},
            Limit=500,
        )

    return paired(lambda: call(app, event, 200), floor, runs)


def fact_update_items(tracking_no: str) -> Callable[[str], list[dict[str, Any]]]:
    """The report-facts updates a change of the case ``tracking_no`` writes in its transaction (one
    per month it concerns), as a floor makes them for another number."""
    from chalicelib.domain.deadlines import default_policy
    from chalicelib.domain.report_facts import fact_months
    from chalicelib.settings import get_settings
    from chalicelib.storage import repository_for

    settings = get_settings()
    repository = repository_for(settings)
    case = repository.get(tracking_no)
    assert case is not None
    months = sorted(
        str(m) for m in fact_months(case, repository.history(tracking_no)[0], default_policy().zone)
    )
    client = boto3_client()
    core = raw_item(
        client, settings.reports_table, {"month": {"S": months[0]}, "item": {"S": f"case#{tracking_no}"}}
    )["core"]

    def updates(number: str) -> list[dict[str, Any]]:
        return [
            {
                "Update": {
                    "TableName": settings.reports_table,
                    "Key": {"month": {"S": month}, "item": {"S": f"case#{number}"}},
                    "UpdateExpression": "SET core = :c",
                    "ExpressionAttributeValues": {":c": core},
                }
            }
            for month in months
        ]

    return updates


def staff_action(
    app: Any,
    client: Any,
    runs: int,
    case_item: dict[str, Any],
    event_item: dict[str, Any],
    fact_updates: Callable[[str], list[dict[str, Any]]],
) -> dict[str, Any]:
    from chalicelib.settings import get_settings

    settings = get_settings()
    # A pool of fresh cases, each taking a few notes, so histories stay short as in real work.
    pool: list[dict[str, Any]] = []
    for i in range(max(1, (runs + 20) // 10 + 1)):
        receipt = json.loads(call(app, submit_event(f"action-{i}"), 201)["body"])
        pool.append({"no": receipt["tracking_no"], "version": 1})
    turn = iter(range(10**9))

    def act() -> None:
        case = pool[next(turn) % len(pool)]
        body = json.dumps(
            {"action": "note", "expected_version": case["version"], "note": "基准测试备注"},
            ensure_ascii=False,
        )
        event = api_event(
            "POST",
            "/admin/complaints/{tracking_no}/actions",
            {"tracking_no": case["no"]},
            body=body,
            headers={"Content-Type": "application/json"},
            authorizer=STAFF_CONTEXT,
        )
        call(app, event, 200)
        case["version"] += 1

    floor_pool: list[dict[str, Any]] = []
    for i in range(len(pool)):
        number = {"S": f"ACTFLOOR{i}"}
        client.put_item(
            TableName=settings.cases_table, Item={**case_item, "tracking_no": number, "version": {"N": "1"}}
        )
        client.put_item(TableName=settings.events_table, Item={**event_item, "tracking_no": number})
        floor_pool.append({"no": number, "version": 1})
    floor_turn = iter(range(10**9))

    def floor() -> None:
        case = floor_pool[next(floor_turn) % len(floor_pool)]
        key = {"tracking_no": case["no"]}
        client.get_item(TableName=settings.cases_table, Key=key, ConsistentRead=True)
        version = case["version"]
        client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": settings.cases_table,
                        "Item": {**case_item, **key, "version": {"N": str(version + 1)}},
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": {":v": {"N": str(version)}},
                    }
                },
                {
                    "Put": {
                        "TableName": settings.events_table,
                        "Item": {
                            **event_item,
                            **key,
                            "seq": {"N": str(version + 1)},
                            "action": {"S": "note"},
                            "note": {"S": "基准测试备注"},
                        },
                        "ConditionExpression": "attribute_not_exists(tracking_no)",
                    }
                },
                *fact_updates(case["no"]["S"]),
            ]
        )
        client.put_item(
            TableName=settings.access_log_table,
            Item={
                **key,
                "viewed_at": {"S": f"{time.time()}#{uuid.uuid4().hex[:8]}"},
                "staff_id": {"S": "s"},
                "staff_name": {"S": "n"},
                "role": {"S": "officer"},
                "purpose": {"S": "case_view"},
            },
        )
        client.query(
            TableName=settings.events_table,
            KeyConditionExpression="tracking_no = :t",
            ExpressionAttributeValues={":t": case["no"]},
            ConsistentRead=True,
        )
        case["version"] += 1

    return paired(act, floor, runs)


# --- The staff list at 1 000 and 20 000 cases ------------------------------------------------------


def fill_cases(client: Any, template: dict[str, Any], start: int, stop: int) -> None:
    from datetime import UTC, datetime, timedelta

    from chalicelib.settings import get_settings
    from chalicelib.storage.models import queue_key

    table = get_settings().cases_table
    base = datetime.now(UTC)

    def batch(first: int) -> None:
        requests = []
        for i in range(first, min(first + 25, stop)):
            number = f"FILL{i:08d}"
            due = base + timedelta(minutes=i % 5000 - 2500)
            item = {
                **template,
                "tracking_no": {"S": number},
                "queue_key": {"S": queue_key(due, number)},
            }
            requests.append({"PutRequest": {"Item": item}})
        pending = {table: requests}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(batch, range(start, stop, 25)))


def list_scaling(runs: int) -> dict[str, Any]:
    from app import app
    from chalicelib.settings import get_settings

    settings = get_settings()
    client = boto3_client()
    receipt = json.loads(call(app, submit_event("scaling-template"), 201)["body"])
    template = raw_item(
        client, settings.cases_table, {"tracking_no": {"S": receipt["tracking_no"].replace("-", "")}}
    )
    event = api_event("GET", "/admin/complaints", authorizer=STAFF_CONTEXT)
    figures: dict[str, Any] = {}
    filled = 0
    for size in (1000, 20000):
        fill_cases(client, template, filled, size)
        filled = size
        figures[str(size)] = summary(timed(lambda: call(app, event, 200), runs))
    figures["ratio_p50"] = round(figures["20000"]["p50_ms"] / figures["1000"]["p50_ms"], 3)
    return figures


# --- The monthly report at 10 000 cases in the month ---------------------------------------------

REPORT_MONTH = "2025-06"


def month_of_facts(count: int) -> list[Any]:
    """``count`` cases received in REPORT_MONTH, as their report facts: every channel, category and
    priority, most accepted and responded to, some late, rejected, withdrawn, rated, repeated."""
    from datetime import timedelta, timezone

    from chalicelib.domain.complaint import CHANNELS
    from chalicelib.domain.lifecycle import Status
    from chalicelib.domain.report_facts import CaseCore, CaseFacts, ClockFact, Marks
    from chalicelib.domain.tracking import new_tracking_no
    from chalicelib.domain.vocabulary import categories, departments

    beijing = timezone(timedelta(hours=8))
    codes, depts = list(categories()), list(departments())
    levels = ["very_satisfied", "satisfied", "basically_satisfied", "unsatisfied"]
    start = datetime(2025, 6, 1, 8, tzinfo=beijing)
    facts = []
    for n in range(count):
        received = start + timedelta(minutes=(n * 4 % (29 * 24 * 60)))
        accepted = received + timedelta(hours=20)
        responded = accepted + timedelta(days=6 + n % 9)
        milestones = [(Status.RECEIVED, received)]
        clocks = [ClockFact("acknowledge", received + timedelta(hours=24), received)]
        marks = Marks()
        status = Status.RECEIVED
        if n % 10 == 0:
            milestones.append((Status.REJECTED, accepted))
            clocks.append(ClockFact("decide", received + timedelta(days=2), accepted))
            marks = Marks(reject_reason="out_of_scope")
            status = Status.REJECTED
        elif n % 33 == 0:
            milestones.append((Status.WITHDRAWN, accepted))
            status = Status.WITHDRAWN
        else:
            milestones.append((Status.ACCEPTED, accepted))
            clocks.append(ClockFact("decide", received + timedelta(days=2), accepted))
            clocks.append(ClockFact("respond", accepted + timedelta(days=12), responded if n % 4 else None))
            status = Status.ACCEPTED
            if n % 4:
                milestones.append((Status.RESPONDED, responded))
                clocks.append(
                    ClockFact("callback", responded + timedelta(days=1), responded + timedelta(hours=n % 30))
                )
                marks = Marks(respond_decision="upheld", callback_at=responded + timedelta(hours=n % 30))
                status = Status.RESPONDED
                if n % 3 == 0:
                    milestones.append((Status.CLOSED, responded + timedelta(days=2)))
                    status = Status.CLOSED
        core = CaseCore(
            tracking_no=new_tracking_no(),
            version=len(milestones),
            received_at=received,
            channel=CHANNELS[n % len(CHANNELS)],
            category=codes[n % len(codes)],
            confidential=codes[n % len(codes)] == "staff_conduct",
            complainant_type="enterprise" if n % 7 == 0 else "individual",
            anonymous=n % 11 == 0,
            reachable=n % 11 != 0,
            status=status,
            department=None
            if status in (Status.RECEIVED, Status.REJECTED, Status.WITHDRAWN)
            else depts[n % len(depts)],
            # One case in 20 major and one in 50 urgent, as a month of complaints may have them.
            priority=None
            if status in (Status.RECEIVED, Status.REJECTED, Status.WITHDRAWN)
            else "major"
            if n % 20 == 1
            else "urgent"
            if n % 50 == 3
            else "normal",
            clocks=tuple(clocks),
            milestones=tuple(milestones),
            callback_satisfaction=levels[n % 4] if marks.callback_at else None,
            location=f"园区路{n % 400}号",
            identity_keys=(f"k{n % 8000:05d}",) if n % 11 else (),
        )
        facts.append(CaseFacts(core, marks))
    return facts


def fill_month(client: Any, count: int) -> int:
    """The month's facts written straight into the reports table (as the cases' transactions would)."""
    from chalicelib.settings import get_settings
    from chalicelib.storage.report_mapping import facts_record

    table = get_settings().reports_table
    items = [facts_record(REPORT_MONTH, f).serialize() for f in month_of_facts(count)]

    def batch(first: int) -> None:
        pending = {table: [{"PutRequest": {"Item": item}} for item in items[first : first + 25]]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(batch, range(0, len(items), 25)))
    return len(items)


def monthly_report_bench(runs: int, count: int = 10_000) -> dict[str, Any]:
    """The monthly report of a month of ``count`` cases (JSON, in process), against reading the
    month's items with boto3; its workbook (time and Python memory at its peak); and the public
    statistics, which must be one DynamoDB request."""
    import tracemalloc

    from pynamodb.connection import Connection

    from app import app
    from chalicelib.settings import get_settings

    settings = get_settings()
    client = boto3_client()
    fill_month(client, count)
    query = {"month": REPORT_MONTH, "source": "live"}
    event = api_event("GET", "/admin/reports/monthly", authorizer=STAFF_CONTEXT, query=query)

    def floor() -> None:
        paginator = client.get_paginator("query")
        for _ in paginator.paginate(
            TableName=settings.reports_table,
            KeyConditionExpression="#m = :m AND begins_with(#i, :p)",
            ExpressionAttributeNames={"#m": "month", "#i": "item"},
            ExpressionAttributeValues={":m": {"S": REPORT_MONTH}, ":p": {"S": "case#"}},
        ):
            pass

    from chalicelib.domain.deadlines import default_policy
    from chalicelib.storage import report_store_for

    store = report_store_for(settings)
    figures = paired(lambda: call(app, event, 200), floor, runs, warmup=2)
    figures["ratio_p50"] = round(figures["app"]["p50_ms"] / figures["floor"]["p50_ms"], 3)
    figures["cases"] = count
    # As the console asks for it (the month's complaints counted), and with their rows (include=cases).
    listed = api_event(
        "GET", "/admin/reports/monthly", authorizer=STAFF_CONTEXT, query={**query, "include": "cases"}
    )
    figures["with_case_rows_p50_ms"] = round(
        statistics.median(timed(lambda: call(app, listed, 200), runs, warmup=2)), 1
    )

    xlsx_event = api_event(
        "GET",
        "/admin/reports/monthly",
        authorizer=STAFF_CONTEXT,
        query={**query, "format": "xlsx"},
        headers={"Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )
    call(app, xlsx_event, 200)  # the first one imports xlsxwriter
    request_ms = timed(lambda: call(app, xlsx_event, 200), max(3, runs // 2), warmup=0)
    # The workbook alone, from the report's view (what the request adds to the JSON report).
    from chalicelib.domain.staff import StaffMember
    from chalicelib.services.reports import monthly_report
    from chalicelib.web.report_views import report_view
    from chalicelib.web.report_xlsx import workbook as make_workbook

    officer = StaffMember("bench", "基准专员", frozenset({"officer"}))
    policy = default_policy()
    report = monthly_report(store, officer, REPORT_MONTH, source="live", now=datetime.now(UTC), policy=policy)
    view = report_view(report, "zh", policy)
    build_ms = timed(lambda: make_workbook(view), max(3, runs // 2), warmup=1)
    tracemalloc.start()
    size = len(make_workbook(view))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    workbook = {
        "request_p50_ms": round(statistics.median(request_ms), 1),
        "build_p50_ms": round(statistics.median(build_ms), 1),
        "rows": len(view["lists"][-1]["rows"]),
        "bytes": size,
        "python_peak_mb": round(peak / 2**20, 1),
    }

    # The public statistics: published from a frozen month, then read; every DynamoDB request counted.
    from chalicelib.services.reports import freeze_month, publish_statistics

    published_at = datetime(2025, 7, 2, 2, tzinfo=UTC)  # Wednesday 2 July, the first working day
    freeze_month(store, now=published_at, policy=default_policy())
    publish_statistics(store, now=published_at, policy=default_policy())
    stats_event = api_event("GET", "/stats/monthly", query={"month": REPORT_MONTH})
    requests = 0
    original = Connection.dispatch

    def counting(self: Connection, operation: str, kwargs: dict[str, Any]) -> Any:
        nonlocal requests
        requests += 1
        return original(self, operation, kwargs)

    with mock.patch.object(Connection, "dispatch", counting):
        call(app, stats_event, 200)
    reads = requests
    public = paired(
        lambda: call(app, stats_event, 200),
        lambda: client.get_item(
            TableName=settings.reports_table, Key={"month": {"S": "public"}, "item": {"S": REPORT_MONTH}}
        ),
        runs * 10,
    )
    public["ratio_p50"] = round(public["app"]["p50_ms"] / public["floor"]["p50_ms"], 3)
    public["dynamodb_requests"] = reads
    return {"report": figures, "workbook": workbook, "statistics": public}


# --- HTTP throughput -----------------------------------------------------------------------------------


def throughput(env: dict[str, str], seconds: float, connections: int, work: Path) -> dict[str, Any]:
    from app import app

    receipt = json.loads(call(app, submit_event("http-template"), 201)["body"])
    path = f"/complaints/{receipt['tracking_no']}"
    port = free_port()
    server = ManagedProcess(
        "api",
        api_command(host="127.0.0.1", port=port, stage="test"),
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        log_path=work / "api.log",
    )
    server.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                probe.request("GET", path)
                if probe.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the local API did not start")
            time.sleep(0.1)
        latencies: list[float] = []
        errors = 0
        lock = threading.Lock()
        stop_at = time.monotonic() + seconds

        def client_loop() -> None:
            nonlocal errors
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine: list[float] = []
            bad = 0
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                mine.append((time.perf_counter() - started) * 1000)
                bad += response.status != 200
            with lock:
                latencies.extend(mine)
                errors += bad

        started = time.monotonic()
        threads = [threading.Thread(target=client_loop) for _ in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    return {
        "connections": connections,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "errors": errors,
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
    }


# --- Report ------------------------------------------------------------------------------------------------


def cold_start_lines(cold: dict[str, Any]) -> list[str]:
    lines = []
    for name, target in (("lookup", 1.15), ("submission", 1.3)):
        c = cold[name]
        what = f"cold start, first {name} (botocore floor)"
        lines.append(
            f"{what:44} {c['app_median_ms']:>9.1f} ms   floor {c['floor_median_ms']:>8.1f} ms   ratio {c['ratio']:.2f} (target <= {target})"
        )
        lines.append(
            f"{'  the same, CPU time of the process':44} {c['app_cpu_median_ms']:>9.1f} ms   floor {c['floor_cpu_median_ms']:>8.1f} ms   ratio {c['cpu_ratio']:.2f}   median of the pairs' ratios {c['paired_cpu_ratio']:.2f}"
        )
        if "instruction_ratio" in c:
            lines.append(
                f"{'  the same, instructions to the answer':44} {c['app_instructions'] / 1e6:>9.1f} M    floor {c['floor_instructions'] / 1e6:>8.1f} M    ratio {c['instruction_ratio']:.3f} (valgrind)"
            )
        else:
            lines.append("  the same, instructions to the answer: not counted (valgrind is not installed)")
    return lines


# --- Attachments: the presigned upload -------------------------------------------------------------


def attachment_presign_bench(runs: int) -> dict[str, Any]:
    """``POST /complaints/{no}/attachments`` (the access code checked, the case's files counted, the
    POST presigned, the pending record written) against its floor, a bare botocore
    ``generate_presigned_post`` with the same fields and conditions; and, for reference, against the
    complainant's own view of the case (the same access-code check and case read, no upload)."""
    import botocore.session
    from botocore.config import Config

    from app import app
    from chalicelib.domain.attachments import attachment_policy
    from chalicelib.settings import get_settings, reset_settings
    from chalicelib.storage import forget_storage

    # Presigning is computed locally: no S3 needs to run, only a bucket and an endpoint to name.
    os.environ["ATTACHMENTS_BUCKET"] = "bench-attachments"
    os.environ["S3_ENDPOINT_URL"] = "http://localhost:8333"
    reset_settings()
    forget_storage()
    settings = get_settings()
    limits = attachment_policy()
    # Each case takes max_files_per_case uploads: enough cases for every call, warm-ups included.
    per_case = limits.max_files_per_case
    receipts = [
        json.loads(call(app, submit_event(f"attach-{uuid.uuid4().hex}"), 201)["body"])
        for _ in range((2 * runs + 100) // per_case + 2)
    ]
    turn = iter(range(10**9))
    body = json.dumps({"file_name": "现场照片.jpg", "content_type": "image/jpeg", "size": 2_000_000})

    def presign() -> None:
        receipt = receipts[next(turn) // per_case]
        number = receipt["tracking_no"]
        event = api_event(
            "POST",
            "/complaints/{tracking_no}/attachments",
            {"tracking_no": number},
            body=body,
            headers={"Content-Type": "application/json", "X-Access-Code": receipt["access_code"]},
        )
        call(app, event, 201)

    s3: Any = botocore.session.get_session().create_client(
        "s3",
        region_name=settings.region,
        endpoint_url=settings.s3_endpoint_url,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )

    def bare_presign() -> None:
        key = f"quarantine/{uuid.uuid4().hex}"
        s3.generate_presigned_post(
            "bench-attachments",
            key,
            Fields={"Content-Type": "image/jpeg", "success_action_status": "204"},
            Conditions=[
                ["content-length-range", 1, 2_000_000],
                {"Content-Type": "image/jpeg"},
                {"success_action_status": "204"},
            ],
            ExpiresIn=limits.upload_expiry_seconds,
        )

    own = receipts[-1]
    own_view = api_event(
        "GET",
        "/complaints/{tracking_no}",
        {"tracking_no": own["tracking_no"]},
        headers={"X-Access-Code": own["access_code"]},
    )
    figures = paired(presign, bare_presign, runs)
    figures["ratio_p50"] = round(figures["app"]["p50_ms"] / figures["floor"]["p50_ms"], 3)
    reference = paired(presign, lambda: call(app, own_view, 200), runs)
    figures["own_view_p50_ms"] = reference["floor"]["p50_ms"]
    for name in ("ATTACHMENTS_BUCKET", "S3_ENDPOINT_URL"):
        os.environ.pop(name, None)
    reset_settings()
    forget_storage()
    return figures


def attachment_presign_lines(figures: dict[str, Any]) -> list[str]:
    app_f, floor_f = figures["app"], figures["floor"]
    return [
        f"{'attachment presign (POST .../attachments)':44} {app_f['p50_ms']:>7.2f} ms p50 / {app_f['p99_ms']:.2f} ms p99   "
        f"floor (bare generate_presigned_post) {floor_f['p50_ms']:.3f} ms   ratio {figures['ratio_p50']:.1f}   "
        f"(the complainant's own view, same access check: {figures['own_view_p50_ms']:.2f} ms)"
    ]


def report(results: dict[str, Any]) -> str:
    lines = ["", "complaint portal — benchmark (DynamoDB Local, in-memory)", ""]
    lines += cold_start_lines(results["cold_start"])
    lines.append("")
    lines.append(
        f"{'endpoint (in process)':24} {'p50':>9} {'p99':>9}   {'floor p50':>9} {'floor p99':>9}   ratio p50"
    )
    for name, figures in results["endpoints"].items():
        app_f, floor_f = figures["app"], figures["floor"]
        lines.append(
            f"{name:24} {app_f['p50_ms']:>7.2f}ms {app_f['p99_ms']:>7.2f}ms   {floor_f['p50_ms']:>7.2f}ms {floor_f['p99_ms']:>7.2f}ms   {figures['ratio_p50']:.2f}"
        )
    s = results["staff_list_scaling"]
    lines.append("")
    lines.append(
        f"{'staff list p50 at 1 000 / 20 000 cases':44} {s['1000']['p50_ms']:.2f} ms / {s['20000']['p50_ms']:.2f} ms   ratio {s['ratio_p50']:.2f}"
    )
    m = results["messages"]
    lines.append(
        f"{'submit p50, messages on / off':44} {m['app']['p50_ms']:.2f} ms / {m['floor']['p50_ms']:.2f} ms   ratio {m['ratio_p50']:.2f} (target <= 1.10)"
    )
    r = results["monthly_report"]
    lines.append("")
    lines.append(
        f"{'monthly report, ' + str(r['report']['cases']) + ' cases in the month':44} {r['report']['app']['p50_ms']:>9.1f} ms   floor {r['report']['floor']['p50_ms']:>8.1f} ms   ratio {r['report']['ratio_p50']:.2f} (target <= 1000 ms)"
    )
    lines.append(
        f"{'  with the rows of its cases (include=cases)':44} {r['report']['with_case_rows_p50_ms']:>9.1f} ms"
    )
    w = r["workbook"]
    lines.append(
        f"{'its workbook, ' + str(w['rows']) + ' rows: built / request':44} {w['build_p50_ms']:>9.1f} ms / {w['request_p50_ms']:.1f} ms   Python peak {w['python_peak_mb']:.1f} MB, file {w['bytes'] / 2**20:.1f} MB (target <= 2000 ms, <= 100 MB)"
    )
    st = r["statistics"]
    lines.append(
        f"{'public statistics':44} {st['app']['p50_ms']:>9.2f} ms   floor {st['floor']['p50_ms']:>8.2f} ms   ratio {st['ratio_p50']:.2f}   DynamoDB requests {st['dynamodb_requests']} (target 1)"
    )
    if "attachment_presign" in results:
        lines += attachment_presign_lines(results["attachment_presign"])
    t = results["http_throughput"]
    lines.append(
        f"{'HTTP, 8 keep-alive connections':44} {t['requests_per_second']:.0f} req/s   p50 {t['p50_ms']:.2f} ms   p99 {t['p99_ms']:.2f} ms   errors {t['errors']}"
    )
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="./scripts/bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=500, help="timed calls per endpoint (default 500)")
    parser.add_argument(
        "--cold-runs", type=int, default=21, help="pairs of fresh processes for each cold start (default 21)"
    )
    parser.add_argument("--cold-only", action="store_true", help="measure the cold starts only")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of the HTTP run (default 10)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(API_DIR))
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, environment(Path(tmp)) as env:
        from chalicelib.domain.tracking import format_code

        results: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
        from app import app

        number = json.loads(call(app, submit_event("cold-template"), 201)["body"])["tracking_no"]
        print("==> the functions' code, as deployed", file=sys.stderr)
        code = lambda_bundle(Path(tmp))
        # First, with or without the rest, so that both measure the same: measured after the
        # endpoints' thousands of requests, the lookup's ratio ran about 0.05 above --cold-only's.
        print("==> cold start", file=sys.stderr)
        results["cold_start"] = cold_start(env, format_code(number.replace("-", "")), args.cold_runs, code)
        if args.cold_only:
            print("\n".join(cold_start_lines(results["cold_start"])))
            return 0
        print("==> endpoints in process", file=sys.stderr)
        results["endpoints"] = endpoints(args.runs)
        print("==> the attachment presign", file=sys.stderr)
        results["attachment_presign"] = attachment_presign_bench(args.runs)
        print("==> submissions with messages on and off", file=sys.stderr)
        results["messages"] = messages_cost(args.runs)
        print("==> staff list at 1 000 and 20 000 cases", file=sys.stderr)
        results["staff_list_scaling"] = list_scaling(max(100, args.runs // 2))
        print("==> the monthly report at 10 000 cases", file=sys.stderr)
        results["monthly_report"] = monthly_report_bench(max(5, args.runs // 50))
        print("==> HTTP throughput", file=sys.stderr)
        results["http_throughput"] = throughput(env, args.seconds, 8, Path(tmp))
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(report(results))
    print(f"written to {RESULTS.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
