"""Which messages each event sends, to whom, and what they say (domain/notifications.py and
messaging/rendering.py): no AWS, no outbox."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest
from msgspec.structs import replace

from chalicelib.domain.actions import (
    Accept,
    Extend,
    Reject,
    Reply,
    Respond,
    ReviewDecision,
    StaffAction,
    Transfer,
    apply_staff_action,
)
from chalicelib.domain.case import COMPLAINANT, Case, open_case
from chalicelib.domain.complainant_actions import RequestReview, apply_complainant_action
from chalicelib.domain.complaint import Channel, ComplaintDraft, check_draft
from chalicelib.domain.notifications import (
    COMPLAINANT_TEMPLATES,
    STAFF_TEMPLATES,
    MessageChannel,
    Notice,
    notices_for,
)
from chalicelib.domain.staff import StaffMember
from chalicelib.domain.vocabulary import Lang, departments, rejection_reasons, terms
from chalicelib.messaging.rendering import TEMPLATES_DIR, render_notice, sms_segments

from .test_action_rules import ANONYMOUS
from .test_complaint_rules import PERSON
from .test_staff_actions import NOW, OFFICER, POLICY, SUPERVISOR, SUPERVISOR_2

# What a complainant wrote, planted in every field: none of it may reach a message.
PLANTED = ComplaintDraft(
    complainant_type="enterprise",
    name="机密姓名甲",
    organization="机密公司乙",
    credit_code="91350100M000100Y43",
    phone="13911112222",
    email="planted.person@example.cn",
    category="env_noise",
    subject="机密标题丙",
    description="机密描述丁：邻居王某某每晚施工。",
    location="机密地点戊",
    desired_outcome="机密诉求己",
    consent=True,
)
PLANTED_TEXTS = ["机密", "王某某", "planted.person", "13911112222", "91350100M000100Y43"]
PORTAL = "https://complaints.park.example.cn/"


def filed(draft: ComplaintDraft = PERSON, channel: Channel = "web") -> tuple[Case, list[Notice]]:
    """A complaint filed online or registered by an officer, and the messages it sends."""
    complainant, details = check_draft(draft, today=NOW.date())
    case, event = open_case(
        tracking_no="7K3M9QX2HD4P",
        access_code_hash="h",
        complainant=complainant,
        details=details,
        channel=channel,
        actor=COMPLAINANT if channel == "web" else OFFICER.actor,
        now=NOW,
        policy=POLICY,
        received_at=None if channel == "web" else NOW - timedelta(hours=1),
    )
    return case, notices_for(case, event, policy=POLICY, access_code="ABCDEFGHJKMNPQRS")


def act(case: Case, action: StaffAction, staff: StaffMember, minutes: int = 1) -> tuple[Case, list[Notice]]:
    changed, event = apply_staff_action(
        case, action, staff, now=case.updated_at + timedelta(minutes=minutes), policy=POLICY
    )
    return changed, notices_for(changed, event, policy=POLICY)


def test_filing_online_sends_the_acknowledgement_without_the_access_code() -> None:
    _, [notice] = filed(replace(PERSON, email="wang@example.cn"))
    assert (notice.template, notice.role, notice.channel, notice.address) == (
        "acknowledgement",
        "complainant",
        "email",
        "wang@example.cn",
    )
    assert "access_code" not in notice.params  # the confirmation page showed it
    assert not notice.meets_acknowledgement


def test_a_registered_complaints_acknowledgement_carries_the_code_and_meets_the_clock() -> None:
    _, [notice] = filed(PERSON, channel="phone")
    assert notice.channel == "sms"
    assert notice.address == "+8613800138000"
    assert notice.params["access_code"] == "ABCDEFGHJKMNPQRS"
    assert notice.meets_acknowledgement


@pytest.mark.parametrize(
    "draft",
    [ANONYMOUS, replace(PERSON, phone="0512-12345678")],
    ids=["anonymous", "landline only"],
)
def test_nobody_is_told_who_left_no_way_to_reach_them(draft: ComplaintDraft) -> None:
    case, notices = filed(draft)
    assert notices == []
    _, notices = act(case, Accept("env_noise", "ecology_environment", "normal"), OFFICER)
    assert [n.role for n in notices] == ["department"]  # the department still gets its notice


def test_routing_sends_the_department_its_handling_notice_and_the_complainant_the_promised_date() -> None:
    case, _ = filed()
    accepted, notices = act(case, Accept("env_noise", "ecology_environment", "major"), OFFICER)
    by_role = {n.role: n for n in notices}
    assert by_role["complainant"].template == "accepted"
    respond = accepted.deadline("respond")
    assert respond is not None
    assert by_role["complainant"].params["respond_by"] == respond.due_at.isoformat()
    notice = by_role["department"]
    assert (notice.template, notice.address, notice.lang) == (
        "handling_notice",
        departments()["ecology_environment"].mailbox,
        "zh",
    )
    assert notice.params["priority"] == "major"
    _, notices = act(accepted, Transfer("market_regulation", "属于产品质量"), OFFICER)
    assert [(n.template, n.address) for n in notices] == [
        ("handling_notice", departments()["market_regulation"].mailbox)
    ]


def test_each_public_step_sends_its_message_once_and_internal_ones_none() -> None:
    case, _ = filed()
    identities: set[str] = set()
    steps: list[tuple[StaffAction, StaffMember, set[str]]] = [
        (Accept("env_noise", "ecology_environment", "normal"), OFFICER, {"accepted", "handling_notice"}),
        (Reply("已安排巡查"), OFFICER, {"reply"}),
        (Extend(NOW + timedelta(days=20), "需要检测"), SUPERVISOR, {"extended"}),
        (Respond("upheld", "已整改"), OFFICER, {"responded"}),
    ]
    for action, staff, templates in steps:
        case, notices = act(case, action, staff)
        assert {n.template for n in notices} == templates
        identities |= {n.id for n in notices}
    case, _ = apply_complainant_action(case, RequestReview("不服"), now=case.updated_at, policy=POLICY)
    case, notices = act(case, ReviewDecision("not_upheld", "维持"), SUPERVISOR_2)
    assert [n.template for n in notices] == ["review_decided"]
    _, notices = act(filed()[0], Reject("duplicate", "重复"), OFFICER)
    assert [n.template for n in notices] == ["rejected"]
    assert notices[0].params["reason_code"] == "duplicate"
    # The same event decided again is the same message.
    assert len(identities) == sum(len(t) for _, _, t in steps)


def _sample_params() -> dict[str, str]:
    iso = (NOW + timedelta(days=3)).isoformat()
    return {
        "status": "received",
        "decide_by": iso,
        "respond_by": iso,
        "reason_code": "judicial_or_arbitration",
        "review_until": iso,
        "deadline": "attend",
        "new_due": iso,
        "decision": "partly_upheld",
        "rate_until": iso,
        "access_code": "ABCDEFGHJKMNPQRS",
        "category": "compensation",
        "priority": "urgent",
        "department": "discipline_inspection",
        "received_at": iso,
        "routed_at": iso,
        "report_by": iso,
        "clock": "acknowledge",
        "due_at": iso,
        "level": "2",
        "date": "2026-12-01",
        "overdue": "3",
        "due_today": "2",
        "due_tomorrow": "1",
        "failed": "1",
        "rows": json.dumps([{"department": None, "overdue": 1, "due_today": 0, "due_tomorrow": 0}]),
    }


@pytest.mark.parametrize(
    ("lang", "template"), list(itertools.product(("zh", "en"), COMPLAINANT_TEMPLATES + STAFF_TEMPLATES))
)
def test_every_message_exists_in_both_languages_and_renders_as_text_and_html(
    lang: Lang, template: str
) -> None:
    assert (TEMPLATES_DIR / lang / f"{template}.txt").is_file()
    notice = Notice(
        "x", "7K3M9QX2HD4P", template, "complainant", "email", "a@example.cn", lang, NOW, _sample_params()
    )
    rendered = render_notice(notice, portal_url=PORTAL)
    assert rendered.subject
    # Every message names its case, but the digest, which is about them all.
    assert ("7K3M-9QX2-HD4P" in rendered.subject + rendered.text) == (template != "digest")
    assert rendered.html.startswith("<!DOCTYPE html>")
    assert rendered.html.count("<p>") == rendered.text.count("\n\n") + 1
    han = sum("\u4e00" <= ch <= "\u9fff" for ch in rendered.text)
    assert (han > 0) == (lang == "zh")


def test_the_html_is_escaped_and_links_the_portals_addresses() -> None:
    notice = Notice("x", "7K3M9QX2HD4P", "reply", "complainant", "email", "a@example.cn", "en", NOW, {})
    html = render_notice(notice, portal_url="https://portal.example.cn/a&b/").html
    link = "https://portal.example.cn/a&amp;b/en/status/?no=7K3M-9QX2-HD4P"
    assert f'<a href="{link}">{link}</a>' in html
    assert "a&b" not in html


@pytest.mark.parametrize(("lang", "template"), list(itertools.product(("zh", "en"), COMPLAINANT_TEMPLATES)))
def test_a_text_message_fits_in_two_segments_whatever_the_labels(lang: Lang, template: str) -> None:
    worst = 1
    for reason, decision, deadline in itertools.product(
        rejection_reasons(), terms("decision"), terms("deadline")
    ):
        params = {**_sample_params(), "reason_code": reason, "decision": decision, "deadline": deadline}
        notice = Notice(
            "x", "7K3M9QX2HD4P", template, "complainant", "sms", "+8613800138000", lang, NOW, params
        )
        worst = max(worst, sms_segments(render_notice(notice, portal_url=PORTAL).text))
    assert worst <= 2


def test_no_message_of_a_whole_case_holds_what_the_complainant_wrote() -> None:
    case, notices = filed(PLANTED, channel="visit")
    all_notices = list(notices)
    for action, staff in (
        (Accept("env_noise", "ecology_environment", "urgent"), OFFICER),
        (Reply("请补充"), OFFICER),
        (Extend(NOW + timedelta(days=5), "检测"), SUPERVISOR),
        (Respond("upheld", "已整改", "赔偿"), OFFICER),
    ):
        case, notices = act(case, action, staff)
        all_notices += notices
    for notice in all_notices:
        channels: tuple[MessageChannel, ...] = (
            ("email", "sms") if notice.role == "complainant" else ("email",)
        )
        for channel in channels:
            rendered = render_notice(replace(notice, channel=channel), portal_url=PORTAL)
            for text in (rendered.subject, rendered.text, rendered.html):
                assert not [planted for planted in PLANTED_TEXTS if planted in text], (notice.template, text)
    assert {n.template for n in all_notices} >= {
        "acknowledgement",
        "accepted",
        "handling_notice",
        "reply",
        "extended",
        "responded",
    }


def test_messages_are_in_the_complainants_language() -> None:
    _, [notice] = filed(replace(PERSON, preferred_language="en", email="w@example.cn"))
    rendered = render_notice(notice, portal_url=PORTAL)
    assert rendered.subject.startswith("We have received your complaint")
    assert f"{PORTAL}en/status/?no=" in rendered.text


def test_every_message_the_domain_decides_renders_whatever_the_case_lacks() -> None:
    """Reminders and escalations of a case not yet routed (no department), the digest of a quiet
    day: every notice the domain decides renders in both channels it can take."""
    from chalicelib.domain.chasing import chase_notices, digest_notice

    case, notices = filed()
    decide = case.deadline("decide")
    assert decide is not None
    moments = [
        decide.due_at - timedelta(hours=1),
        POLICY.after(POLICY.chasing.escalate_again_after, decide.due_at).at + timedelta(hours=1),
    ]
    decided = [*notices, *(n for moment in moments for n in chase_notices(case, moment, POLICY))]
    quiet = digest_notice([], failed_messages=0, now=moments[-1] + timedelta(days=30), policy=POLICY)
    decided += [quiet] if quiet else []
    assert {n.template for n in decided} >= {"acknowledgement", "reminder", "escalation"}
    for notice in decided:
        for lang in ("zh", "en"):
            assert render_notice(replace(notice, lang=lang), portal_url=PORTAL).text
