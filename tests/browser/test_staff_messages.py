"""The staff console's part in messages (issue 13): a case's messages and their delivery, resending one
that could not be delivered, and the supervisors' queue of cases escalated twice, on the real local
stack: its outbox delivered by ``./scripts/jobs`` runs, to the local mail server."""

from __future__ import annotations

import json
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Page, expect

from scripts.lib.stack import LocalStack
from tests.support.jobs import run_stack_job
from tests.support.messages import wait_for_mail

from .test_staff_console import GLOSSARY, file_complaint, open_case, sign_in

REFUSING = "tests.support.sample_jobs:REFUSING_JOBS"
STATE = GLOSSARY["message_state"]


def deliver_all(stack: LocalStack, registry: str | None = None) -> dict[str, int]:
    """Deliver everything due now, as many runs as it takes (a run takes 50 messages, and the
    session's earlier tests left theirs): the counts of all the runs."""
    totals: dict[str, int] = {}
    for _ in range(50):
        outcome = (
            run_stack_job(stack, "deliver_refused", at=datetime.now(UTC), registry=registry)
            if registry
            else run_stack_job(stack, "deliver_outbox", at=datetime.now(UTC))
        )
        assert outcome.ok, outcome
        for key, value in outcome.counts.items():
            totals[key] = totals.get(key, 0) + value
        if not outcome.more:
            return totals
    raise AssertionError("the outbox never emptied")


def register(stack: LocalStack, *, email: str, received_at: datetime) -> str:
    """A complaint taken by letter some time ago, registered by an officer: its tracking number."""
    body = {
        "channel": "letter",
        "received_at": received_at.isoformat(),
        "complainant_type": "individual",
        "name": "孙八",
        "email": email,
        "category": "env_noise",
        "subject": "搅拌站凌晨作业",
        "description": "园区南侧搅拌站每天凌晨四点开始作业，噪音很大。",
        "consent": True,
    }
    token = stack.issuer.token(roles=["officer"], name="王专员")
    request = urllib.request.Request(
        f"{stack.api_url}/admin/complaints",
        data=json.dumps(body).encode("utf-8"),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": str(uuid.uuid4()),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        receipt: dict[str, Any] = json.loads(response.read())
    return str(receipt["tracking_no"])


def test_a_supervisor_finds_a_case_escalated_twice_and_resends_its_undelivered_acknowledgement(
    local_stack: LocalStack, page: Page
) -> None:
    # Given a letter received three weeks ago and registered only now, long past its time limits,
    # whose acknowledgement the mail provider refused
    address = f"sun-{uuid.uuid4().hex[:8]}@example.cn"
    number = register(local_stack, email=address, received_at=datetime.now(UTC) - timedelta(days=21))
    fresh = file_complaint(local_stack, subject="路灯不亮", description="园区西路的路灯已经一周不亮了。")
    assert deliver_all(local_stack, REFUSING)["failed"] >= 1

    # When a supervisor asks for the cases escalated twice
    sign_in(page, local_stack, local_stack.issuer.token(roles=["supervisor"], name="张主管"))
    page.check("#sc-filter-escalated")
    page.locator("#sc-filters button[type=submit]").click()

    # Then the old case is listed, tagged in words as escalated twice and as having a message not
    # delivered, and the fresh one is not
    row = page.locator(f'#sc-queue-table tr[data-tracking-no="{number}"]')
    expect(row.locator(".sc-tag--escalated")).to_have_text("再次督办")
    expect(row.locator(".sc-tag--undelivered")).to_have_text("消息未送达")
    expect(page.locator(f'#sc-queue-table tr[data-tracking-no="{fresh}"]')).to_have_count(0)

    # When the case is opened
    open_case(page, number)
    expect(page.locator("#sc-case-escalated")).to_be_visible()

    # Then its acknowledgement is listed as not delivered, to the masked address, with a resend button
    messages = page.locator("#sc-messages tbody tr")
    ack = messages.filter(has_text=GLOSSARY["message"]["acknowledgement"]["zh"])
    expect(ack).to_have_count(1)
    expect(ack).to_contain_text(STATE["failed"]["zh"])
    expect(ack).to_contain_text("邮件")
    expect(ack).to_contain_text("原因：MessageRejected")
    expect(ack).to_contain_text(address[:2] + "***@example.cn")
    expect(page.locator("#sc-messages")).not_to_contain_text(address)

    # When the supervisor sends it again
    ack.get_by_role("button", name="重新发送").click()

    # Then it waits to be sent, without the button, and the next delivery takes it to the complainant
    expect(page.locator("#sc-messages-status")).to_have_text("已重新排队发送。")
    expect(ack).to_contain_text(STATE["pending"]["zh"])
    expect(ack.get_by_role("button")).to_have_count(0)
    deliver_all(local_stack)
    [mail] = wait_for_mail(local_stack.mail_store_url, to=address, timeout=10)
    assert number in (mail.text or "")

    # And, the page loaded again, the message is shown as sent
    page.reload()
    expect(page.locator("#sc-case-title")).to_contain_text(number)
    expect(ack).to_contain_text(STATE["sent"]["zh"])


def test_a_handler_sees_the_messages_of_a_case_but_is_offered_no_resend(
    local_stack: LocalStack, page: Page
) -> None:
    # Given a case of the handler's department whose messages the provider refused
    number = register(
        local_stack, email=f"sun-{uuid.uuid4().hex[:8]}@example.cn", received_at=datetime.now(UTC)
    )
    officer = local_stack.issuer.token(roles=["officer"], name="王专员")
    sign_in(page, local_stack, officer)
    open_case(page, number)
    page.locator("#sc-action-accept summary").click()
    page.select_option("#sc-accept-department", "ecology_environment")
    page.select_option("#sc-accept-priority", "normal")
    page.locator("#sc-action-accept button[type=submit]").click()
    expect(page.locator("#sc-case-status")).to_have_text(GLOSSARY["status"]["accepted"]["zh"])
    deliver_all(local_stack, REFUSING)

    # When the department's handler opens it
    handler = local_stack.issuer.token(roles=["handler"], name="李承办", department="ecology_environment")
    sign_in(page, local_stack, handler)
    open_case(page, number)

    # Then the undelivered messages are listed, and nothing offers to send them again
    rows = page.locator("#sc-messages tbody tr")
    expect(rows.filter(has_text=STATE["failed"]["zh"]).first).to_be_visible()
    expect(page.locator("#sc-messages button")).to_have_count(0)
