"""Schemathesis against the running API from its OpenAPI document (api/openapi.yaml): every
operation, public and staff (a supervisor's token passes every role check), on DynamoDB Local,
with every default check. Reproducible: a fixed seed and no example database.

Per operation: the document's examples, the coverage phase (boundary and invalid values, missing
headers, undeclared methods) and up to ``MAX_EXAMPLES`` fuzzed cases (positive and negative).
A per-operation count of the cases sent lands in test-artifacts/schemathesis-summary.json.
"""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import strategies as st

from chalicelib.domain.text import clean_text
from chalicelib.domain.tracking import ALPHABET, RANDOM_LENGTH, check_symbol, format_code
from chalicelib.settings import get_settings
from chalicelib.storage.tables import ensure_tables
from tests.support import artifact_path, free_port, unique_table_prefix
from tests.support.api_client import PORTAL_ORIGIN, reset_app_state
from tests.support.api_server import serve_app
from tests.support.openapi import OPENAPI_PATH, documented_operations
from tests.support.stack import start_s3_server
from tests.support.staff import TestIssuer

from .test_public_api import COMPLAINT

MAX_EXAMPLES = 100
SEED = 20261120
SECRET = "schemathesis-access-code-secret-" + "x" * 20
# Cases filed before the run, so that generated tracking numbers also name cases that exist.
FILED_CASES = 4
# The filed cases from this index on get a ready file each (which moves their version on).
WITH_FILES = 2
BEIJING = timezone(timedelta(hours=8))

# positive_data_acceptance's default: what a request the schema allows may get.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]

CASES_SENT: Counter[str] = Counter()
CASES_BY_PHASE: Counter[tuple[str, str]] = Counter()
RESPONSES: Counter[tuple[str, str, int]] = Counter()


@dataclass
class LiveApi:
    url: str = ""
    authorization: str = ""
    # Tracking numbers of cases filed before the run.
    numbers: tuple[str, ...] = ()
    # The message of each filed case that was made to fail, so that a resend can succeed.
    failed_messages: tuple[str, ...] = ()
    # A file of each filed case from WITH_FILES on, processed and ready, so that opening one can succeed.
    attachments: tuple[str, ...] = ()
    session: requests.Session = field(default_factory=requests.Session)


LIVE = LiveApi()


