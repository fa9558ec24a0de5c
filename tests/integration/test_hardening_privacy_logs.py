"""Personal data never reaches the logs: unique strings planted in every personal field (and in the
free text people write) are searched for in everything logged through a whole case's life."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from chalice.test import Client

from chalicelib.jobs.registry import JOBS
from tests.support.api_client import app_client, get_json, post_json
from tests.support.staff import TestIssuer

MARK = secrets.token_hex(4).upper()
PLANTED = {
    "name": f"姓名{MARK}",
    "organization": f"单位{MARK}有限公司",
    "phone": f"1390{int(MARK, 16) % 10_000_000:07d}",
    "email": f"planted.{MARK.lower()}@example.com",
    "subject": f"标题{MARK}",
    "description": f"投诉内容{MARK}，这是一段足够长的描述。",
    "location": f"地点{MARK}",
    "desired_outcome": f"诉求{MARK}",
}
CREDIT_CODE = "91350100M000100Y43"
STAFF_TEXTS = {
    "note": f"内部备注{MARK}",
    "message": f"答复留言{MARK}",
    "reasons": f"处理理由{MARK}",
    "remedy": f"措施{MARK}",
}


@pytest.fixture
def client(
    dynamodb_local: str, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Client, TestIssuer]]:
    issuer = TestIssuer(tmp_path_factory.mktemp("staff-auth"))
    # Mail and text messages go to a port nobody listens on: deliveries fail fast, and their
    # failures are logged (or not) like everything else.
    unreachable = {"SES_ENDPOINT_URL": "http://127.0.0.1:9", "SNS_ENDPOINT_URL": "http://127.0.0.1:9"}
    with app_client(monkeypatch, **issuer.environment(), **unreachable) as test_client:
        yield test_client, issuer


def test_nothing_personal_is_logged_through_a_whole_lifecycle(
    client: tuple[Client, TestIssuer], caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    http, issuer = client
    # Everything the SDKs log at INFO, everything of ours down to DEBUG (the capture handler takes the
    # level of the last call, so DEBUG comes last).
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="chalicelib")
    officer, supervisor = issuer.bearer("officer", name="王专员"), issuer.bearer("supervisor", name="张主管")
    complaint = {
        **PLANTED,
        "complainant_type": "enterprise",
        "credit_code": CREDIT_CODE,
        "category": "env_air",
        "consent": True,
    }
    # Mistakes first: refused input is not logged either.
    post_json(http, "/complaints", {**complaint, "email": f"bad-{MARK}", "phone": f"12{MARK}"})
    http.http.post(
        "/complaints",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode({**complaint, "consent": "true", "name": ""}),
    )
    status, receipt, _ = post_json(http, "/complaints", complaint, {"Idempotency-Key": f"key-{MARK}"})
    assert status == 201
    post_json(http, "/complaints", complaint, {"Idempotency-Key": f"key-{MARK}"})
    number, code = receipt["tracking_no"], {"X-Access-Code": receipt["access_code"]}
    get_json(http, f"/complaints/{number}")
    get_json(http, f"/complaints/{number}", code)
    get_json(http, f"/complaints/{number}", {"X-Access-Code": "WRONG-CODE-0000-0000"})
    post_json(http, f"/complaints/{number}/information", {"message": f"补充{MARK}"}, code)
    get_json(http, "/admin/complaints", officer)

    def act(who: dict[str, str], action: str, **fields: str) -> None:
        _, case, _ = get_json(http, f"/admin/complaints/{number}", who)
        status, body, _ = post_json(
            http,
            f"/admin/complaints/{number}/actions",
            {"action": action, "expected_version": case["version"], **fields},
            who,
        )
        assert status == 200, body

    act(officer, "accept", category="env_air", department="ecology_environment", priority="urgent")
    act(officer, "note", note=STAFF_TEXTS["note"])
    act(officer, "reply", message=STAFF_TEXTS["message"])
    act(officer, "start")
    act(officer, "respond", decision="upheld", reasons=STAFF_TEXTS["reasons"], remedy=STAFF_TEXTS["remedy"])
    act(officer, "callback", satisfaction="satisfied", comment=f"回访{MARK}")
    post_json(
        http, f"/complaints/{number}/feedback", {"satisfaction": "satisfied", "comment": f"评价{MARK}"}, code
    )
    post_json(http, f"/complaints/{number}/review", {"reasons": f"复查理由{MARK}"}, code)
    act(supervisor, "review_decision", decision="upheld", reasons=f"复查结论{MARK}")
    act(officer, "close")
    received = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    registration = {**complaint, "channel": "phone", "subject": f"电话{MARK}", "received_at": received}
    status, registered, _ = post_json(http, "/admin/complaints", registration, officer)
    assert status == 201, registered
    get_json(http, f"/admin/complaints/{number}/messages", supervisor)
    # Every scheduled job: as its schedule fires it (through its handler, which logs what it did),
    # and when every clock has run out.
    for job in JOBS:
        http.lambda_.invoke(
            job.name,
            http.events.generate_cw_event(
                source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
            ),
        )
        job.run(datetime.now(UTC) + timedelta(days=40))
    assert any('"job"' in record.getMessage() for record in caplog.records), (
        "the jobs' log lines were captured"
    )

    assert any(record.name == "chalicelib.requests" for record in caplog.records), (
        "the request log was captured"
    )
    out, err = capfd.readouterr()
    logged = "\n".join([caplog.text, out, err, *(str(r.args) for r in caplog.records if r.args)])
    secrets_and_personal = [
        *PLANTED.values(),
        CREDIT_CODE,
        receipt["access_code"],
        receipt["access_code"].replace("-", ""),
        registered["access_code"],
        registered["access_code"].replace("-", ""),
    ]
    for value in secrets_and_personal:
        assert value not in logged, value
    assert MARK not in logged
