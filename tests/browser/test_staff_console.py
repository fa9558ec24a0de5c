"""The staff console (/staff/, not in the public navigation) against the real local stack: sign-in,
the queue, working a case through its actions, conflicts, registration, and text people wrote
staying text."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from scripts.lib.paths import REPO_ROOT
from scripts.lib.portal_edge import content_security_policy
from scripts.lib.stack import LocalStack

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

Screenshot = Callable[["Page", str], Path]

DATA_DIR = REPO_ROOT / "api" / "chalicelib" / "data"
GLOSSARY: dict[str, Any] = json.loads((DATA_DIR / "glossary.json").read_text(encoding="utf-8"))
CATALOG: dict[str, Any] = json.loads((DATA_DIR / "catalog.json").read_text(encoding="utf-8"))
DEPARTMENTS = {d["code"]: d["label"] for d in CATALOG["departments"]}
STATUS = GLOSSARY["status"]
ACTION = GLOSSARY["action"]

# Markup a complainant might type: it must come back as these characters, never as elements.
PAYLOAD = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'
TOKEN_KEY = "complaint-portal.staff.token"
BEIJING = timezone(timedelta(hours=8))


# ------------------------------------------------------------------ helpers


def console_url(stack: LocalStack, lang: str = "zh") -> str:
    return stack.portal_url + ("" if lang == "zh" else f"{lang}/") + "staff/"


def file_complaint(stack: LocalStack, *, subject: str, description: str, category: str = "env_water") -> str:
    """A complaint filed through the public API; its tracking number."""
    body = {
        "complainant_type": "individual",
        "name": "赵六",
        "phone": "13800138000",
        "category": category,
        "subject": subject,
        "description": description,
        "consent": True,
    }
    request = urllib.request.Request(
        f"{stack.api_url}/complaints",
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        tracking_no: str = json.loads(response.read())["tracking_no"]
    return tracking_no


def staff_call(stack: LocalStack, token: str, method: str, path: str, body: Any = None) -> dict[str, Any]:
    """The admin API called directly (set-up steps that are not what a test is about)."""
    request = urllib.request.Request(
        f"{stack.api_url}{path}",
        data=None if body is None else json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        result: dict[str, Any] = json.loads(response.read())
    return result


def accept_directly(stack: LocalStack, tracking_no: str, department: str) -> None:
    officer = stack.issuer.token(roles=["officer"], name="王专员")
    case = staff_call(stack, officer, "GET", f"/admin/complaints/{tracking_no}")
    staff_call(
        stack,
        officer,
        "POST",
        f"/admin/complaints/{tracking_no}/actions",
        {
            "action": "accept",
            "expected_version": case["version"],
            "category": case["category"]["code"],
            "department": department,
            "priority": "normal",
        },
    )


def sign_in(page: Page, stack: LocalStack, token: str, lang: str = "zh") -> None:
    """Open the console with a sign-in link (#token=...) and wait for the queue."""
    page.goto(console_url(stack, lang) + "#token=" + token)
    expect(page.locator("#sc-console")).to_be_visible()
    expect(page.locator("#sc-queue")).to_be_visible()


def open_case(page: Page, tracking_no: str) -> None:
    page.evaluate("no => { location.hash = 'case=' + no; }", tracking_no)
    expect(page.locator("#sc-case-body")).to_be_visible()
    expect(page.locator("#sc-case-title")).to_contain_text(tracking_no)


def act(page: Page, action: str, fields: dict[str, str] | None = None) -> None:
    """Open an action's form, fill it (selects by value) and submit it."""
    panel = page.locator(f"#sc-action-{action}")
    expect(panel).to_be_visible()
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for name, value in (fields or {}).items():
        control = panel.locator(f'[name="{name}"]')
        if control.evaluate("node => node.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    panel.locator("button[type=submit]").click()


def assert_not_executed(page: Page) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("#staff-app img, #staff-app script").count() == 0


@pytest.fixture
def second_page(browser: Browser) -> Iterator[Page]:
    """Another person's browser: its own context, so its own sessionStorage and sign-in."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


# ------------------------------------------------------------------ working a case


def test_an_officer_accepts_and_the_departments_handler_responds_while_typed_markup_stays_text(
    local_stack: LocalStack, page: Page, second_page: Page, screenshot: Screenshot
) -> None:
    # Given a complaint whose subject and description carry script payloads
    subject = "河道排污 " + PAYLOAD
    description = "每天夜里有暗管向河道排放污水。\n" + PAYLOAD
    tracking_no = file_complaint(local_stack, subject=subject, description=description)
    issuer = local_stack.issuer

    # When an officer opens the console with a sign-in link
    sign_in(page, local_stack, issuer.token(roles=["officer"], name="王专员"))

    # Then the token has left the address bar, and the officer's name and role are shown
    assert "token" not in page.url
    expect(page.locator("#sc-who-name")).to_have_text("王专员")
    expect(page.locator("#sc-who-roles")).to_have_text(GLOSSARY["role"]["officer"]["zh"])

    # When the queue is filtered to received water complaints
    page.select_option("#sc-filter-status", "received")
    page.select_option("#sc-filter-category", "env_water")
    page.click("#sc-filters button[type=submit]")

    # Then the complaint is listed, its subject as literal text, and nothing it carries runs
    row = page.locator(f'#sc-queue-table tr[data-tracking-no="{tracking_no}"]')
    expect(row).to_be_visible()
    expect(row.locator(".sc-queue__subject")).to_have_text(subject)
    expect(row).to_contain_text(STATUS["received"]["zh"])
    assert_not_executed(page)
    screenshot(page, "queue-zh")

    # When the officer opens it
    row.locator("a").click()

    # Then the whole complaint is shown as text, and only the actions open to an officer now
    expect(page.locator("#sc-case-status")).to_have_text(STATUS["received"]["zh"])
    expect(page.locator("#sc-case-subject")).to_have_text(subject)
    expect(page.locator('#sc-case-details [data-row="description"] dd')).to_have_text(description)
    expect(page.locator('#sc-case-complainant [data-row="name"] dd')).to_have_text("赵六")
    expect(page.locator("#sc-action-accept")).to_be_visible()
    expect(page.locator("#sc-action-reject")).to_be_visible()
    expect(page.locator("#sc-action-respond")).to_be_hidden()
    expect(page.locator("#sc-action-extend")).to_be_hidden()
    assert_not_executed(page)

    # And accepting offers the category and its suggested department
    page.locator("#sc-action-accept summary").click()
    expect(page.locator("#sc-accept-category")).to_have_value("env_water")
    expect(page.locator("#sc-accept-department")).to_have_value("ecology_environment")

    # When the officer accepts it as it is
    act(page, "accept")

    # Then the case is accepted, assigned, and the acceptance is in the history
    expect(page.locator("#sc-case-status")).to_have_text(STATUS["accepted"]["zh"])
    expect(page.locator("#sc-case-department")).to_have_text(DEPARTMENTS["ecology_environment"]["zh"])
    expect(page.locator('#sc-history li[data-action="accept"]')).to_contain_text("王专员")

    # When the ecology department's handler opens it in their own browser
    handler = issuer.token(roles=["handler"], name="李承办", department="ecology_environment")
    sign_in(second_page, local_stack, handler)
    open_case(second_page, tracking_no)

    # And responds without reasons
    act(second_page, "respond", {"decision": "upheld"})

    # Then the API's field error is shown beside the reasons, and nothing changed
    reasons_error = second_page.locator("#sc-respond-reasons-error")
    expect(reasons_error).to_be_visible()
    expect(reasons_error).to_contain_text("理由")
    expect(second_page.locator("#sc-respond-reasons")).to_have_attribute("aria-invalid", "true")
    expect(second_page.locator("#sc-case-status")).to_have_text(STATUS["accepted"]["zh"])

    # When the handler gives reasons (with markup in them too) and responds
    act(
        second_page,
        "respond",
        {"reasons": "经现场核查，排污属实，已责令整改。" + PAYLOAD, "remedy": "封堵暗管"},
    )

    # Then the case is responded, and the history lists every step with who took it
    expect(second_page.locator("#sc-case-status")).to_have_text(STATUS["responded"]["zh"])
    history = second_page.locator("#sc-history")
    expect(history.locator("li")).to_have_count(3)
    expect(history.locator("li").nth(0)).to_contain_text(ACTION["submit"]["zh"])
    expect(history.locator("li").nth(1)).to_contain_text(ACTION["accept"]["zh"])
    expect(history.locator("li").nth(2)).to_contain_text(ACTION["respond"]["zh"])
    expect(history.locator("li").nth(2)).to_contain_text("李承办")
    expect(history.locator("li").nth(2)).to_contain_text("经现场核查，排污属实，已责令整改。" + PAYLOAD)
    expect(second_page.locator("#sc-sending")).to_contain_text("已保存")
    assert_not_executed(second_page)
    screenshot(second_page, "case-zh")

    # And the officer, reloading, sees the same
    page.reload()
    expect(page.locator("#sc-case-status")).to_have_text(STATUS["responded"]["zh"])
    assert_not_executed(page)


def test_internal_and_public_history_entries_are_told_apart(local_stack: LocalStack, page: Page) -> None:
    # Given an accepted complaint, opened by a supervisor
    tracking_no = file_complaint(
        local_stack, subject="河道漂浮垃圾", description="河道里漂浮大量生活垃圾，很久没有清理。"
    )
    sign_in(page, local_stack, local_stack.issuer.token(roles=["supervisor"], name="张主管"))
    open_case(page, tracking_no)
    act(page, "accept")
    expect(page.locator("#sc-case-status")).to_have_text(STATUS["accepted"]["zh"])

    # When an internal note and a message to the complainant are added
    act(page, "note", {"note": "已电话联系河道管理站。"})
    expect(page.locator('#sc-history li[data-action="note"]')).to_have_count(1)
    act(page, "reply", {"message": "您的投诉已受理，我们会尽快处理。"})
    expect(page.locator('#sc-history li[data-action="reply"]')).to_have_count(1)

    # Then each says who can see it, in words and not by colour alone
    note = page.locator('#sc-history li[data-action="note"]')
    reply = page.locator('#sc-history li[data-action="reply"]')
    expect(note).to_have_attribute("data-visibility", "internal")
    expect(note.locator(".pf-tag")).to_have_text("内部")
    expect(reply).to_have_attribute("data-visibility", "public")
    expect(reply.locator(".pf-tag")).to_have_text("公开")
    expect(note).to_contain_text("已电话联系河道管理站。")


def test_acting_on_a_case_someone_else_changed_shows_the_conflict_and_offers_a_reload(
    local_stack: LocalStack, page: Page, second_page: Page, screenshot: Screenshot
) -> None:
    # Given two officers with the same received complaint open
    tracking_no = file_complaint(
        local_stack, subject="雨水井堵塞", description="园区南路的雨水井堵塞，下雨就积水。"
    )
    issuer = local_stack.issuer
    sign_in(page, local_stack, issuer.token(roles=["officer"], name="王专员"))
    sign_in(second_page, local_stack, issuer.token(roles=["officer"], name="陈专员"))
    open_case(page, tracking_no)
    open_case(second_page, tracking_no)

    # When the first accepts it
    act(page, "accept")
    expect(page.locator("#sc-case-status")).to_have_text(STATUS["accepted"]["zh"])

    # And the second, still looking at the old version, writes a note
    act(second_page, "note", {"note": "我来跟进这件。"})

    # Then the second is told someone else changed the case, nothing is saved or reloaded silently
    notice = second_page.locator("#sc-case-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("有其他人修改")
    expect(second_page.locator("#sc-case-reload")).to_be_visible()
    expect(second_page.locator("#sc-case-status")).to_have_text(STATUS["received"]["zh"])
    expect(second_page.locator("#sc-note-note")).to_have_value("我来跟进这件。")
    screenshot(second_page, "conflict-zh")

    # When the second reloads
    second_page.click("#sc-case-reload")

    # Then the case is as the first left it, the typed note is kept, and saving it now works
    expect(second_page.locator("#sc-case-status")).to_have_text(STATUS["accepted"]["zh"])
    expect(notice).to_be_hidden()
    expect(second_page.locator("#sc-note-note")).to_have_value("我来跟进这件。")
    second_page.locator("#sc-action-note button[type=submit]").click()
    expect(second_page.locator('#sc-history li[data-action="note"]')).to_contain_text("我来跟进这件。")


def test_a_handler_acting_on_a_case_moved_to_another_department_is_told_why_not(
    local_stack: LocalStack, page: Page, second_page: Page
) -> None:
    # Given an accepted water complaint open in the ecology handler's console
    tracking_no = file_complaint(
        local_stack, subject="河边堆放建筑垃圾", description="河边有人堆放大量建筑垃圾，影响河道。"
    )
    issuer = local_stack.issuer
    sign_in(page, local_stack, issuer.token(roles=["officer"], name="王专员"))
    open_case(page, tracking_no)
    act(page, "accept")
    expect(page.locator("#sc-case-status")).to_have_text(STATUS["accepted"]["zh"])
    sign_in(
        second_page,
        local_stack,
        issuer.token(roles=["handler"], name="李承办", department="ecology_environment"),
    )
    open_case(second_page, tracking_no)

    # When the officer transfers it to urban management, and the handler then starts work on it
    act(page, "transfer", {"department": "urban_management", "reason": "属于城市管理范围"})
    expect(page.locator("#sc-case-department")).to_have_text(DEPARTMENTS["urban_management"]["zh"])
    act(second_page, "start")

    # Then the handler sees the API's reason in the action's form
    error = second_page.locator("#sc-action-start .sc-form-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("不属于您所在的部门")


def test_a_confidential_complaint_hides_who_complained_except_from_supervisors(
    local_stack: LocalStack, page: Page, second_page: Page
) -> None:
    # Given a complaint about staff conduct (handled in confidence)
    tracking_no = file_complaint(
        local_stack,
        subject="窗口人员态度恶劣",
        description="办事窗口工作人员多次推诿，态度恶劣。",
        category="staff_conduct",
    )
    issuer = local_stack.issuer

    # When an officer opens it
    sign_in(page, local_stack, issuer.token(roles=["officer"], name="王专员"))
    open_case(page, tracking_no)

    # Then it is marked confidential and the complainant's identity is withheld, saying why
    expect(page.locator("#sc-case-confidential")).to_be_visible()
    expect(page.locator("#sc-case-redacted")).to_contain_text("仅主管可见")
    expect(page.locator('#sc-case-complainant [data-row="name"]')).to_be_hidden()
    expect(page.locator('#sc-case-complainant [data-row="phone"]')).to_be_hidden()

    # When a supervisor opens it
    sign_in(second_page, local_stack, issuer.token(roles=["supervisor"], name="张主管"))
    open_case(second_page, tracking_no)

    # Then the supervisor sees who complained
    expect(second_page.locator("#sc-case-redacted")).to_be_hidden()
    expect(second_page.locator('#sc-case-complainant [data-row="name"] dd')).to_have_text("赵六")

    # And only the supervisor is offered to lift the confidentiality, which is an internal step
    expect(page.locator("#sc-action-lift_confidentiality")).to_be_hidden()
    expect(second_page.locator("#sc-action-lift_confidentiality .sc-action__visibility")).to_have_text("内部")
    act(second_page, "lift_confidentiality", {"reason": "投诉人书面同意公开身份"})
    expect(second_page.locator("#sc-case-confidential")).to_be_hidden()
    page.reload()
    expect(page.locator('#sc-case-complainant [data-row="name"] dd')).to_have_text("赵六")


def test_a_supervisor_extends_the_time_limit_in_beijing_time(local_stack: LocalStack, page: Page) -> None:
    # Given an accepted complaint opened by a supervisor
    tracking_no = file_complaint(
        local_stack, subject="污水处理厂异味", description="污水处理厂附近异味很重，持续多日。"
    )
    accept_directly(local_stack, tracking_no, "ecology_environment")
    sign_in(page, local_stack, local_stack.issuer.token(roles=["supervisor"], name="张主管"))
    open_case(page, tracking_no)

    # Then the extension form starts from the current response deadline, in Beijing time
    respond_due = page.locator("#sc-case-deadlines tbody tr", has_text=GLOSSARY["deadline"]["respond"]["zh"])
    current = respond_due.locator("td").first.inner_text().strip()  # "2026/12/08 23:59"
    page.locator("#sc-action-extend summary").click()
    assert page.input_value("#sc-extend-due_at") == current.replace("/", "-").replace(" ", "T")

    # When the supervisor moves it to 17:30 Beijing time on 15 January of the next year
    year = int(current[:4]) + 1
    act(page, "extend", {"due_at": f"{year}-01-15T17:30", "reason": "需要第三方检测报告"})

    # Then the new deadline reads 17:30 (not shifted by a time zone) and the extension is recorded
    expect(respond_due.locator("td").first).to_have_text(f"{year}/01/15 17:30")
    extension = page.locator('#sc-history li[data-action="extend"]')
    expect(extension).to_contain_text("需要第三方检测报告")
    expect(extension).to_contain_text(f"{year}/01/15 17:30")


# ------------------------------------------------------------------ the queue


def test_the_console_in_english_shows_the_queue_and_a_case_with_english_labels(
    local_stack: LocalStack, page: Page, screenshot: Screenshot
) -> None:
    # Given a received complaint and a supervisor in the English console
    tracking_no = file_complaint(
        local_stack,
        subject="Oil film on the canal " + PAYLOAD,
        description="An oil film on the canal by the bridge every morning.",
    )
    sign_in(page, local_stack, local_stack.issuer.token(roles=["supervisor"], name="Zhang"), lang="en")

    # Then the queue and its filters are in English, with the API's English labels
    expect(page.locator("#sc-queue-title")).to_have_text("Queue")
    expect(page.locator("#sc-who-roles")).to_have_text(GLOSSARY["role"]["supervisor"]["en"])
    expect(page.locator("#sc-filter-status option[value=received]")).to_have_text(STATUS["received"]["en"])
    # A supervisor's queue opens on what is overdue; they look at everything received instead.
    expect(page.locator("#sc-queue-caption")).to_contain_text(
        "Overdue complaints (a supervisor's default view)."
    )
    expect(page.locator("#sc-filter-overdue")).to_have_value("true")
    page.select_option("#sc-filter-overdue", "")
    page.select_option("#sc-filter-category", "env_water")
    page.select_option("#sc-filter-status", "received")
    page.click("#sc-filters button[type=submit]")
    row = page.locator(f'#sc-queue-table tr[data-tracking-no="{tracking_no}"]')
    expect(row).to_contain_text(STATUS["received"]["en"])
    expect(row).to_contain_text("Suggested: " + DEPARTMENTS["ecology_environment"]["en"])
    expect(page.locator("#sc-queue-caption")).to_contain_text("matching the filters")
    screenshot(page, "queue-en")

    # When the case is opened
    row.locator("a").click()

    # Then it is in English, times in Beijing time, and the payload is text
    expect(page.locator("#sc-case-title")).to_have_text(f"Complaint {tracking_no}")
    expect(page.locator("#sc-case-status")).to_have_text(STATUS["received"]["en"])
    expect(page.locator("#sc-case-submitted")).to_contain_text("(Beijing time)")
    expect(page.locator("#sc-action-accept summary")).to_contain_text("Accept")
    expect(page.locator("#sc-history li").first).to_contain_text(ACTION["submit"]["en"])
    assert_not_executed(page)
    screenshot(page, "case-en")


def test_overdue_cases_are_tagged_not_only_coloured_and_the_next_page_follows_the_cursor(
    local_stack: LocalStack, page: Page
) -> None:
    # Given two complaints, and a queue whose first page says the first is overdue and has a next page
    first = file_complaint(
        local_stack, subject="水质发黑发臭", description="小区旁边的河水发黑发臭已经一个月。"
    )
    second = file_complaint(
        local_stack, subject="水管破裂漏水", description="园区西路的水管破裂，漏水两天了。"
    )
    requested: list[dict[str, list[str]]] = []

    def queue(route: Route) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlparse(route.request.url).query)
        requested.append(query)
        next_page = "cursor" in query
        # A case's own view carries every field of a queue line.
        base = route.request.url.split("/admin/complaints")[0]
        item = route.fetch(url=f"{base}/admin/complaints/{second if next_page else first}").json()
        route.fulfill(
            json={"items": [{**item, "overdue": not next_page}], "cursor": None if next_page else "page-2"},
            headers={"Access-Control-Allow-Origin": local_stack.portal_url.rstrip("/")},
        )

    page.route(lambda url: "/admin/complaints?" in url, queue)

    # When an officer opens the queue
    sign_in(page, local_stack, local_stack.issuer.token(roles=["officer"], name="王专员"))

    # Then the overdue row says so in words and is marked for the eye as well
    row = page.locator(f'#sc-queue-table tr[data-tracking-no="{first}"]')
    expect(row.locator(".sc-tag--overdue")).to_have_text("逾期")
    expect(row).to_have_class("sc-row--overdue")

    # When the next page is asked for
    page.click("#sc-queue-next")

    # Then the cursor is sent back, the next page replaces the first, and there is no further page
    expect(page.locator(f'#sc-queue-table tr[data-tracking-no="{second}"]')).to_be_visible()
    expect(page.locator("#sc-queue-table tbody tr")).to_have_count(1)
    expect(page.locator("#sc-queue-next")).to_be_hidden()
    expect(page.locator("#sc-queue-page")).to_have_text("第 2 页")
    assert requested[-1]["cursor"] == ["page-2"]
    assert requested[0]["limit"] == ["50"]

    # And the page is in the address: a reload shows it again, and "previous" goes back to the first
    page.reload()
    expect(page.locator(f'#sc-queue-table tr[data-tracking-no="{second}"]')).to_be_visible()
    page.click("#sc-queue-previous")
    expect(page.locator(f'#sc-queue-table tr[data-tracking-no="{first}"]')).to_be_visible()
    expect(page.locator("#sc-queue-previous")).to_be_hidden()
    assert "cursor" not in requested[-1]


def test_a_handler_sees_only_their_department_and_cannot_register(
    local_stack: LocalStack, page: Page
) -> None:
    # Given a case assigned to urban management, one assigned to ecology, and an urban management handler
    ours = file_complaint(
        local_stack, subject="路灯不亮", description="园区东路的路灯已经一周不亮了。", category="sanitation"
    )
    theirs = file_complaint(local_stack, subject="河水发绿", description="园区内河的河水发绿，有异味。")
    accept_directly(local_stack, ours, "urban_management")
    accept_directly(local_stack, theirs, "ecology_environment")
    token = local_stack.issuer.token(roles=["handler"], name="周承办", department="urban_management")

    # When they open the console
    sign_in(page, local_stack, token)

    # Then the department filter is fixed to theirs, they are told why, and registration is not offered
    expect(page.locator("#sc-filter-department")).to_be_disabled()
    expect(page.locator("#sc-filter-department")).to_have_value("urban_management")
    expect(page.locator("#sc-department-locked")).to_contain_text(DEPARTMENTS["urban_management"]["zh"])
    expect(page.locator("#sc-nav-register")).to_be_hidden()
    expect(page.locator("#sc-who-department")).to_contain_text(DEPARTMENTS["urban_management"]["zh"])
    # And their queue has their department's case and not the other's
    expect(page.locator(f'#sc-queue-table tr[data-tracking-no="{ours}"]')).to_be_visible()
    expect(page.locator(f'#sc-queue-table tr[data-tracking-no="{theirs}"]')).to_have_count(0)
    for department in page.locator("#sc-queue-table tbody .sc-department").all_inner_texts():
        assert department == DEPARTMENTS["urban_management"]["zh"]


# ------------------------------------------------------------------ registering


def test_an_officer_registers_a_phoned_in_complaint_and_gets_its_number_and_access_code(
    local_stack: LocalStack, page: Page, screenshot: Screenshot
) -> None:
    # Given an officer on the registration form, with the time received prefilled as now
    sign_in(page, local_stack, local_stack.issuer.token(roles=["officer"], name="王专员"))
    page.click("#sc-nav-register")
    expect(page.locator("#sc-register-form")).to_be_visible()
    expect(page.locator("#sc-reg-received_at")).not_to_have_value("")

    # When it is sent empty
    page.fill("#sc-reg-received_at", "")
    page.click("#sc-register-submit")

    # Then every missing field is reported in one round, in staff words
    expect(page.locator("#sc-register-errors")).to_be_visible()
    for field in ("channel", "received_at", "subject", "description", "consent"):
        expect(page.locator(f"#sc-reg-{field}-error")).to_be_visible()
    expect(page.locator("#sc-reg-consent-error")).to_contain_text("投诉人")

    # When the complaint taken by phone is filled in and registered
    page.select_option("#sc-reg-channel", "phone")
    # Yesterday morning: within the policy's bound on how far back a registration may go, whenever
    # this runs.
    yesterday = (datetime.now(BEIJING) - timedelta(days=1)).date()
    page.fill("#sc-reg-received_at", f"{yesterday.isoformat()}T09:15")
    page.fill("#sc-reg-name", "钱七")
    page.fill("#sc-reg-phone", "13900139000")
    page.select_option("#sc-reg-category", "sanitation")
    page.fill("#sc-reg-subject", "垃圾清运不及时")
    page.fill("#sc-reg-description", "园区北门的垃圾桶三天没有清运，气味很大。")
    page.check("#sc-reg-consent")
    page.click("#sc-register-submit")

    # Then the tracking number and the access code are shown, for the officer to pass on
    expect(page.locator("#sc-register-done")).to_be_visible()
    tracking_no = page.locator("#sc-register-tracking-no").inner_text().strip()
    assert len(tracking_no) == 14
    assert len(page.locator("#sc-register-access-code").inner_text().strip()) == 19
    screenshot(page, "registered-zh")

    # And the case opens from there, received by phone when the call came in, registered by the officer
    page.click("#sc-register-open")
    expect(page.locator("#sc-case-title")).to_contain_text(tracking_no)
    expect(page.locator("#sc-case-channel")).to_have_text(GLOSSARY["channel"]["phone"]["zh"])
    expect(page.locator("#sc-case-submitted")).to_contain_text("09:15")
    expect(page.locator("#sc-history li").first).to_contain_text("王专员")

    # And until the officer records that the complainant was told, the acknowledgement is owed
    act(page, "acknowledge", {"method": "phone"})
    expect(page.locator("#sc-action-acknowledge")).to_be_hidden()
    expect(page.locator("#sc-history")).to_contain_text(ACTION["acknowledge"]["zh"])


def test_a_supervisor_who_accepted_a_case_is_told_why_they_may_not_decide_its_review(
    local_stack: LocalStack, page: Page, second_page: Page
) -> None:
    # Given a case a supervisor accepted and responded to, now under review
    issuer = local_stack.issuer
    supervisor = issuer.token(roles=["supervisor"], name="张主管")
    tracking_no = file_complaint(
        local_stack, subject="雨水管网堵塞", description="小区门口雨水管网堵塞，一下雨就积水。"
    )
    request = urllib.request.Request(
        f"{local_stack.api_url}/complaints",
        data=json.dumps(
            {
                "complainant_type": "individual",
                "name": "孙八",
                "phone": "13700137000",
                "category": "infrastructure",
                "subject": "路灯不亮",
                "description": "园区南路的路灯一周没有亮。",
                "consent": True,
            }
        ).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        receipt = json.loads(response.read())
    tracking_no, code = receipt["tracking_no"], receipt["access_code"]
    case = staff_call(local_stack, supervisor, "GET", f"/admin/complaints/{tracking_no}")
    for body in (
        {
            "action": "accept",
            "category": "infrastructure",
            "department": "planning_construction",
            "priority": "normal",
        },
        {"action": "respond", "decision": "not_upheld", "reasons": "经核查路灯已修复"},
    ):
        case = staff_call(
            local_stack,
            supervisor,
            "POST",
            f"/admin/complaints/{tracking_no}/actions",
            {**body, "expected_version": case["version"]},
        )
    review = urllib.request.Request(
        f"{local_stack.api_url}/complaints/{tracking_no}/review",
        data=json.dumps({"reasons": "路灯仍然不亮"}).encode(),
        headers={"Content-Type": "application/json", "X-Access-Code": code},
        method="POST",
    )
    with urllib.request.urlopen(review, timeout=10) as response:
        assert json.loads(response.read())["status"] == "under_review"

    # When that supervisor opens it
    sign_in(page, local_stack, supervisor)
    open_case(page, tracking_no)

    # Then the review decision is not offered, and the console says why
    expect(page.locator("#sc-action-review_decision")).to_be_hidden()
    expect(page.locator("#sc-withheld")).to_be_visible()
    expect(page.locator("#sc-withheld")).to_contain_text("未参与原处理")

    # When another supervisor opens it, they may decide it
    sign_in(second_page, local_stack, issuer.token(roles=["supervisor"], name="赵主管"))
    open_case(second_page, tracking_no)
    expect(second_page.locator("#sc-action-review_decision")).to_be_visible()
    expect(second_page.locator("#sc-withheld")).to_be_hidden()


# ------------------------------------------------------------------ signing in and out


def test_a_refused_token_signs_out_with_a_message_and_signing_out_forgets_the_token(
    local_stack: LocalStack, page: Page
) -> None:
    # Given a token the API does not accept (another audience)
    refused = local_stack.issuer.token(roles=["officer"], name="王专员", aud="someone-else")

    # When the console is opened with it
    page.goto(console_url(local_stack) + "#token=" + refused)

    # Then the API's 401 signs the person out with a clear message (how to get a token, locally)
    # and the token is gone
    expect(page.locator("#sc-signin")).to_be_visible()
    expect(page.locator("#sc-notice")).to_contain_text("不接受您的登录凭证")
    expect(page.locator("#sc-notice")).to_contain_text("./scripts/staff-token")
    expect(page.locator("#sc-console")).to_be_hidden()
    assert page.evaluate(f"sessionStorage.getItem('{TOKEN_KEY}')") is None
    assert "token" not in page.url

    # When a good token is pasted instead
    good = local_stack.issuer.token(roles=["officer"], name="王专员")
    expect(page.locator("#sc-signin-local")).to_be_visible()
    page.fill("#sc-token", good)
    page.click("#sc-token-form button[type=submit]")

    # Then the console opens, and the token is kept for this tab only
    expect(page.locator("#sc-queue")).to_be_visible()
    assert page.evaluate(f"sessionStorage.getItem('{TOKEN_KEY}')") == good

    # When the person signs out
    page.click("#sc-signout")

    # Then the token is forgotten and the sign-in panel says so
    expect(page.locator("#sc-signin")).to_be_visible()
    expect(page.locator("#sc-notice")).to_contain_text("已退出登录")
    assert page.evaluate(f"sessionStorage.getItem('{TOKEN_KEY}')") is None


def test_a_pasted_token_that_is_not_a_token_is_refused_beside_the_box(
    local_stack: LocalStack, page: Page
) -> None:
    page.goto(console_url(local_stack))
    page.fill("#sc-token", "not a token")
    page.click("#sc-token-form button[type=submit]")
    expect(page.locator("#sc-token-error")).to_contain_text("不是有效的登录令牌")
    expect(page.locator("#sc-console")).to_be_hidden()


def _base64url_sha256(text: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode("ascii")).digest()).decode().rstrip("=")


def test_the_cognito_hosted_ui_sign_in_uses_pkce_and_checks_the_state(
    local_stack: LocalStack, page: Page
) -> None:
    # Given the console built for a Cognito hosted UI (the configuration is swapped into the page)
    domain, client_id = "https://auth.example.test", "console-client"
    console = console_url(local_stack)
    configured = json.dumps(
        {"auth": {"cognitoDomain": domain, "clientId": client_id, "scopes": "openid email profile"}}
    )[1:-1]
    authorize: dict[str, str] = {}
    exchange: dict[str, str] = {}
    id_token = local_stack.issuer.token(roles=["officer"], name="云端专员")

    def console_page(route: Route) -> None:
        response = route.fetch()
        body = response.text()
        assert '"auth": {}' in body
        # and the policy a portal built for that hosted UI is served with: it may fetch the token
        headers = {
            **response.headers,
            "content-security-policy": content_security_policy(staff_sign_in_domain=domain),
        }
        route.fulfill(response=response, body=body.replace('"auth": {}', configured), headers=headers)

    def hosted_ui(route: Route) -> None:
        authorize.update(dict(urllib.parse.parse_qsl(urllib.parse.urlparse(route.request.url).query)))
        back = (
            authorize["redirect_uri"]
            + "?"
            + urllib.parse.urlencode({"code": "the-code", "state": authorize["state"]})
        )
        route.fulfill(
            content_type="text/html", body=f'<meta http-equiv="refresh" content="0;url={html.escape(back)}">'
        )

    def token_endpoint(route: Route) -> None:
        exchange.update(dict(urllib.parse.parse_qsl(route.request.post_data or "")))
        route.fulfill(
            json={"id_token": id_token, "access_token": "unused", "token_type": "Bearer", "expires_in": 3600},
            headers={"Access-Control-Allow-Origin": "*"},
        )

    page.route(lambda url: url.split("?")[0].split("#")[0] == console, console_page)
    page.route(lambda url: url.startswith(f"{domain}/oauth2/authorize?"), hosted_ui)
    page.route(lambda url: url == f"{domain}/oauth2/token", token_endpoint)

    # When the person opens the console and signs in
    page.goto(console)
    expect(page.locator("#sc-signin-cognito")).to_be_visible()
    expect(page.locator("#sc-signin-local")).to_be_hidden()
    page.click("#sc-signin-button")

    # Then the hosted UI was asked for a code with an S256 challenge, and the code was exchanged
    # with the verifier of that challenge; the id token signs the person in
    expect(page.locator("#sc-who-name")).to_have_text("云端专员")
    assert authorize["response_type"] == "code"
    assert authorize["client_id"] == client_id
    assert authorize["redirect_uri"] == console
    assert authorize["code_challenge_method"] == "S256"
    assert authorize["scope"] == "openid email profile"
    assert exchange["grant_type"] == "authorization_code"
    assert exchange["code"] == "the-code"
    assert exchange["client_id"] == client_id
    assert exchange["redirect_uri"] == console
    assert _base64url_sha256(exchange["code_verifier"]) == authorize["code_challenge"]
    assert len(exchange["code_verifier"]) >= 43
    # And the code has left the address bar
    assert "code=" not in page.url

    # When a sign-in response arrives that this page did not start (a forged state)
    page.evaluate("sessionStorage.clear()")
    page.goto(console + "?" + urllib.parse.urlencode({"code": "stolen", "state": "forged"}))

    # Then it is ignored with a message, and no code is exchanged
    expect(page.locator("#sc-signin")).to_be_visible()
    expect(page.locator("#sc-notice")).to_contain_text("不匹配")
    assert exchange["code"] == "the-code"


def test_the_console_is_not_in_the_public_navigation_and_needs_javascript(
    local_stack: LocalStack, page_nojs: Page
) -> None:
    # Given the public home page
    page_nojs.goto(local_stack.portal_url)

    # Then nothing links to the console
    assert page_nojs.locator('a[href*="staff"]').count() == 0

    # And the console itself, without JavaScript, says that it needs it, asks robots to stay away
    page_nojs.goto(console_url(local_stack))
    expect(page_nojs.locator("#staff-app .pf-nojs-only")).to_be_visible()
    expect(page_nojs.locator("#sc-console")).to_be_hidden()
    assert page_nojs.locator('meta[name="robots"]').get_attribute("content") == "noindex, nofollow"