def _file_complaint(url: str, number: int) -> str:
    body = json.dumps({**COMPLAINT, "subject": f"{COMPLAINT['subject']} {number}"}).encode()
    request = urllib.request.Request(
        f"{url}/complaints", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        receipt: dict[str, Any] = json.loads(response.read())
    return str(receipt["tracking_no"])


def _ready_attachment(url: str, number: str, authorization: str) -> str:
    """A staff file on the case, uploaded to the local S3 and processed."""
    from chalicelib.jobs.attachments import process_attachments
    from tests.support.uploads import presigned_upload

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nstartxref\n9\n%%EOF\n"
    body = json.dumps({"file_name": "记录.pdf", "content_type": "application/pdf", "size": len(pdf)}).encode()
    request = urllib.request.Request(
        f"{url}/admin/complaints/{number}/attachments",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": authorization},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        offer: dict[str, Any] = json.loads(response.read())
    assert presigned_upload(offer, pdf)[0] == 204
    assert process_attachments(datetime.now(UTC)).counts.get("ready") == 1
    return str(offer["attachment"]["id"])


@pytest.fixture(scope="module")
def live_api(dynamodb_local: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    """The API behind chalice's threaded HTTP server, on fresh tables in DynamoDB Local, with the
    local S3 for attachments."""
    issuer = TestIssuer(tmp_path_factory.mktemp("schemathesis-staff-auth"))
    s3 = start_s3_server(tmp_path_factory.mktemp("schemathesis-s3"), buckets=("schemathesis-attachments",))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "STAGE": "test",
            "STORAGE": "dynamodb",
            "TABLE_PREFIX": unique_table_prefix("schemathesis"),
            "PORTAL_ORIGIN": PORTAL_ORIGIN,
            "ACCESS_CODE_SECRET": SECRET,
            "S3_ENDPOINT_URL": s3.url,
            "ATTACHMENTS_BUCKET": "schemathesis-attachments",
            **issuer.environment(),
        }.items():
            patch.setenv(name, value)
        reset_app_state()
        ensure_tables(get_settings())
        try:
            with serve_app(free_port()) as url:
                LIVE.url = url
                LIVE.numbers = tuple(_file_complaint(url, n) for n in range(FILED_CASES))
                LIVE.failed_messages = tuple(_fail_first_message(number) for number in LIVE.numbers)
                LIVE.authorization = issuer.bearer("supervisor", name="模糊测试主管")["Authorization"]
                # The first cases keep their first version (the actions' example expects it).
                LIVE.attachments = tuple(
                    _ready_attachment(url, n, LIVE.authorization) for n in LIVE.numbers[WITH_FILES:]
                )
                yield LIVE
        finally:
            LIVE.session.close()
            reset_app_state()
            s3.stop()


def _fail_first_message(number: str) -> str:
    """Make the filed case's first message one that could not be delivered (as a delivery would)."""
    from chalicelib.domain.tracking import normalize
    from chalicelib.storage import outbox_for

    outbox = outbox_for(get_settings())
    [message, *_] = outbox.for_case(normalize(number))
    now = datetime.now(UTC)
    assert outbox.claim(message.notice.id, token="fuzz", now=now, lease=timedelta(minutes=1)) is not None
    assert outbox.mark_failed(message.notice.id, token="fuzz", now=now, error="Fuzz", expires_at=now)
    return message.notice.id


def _filed(index: int) -> st.SearchStrategy[str]:
    """A filed case's number as people type it. Before the fixture ran (schemathesis draws some
    values while collecting), a well-formed number of no case."""
    number = (
        LIVE.numbers[index] if LIVE.numbers else format_code(f"{index:011d}" + check_symbol(f"{index:011d}"))
    )
    return st.sampled_from([number, number.lower(), number.replace("-", ""), number.replace("-", " ")])


# Path parameters of format "tracking-number": numbers whose check symbol holds (a random one
# cannot pass it), naming cases that exist (typed as people type them) or no case. Drawn while the
# test runs, after the fixture has filed the cases.
schemathesis.openapi.format(
    "tracking-number",
    st.one_of(
        st.integers(0, FILED_CASES - 1).flatmap(_filed),
        st.text(alphabet=ALPHABET, min_size=RANDOM_LENGTH, max_size=RANDOM_LENGTH).map(
            lambda body: format_code(body + check_symbol(body))
        ),
    ),
)

# Strings of format "visible-text" (RequiredText): text that still shows something in the normal
# form the API keeps (domain/text.py), which a JSON Schema pattern cannot state exactly.
schemathesis.openapi.format(
    "visible-text",
    st.text(min_size=1, max_size=200).filter(lambda text: bool(clean_text(text))),
)


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat()


# Strings of format "date-time": any RFC 3339 moment, and moments near now (the time a registered
# complaint was received must lie within the last days, so a uniformly drawn one never passes).
schemathesis.openapi.format(
    "date-time",
    st.one_of(
        st.datetimes(timezones=st.timezones()).map(_rfc3339),
        st.integers(-90 * 24 * 60, 24 * 60).map(
            lambda minutes: _rfc3339(datetime.now(UTC).astimezone(BEIJING) + timedelta(minutes=minutes))
        ),
    ),
)

# Path parameters of format "message-id": a filed case's failed message (a resend of it succeeds
# once the generated tracking number names its case), or an id of no message.
schemathesis.openapi.format(
    "message-id",
    st.one_of(
        st.integers(0, FILED_CASES - 1).map(
            lambda n: LIVE.failed_messages[n] if LIVE.failed_messages else "0" * 32
        ),
        st.text(alphabet="0123456789abcdef", min_size=1, max_size=64),
    ),
)

# Path parameters named attachment_id: a filed case's ready file (map_case makes it the file of the
# case the generated number names, when that case has one; of any other case it is no file there).
schemathesis.openapi.format(
    "attachment-id",
    st.integers(0, FILED_CASES - WITH_FILES - 1).map(
        lambda n: LIVE.attachments[n] if LIVE.attachments else "0" * 16
    ),
)

# Declared media types: the ones the limits take, and any other text.
schemathesis.openapi.format(
    "media-type",
    st.one_of(
        st.sampled_from(["image/jpeg", "image/png", "image/webp", "application/pdf"]),
        st.text(min_size=1, max_size=100).filter(lambda text: bool(clean_text(text))),
    ),
)

schema = schemathesis.openapi.from_path(
    str(OPENAPI_PATH),
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "database": "none",
                # The staff token is a real one, sent below: generating random ones tests nothing.
                "with-security-parameters": False,
            },
            # TRACE and QUERY never reach the app: chalice local's HTTP server answers them 501
            # itself, and API Gateway (REST) has no such methods.
            "phases": {
                "coverage": {"unexpected-methods": ["get", "put", "post", "delete", "options", "patch"]}
            },
            # Where a request the schema allows may still be refused, as the document says:
            "operations": [
                {
                    # 400: the domain's rules on what people type (phone, e-mail, credit code, dates,
                    # amounts, the fields a complainant type needs, consent); 422: the
                    # Idempotency-Key was used before with another body.
                    "include-name": ["POST /complaints", "POST /admin/complaints"],
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400", "422"]}},
                },
                {
                    # 400: the domain's rules on an action (a later due date, a category the
                    # department handles...); and 1.0 is a JSON Schema integer, not a JSON integer.
                    "include-name": "POST /admin/complaints/{tracking_no}/actions",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
                },
                {
                    # 400: the domain's rules on a file (a type on the list, at most the largest
                    # size, room left on the case).
                    "include-name": [
                        "POST /complaints/{tracking_no}/attachments",
                        "POST /admin/complaints/{tracking_no}/attachments",
                        "POST /attachment-upload",
                    ],
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
                },
                {
                    # 400: a cursor is valid only as the previous page returned it.
                    "include-name": "GET /admin/complaints",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
                },
                {
                    # 400: a search of nothing but spaces; days in the wrong order or too many.
                    "include-name": ["GET /admin/search", "GET /admin/access-log"],
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
                },
            ],
        }
    ),
)


