"""Messages end to end on the local stack as ``./scripts/serve`` runs it (issue 13, acceptance 1 and
2): the API writes to the outbox, the scheduler delivers it to the local SES and SNS servers, and
``./scripts/jobs run NAME --at ...`` chases the clocks at chosen moments, each message once."""

from __future__ import annotations

import json
import re
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any

import pytest

from chalicelib.domain.deadlines import default_policy
from chalicelib.domain.vocabulary import departments, office_mailboxes
from chalicelib.domain.working_days import default_calendar
from scripts.lib.stack import LocalStack, StackError
from tests.support import artifact_path, start_test_stack
from tests.support.jobs import run_stack_job
from tests.support.messages import sent_mail, wait_for_mail, wait_for_sms

POLICY = default_policy()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    try:
        running = start_test_stack(
            site_dir=tmp_path_factory.mktemp("site"),
            log_dir=artifact_path("logs", "messages-on-the-stack"),
            staff_auth_dir=tmp_path_factory.mktemp("staff-auth"),
            state_file=tmp_path_factory.mktemp("state") / "stack.json",
            run_schedules=True,
        )
    except StackError as error:
        pytest.fail(f"the local stack did not start: {error}", pytrace=False)
    try:
        yield running
    finally:
        running.stop()


def call(
    stack: LocalStack, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> Any:
    request = urllib.request.Request(
        f"{stack.api_url}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def staff(stack: LocalStack, role: str, name: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + stack.issuer.token(roles=[role], name=name)}


def complaint(**changes: Any) -> dict[str, Any]:
    return {
        "complainant_type": "individual",
        "name": "赵六",
        "category": "env_noise",
        "subject": "夜间施工噪音",
        "description": "工地每天晚上十一点后仍在施工，影响居民休息。",
        "consent": True,
        **changes,
    }


def mailbox() -> str:
    return f"person-{uuid.uuid4().hex[:8]}@example.cn"


def test_a_complaint_with_an_email_address_is_acknowledged_within_ten_seconds_in_its_language(
    stack: LocalStack,
) -> None:
    address = mailbox()
    receipt = call(stack, "POST", "/complaints", complaint(email=address, preferred_language="en"))
    [mail] = wait_for_mail(stack.mail_store_url, to=address, timeout=10)
    assert mail.subject == f"We have received your complaint ({receipt['tracking_no']})"
    assert receipt["tracking_no"] in (mail.text or "")
    assert f"en/status/?no={receipt['tracking_no']}" in (mail.html or "")
    assert receipt["access_code"] not in (mail.text or "")  # the confirmation page showed it


def test_a_complaint_with_only_a_mobile_number_gets_a_text_message(stack: LocalStack) -> None:
    mobile = f"139{uuid.uuid4().int % 10**8:08d}"
    receipt = call(stack, "POST", "/complaints", complaint(phone=mobile))
    [sms] = wait_for_sms(stack.sms_data_url, phone_number="+86" + mobile, timeout=10)
    assert sms.message.startswith("【园区投诉】")
    assert receipt["tracking_no"] in sms.message


def test_a_phoned_in_complaint_sends_its_access_code_which_opens_the_complainants_view(
    stack: LocalStack,
) -> None:
    mobile = f"138{uuid.uuid4().int % 10**8:08d}"
    officer = staff(stack, "officer", "王专员")
    received = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    receipt = call(
        stack,
        "POST",
        "/admin/complaints",
        complaint(phone=mobile, channel="phone", received_at=received),
        officer,
    )
    [sms] = wait_for_sms(stack.sms_data_url, phone_number="+86" + mobile, timeout=10)
    code = re.search(r"查询码([0-9A-Z-]{19})", sms.message)
    assert code is not None, sms.message
    assert code.group(1) == receipt["access_code"]
    view = call(
        stack, "GET", f"/complaints/{receipt['tracking_no']}", headers={"X-Access-Code": code.group(1)}
    )
    assert view["complaint"]["subject"] == "夜间施工噪音"
    # Sending it met the acknowledgement clock, and the case says how and that it was delivered. The
    # delivery records both just after the provider took the message, so the text can arrive first.
    case = _once_acknowledged(stack, receipt["tracking_no"], officer)
    assert (case["history"][-1]["action"], case["history"][-1]["actor"]["kind"]) == ("acknowledge", "system")
    messages = call(stack, "GET", f"/admin/complaints/{receipt['tracking_no']}/messages", headers=officer)
    [ack] = messages["items"]
    assert (ack["template"], ack["state"], ack["channel"]) == ("acknowledgement", "sent", "sms")
    assert mobile not in json.dumps(messages)  # masked


def _once_acknowledged(stack: LocalStack, number: str, officer: dict[str, str], timeout: float = 10) -> Any:
    """The case as staff see it once its acknowledgement clock is met, failing after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        case = call(stack, "GET", f"/admin/complaints/{number}", headers=officer)
        [acknowledge] = [d for d in case["deadlines"] if d["kind"] == "acknowledge"]
        if acknowledge["met_at"] is not None:
            return case
        assert time.monotonic() < deadline, f"the acknowledgement was not recorded: {case['deadlines']}"
        time.sleep(0.2)


def _subjects(stack: LocalStack, address: str, number: str) -> list[str]:
    return [m.subject for m in sent_mail(stack.mail_store_url, to=address) if number in m.subject]


def _eventually(read: Callable[[], list[str]], wanted: dict[str, int], timeout: float = 20) -> list[str]:
    """What ``read`` gives once it holds each wanted piece of text as often as wanted (the scheduler
    delivers every few seconds), failing with what it held after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        found = read()
        counts = {text: sum(text in item for item in found) for text in wanted}
        if counts == wanted or time.monotonic() > deadline:
            assert counts == wanted, found
            return found
        time.sleep(0.5)


def _working_morning_after(moment: datetime) -> datetime:
    """08:30 Beijing time on the first working day after ``moment``'s day."""
    day = POLICY.local_date(moment) + timedelta(days=1)
    while not default_calendar().is_working_day(day)[0]:
        day += timedelta(days=1)
    return datetime.combine(day, clock_time(8, 30), tzinfo=POLICY.zone).astimezone(UTC)


def test_the_jobs_remind_then_escalate_twice_each_once_and_the_digest_lists_what_is_overdue(
    stack: LocalStack,
) -> None:
    officer = staff(stack, "officer", "王专员")
    receipt = call(stack, "POST", "/complaints", complaint(email=mailbox()))
    number = receipt["tracking_no"]
    case = call(stack, "GET", f"/admin/complaints/{number}", headers=officer)
    case = call(
        stack,
        "POST",
        f"/admin/complaints/{number}/actions",
        {
            "action": "accept",
            "expected_version": case["version"],
            "category": "env_noise",
            "department": "ecology_environment",
            "priority": "normal",
        },
        officer,
    )
    report_due = datetime.fromisoformat(
        next(d["due_at"] for d in case["deadlines"] if d["kind"] == "report").replace("Z", "+00:00")
    )
    department = departments()["ecology_environment"].mailbox
    supervisors = office_mailboxes().supervisors
    wait_for_mail(stack.mail_store_url, to=department, timeout=10)  # the handling notice

    before = report_due - timedelta(hours=1)
    after = report_due + timedelta(minutes=5)
    second = POLICY.after(POLICY.chasing.escalate_again_after, report_due).at + timedelta(minutes=5)
    runs = []
    for moment in (before, before, after, after, second, second):
        runs.append(run_stack_job(stack, "chase_deadlines", at=moment))
        # What a job writes as if at a moment is due from that moment: delivered as if then too.
        delivered = run_stack_job(stack, "deliver_outbox", at=moment)
        assert delivered.ok, delivered
    assert all(run.ok for run in runs), runs
    new = [run.counts.get("reminder", 0) + run.counts.get("escalation", 0) for run in runs]
    assert new[1::2] == [0, 0, 0], runs  # the same moment again sends nothing new
    once = {"时限提醒": 1, "逾期督办": 1, "再次督办": 1}
    _eventually(lambda: _subjects(stack, department, number), once)
    _eventually(lambda: _subjects(stack, supervisors, number), {"逾期督办": 1, "再次督办": 1})

    # The digest of the next working morning lists what is overdue, by department.
    morning = _working_morning_after(second)
    run = run_stack_job(stack, "daily_digest", at=morning)
    assert (run.ok, run.counts.get("sent")) == (True, 1), run
    assert run_stack_job(stack, "deliver_outbox", at=morning).ok
    [digest] = _eventually(
        lambda: [
            m.text or "" for m in sent_mail(stack.mail_store_url, to=supervisors) if "日报" in m.subject
        ],
        {"生态环境分局": 1},
    )
    assert "逾期未办" in digest


def test_auto_close_closes_exactly_the_cases_past_their_review_window(stack: LocalStack) -> None:
    officer = staff(stack, "officer", "王专员")
    numbers = []
    for _ in range(2):
        receipt = call(stack, "POST", "/complaints", complaint(email=mailbox()))
        case = call(stack, "GET", f"/admin/complaints/{receipt['tracking_no']}", headers=officer)
        case = call(
            stack,
            "POST",
            f"/admin/complaints/{receipt['tracking_no']}/actions",
            {
                "action": "reject",
                "expected_version": case["version"],
                "reason_code": "duplicate",
                "explanation": "重复投诉",
            },
            officer,
        )
        numbers.append(receipt["tracking_no"])
    undecided = call(stack, "POST", "/complaints", complaint(email=mailbox()))["tracking_no"]
    window_end = POLICY.due("review_request", datetime.now(UTC)).at
    assert run_stack_job(stack, "auto_close", at=window_end - timedelta(days=1)).counts.get("closed", 0) == 0
    closing = run_stack_job(stack, "auto_close", at=window_end + timedelta(days=1))
    assert closing.ok, closing
    statuses = [call(stack, "GET", f"/complaints/{number}")["status"] for number in (*numbers, undecided)]
    assert statuses == ["closed", "closed", "received"]
    assert run_stack_job(stack, "auto_close", at=window_end + timedelta(days=1)).counts.get("closed", 0) == 0