@schema.hook
def before_add_examples(context: schemathesis.HookContext, examples: list[schemathesis.Case[Any]]) -> None:
    """The document's registration example was received at a fixed moment, which leaves the window
    a registration allows as days pass: send it as received an hour ago."""
    for case in examples:
        if case.operation.label == "POST /admin/complaints" and isinstance(case.body, dict):
            case.body["received_at"] = (datetime.now(UTC) - timedelta(hours=1)).isoformat()


@schema.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case[Any]) -> schemathesis.Case[Any]:
    """Opening a file: a drawn file id of the filed ones, on a drawn number of a filed case with a
    file, becomes that case's own file, so that an opening that succeeds is among the cases (the two
    are drawn apart, and a file belongs to one case)."""
    from chalicelib.domain.tracking import normalize, tracking_no_problem

    parameters = case.path_parameters or {}
    attachment_id, typed = parameters.get("attachment_id"), str(parameters.get("tracking_no", ""))
    if attachment_id not in LIVE.attachments or tracking_no_problem(typed) is not None:
        return case
    owners = [normalize(number) for number in LIVE.numbers[WITH_FILES:]]
    if normalize(typed) in owners:
        parameters["attachment_id"] = LIVE.attachments[owners.index(normalize(typed))]
    return case


@schema.hook
def after_call(
    context: schemathesis.HookContext, case: schemathesis.Case[Any], response: schemathesis.Response
) -> None:
    """The answer to each case, by operation, body media type and status."""
    RESPONSES[(case.operation.label, case.media_type or "-", response.status_code)] += 1


@schema.parametrize()
def test_the_api_answers_as_its_openapi_document_says(
    case: schemathesis.Case[Any], live_api: LiveApi
) -> None:
    label = case.operation.label
    CASES_SENT[label] += 1
    CASES_BY_PHASE[(label, case.meta.phase.name.value if case.meta else "explicit")] += 1
    staff = case.operation.definition.raw.get("security") not in (None, [])
    headers = {"Authorization": live_api.authorization} if staff else None
    case.call_and_validate(base_url=live_api.url, session=live_api.session, headers=headers)


def test_every_documented_operation_was_exercised() -> None:
    if not CASES_SENT:
        pytest.skip("counts the cases test_the_api_answers_as_its_openapi_document_says sent")
    responses: dict[str, dict[str, int]] = {}
    for (label, media_type, status), n in sorted(RESPONSES.items()):
        responses.setdefault(label, {})[f"{media_type} {status}"] = n
    summary = {
        "operations": len(CASES_SENT),
        "cases": sum(CASES_SENT.values()),
        "requests": sum(RESPONSES.values()),
        "cases_by_operation": dict(sorted(CASES_SENT.items())),
        "cases_by_phase": {f"{label} [{phase}]": n for (label, phase), n in sorted(CASES_BY_PHASE.items())},
        "responses": responses,
    }
    artifact_path("schemathesis-summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    documented = {
        f"{method} {path}": operation for (path, method), operation in documented_operations().items()
    }
    assert set(CASES_SENT) == set(documented)
    # Every operation that takes any input got at least MAX_EXAMPLES cases; those that take none
    # (preflights of fixed paths) have nothing to vary.
    with_input = [label for label, op in documented.items() if op.get("parameters") or op.get("requestBody")]
    assert all(CASES_SENT[label] >= MAX_EXAMPLES for label in with_input), CASES_SENT
    # The staff token works: every staff operation got past the authorizer and its role check.
    staff = [label for label, op in documented.items() if op.get("security")]
    assert all(any(key.split()[-1].startswith("2") for key in responses[label]) for label in staff), responses
