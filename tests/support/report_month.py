"""A month of complaints with known answers for the monthly report (issue 9): October 2025, across
the National Day holiday (1-8 October off, Sunday 28 September and Saturday 11 October make-up
working days), built through the services as staff and complainants would, with every time chosen.

Beside the cases the portal stores, it keeps what the test itself knows of each (``Known``): its
receipt, milestones, clocks with the due dates this module works out with its own calendar (from
the State Council's notice, not from the portal's), and what was decided. ``expected_figures``
counts the report's figures from those, by the definitions, with code of its own.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from statistics import fmean, median
from typing import Any

from msgspec.structs import replace

from chalicelib.domain.actions import (
    Accept,
    Acknowledge,
    Callback,
    Close,
    Extend,
    Reject,
    Respond,
    ReviewDecision,
    Start,
)
from chalicelib.domain.case import COMPLAINANT
from chalicelib.domain.complainant_actions import Feedback, RequestReview, Withdraw
from chalicelib.domain.complaint import ComplaintDraft
from chalicelib.domain.deadlines import default_policy
from chalicelib.domain.staff import StaffMember
from chalicelib.services.access_code_throttle import client_key
from chalicelib.services.report_store import ReportStore
from chalicelib.services.reports import carry_over
from chalicelib.services.repository import AttemptCounter, CaseRepository
from chalicelib.services.self_service import act_as_complainant
from chalicelib.services.staff_cases import act_on_case, register_complaint
from chalicelib.services.submissions import submit_complaint

__all__ = ["AS_AT", "MONTH", "Known", "Scenario", "build_october", "expected_figures", "expected_lists"]

BEIJING = timezone(timedelta(hours=8))
MONTH = "2025-10"
START = datetime(2025, 10, 1, tzinfo=BEIJING)
END = datetime(2025, 11, 1, tzinfo=BEIJING)
# When the report is asked for: the month is over, November is under way.
AS_AT = datetime(2025, 11, 10, 10, 0, tzinfo=BEIJING)
SECRET = "report-month-access-code-secret-" + "x" * 10
POLICY_FILE = Path(__file__).resolve().parents[2] / "api" / "chalicelib" / "data" / "policy.json"
LIMITS: dict[str, dict[str, int]] = json.loads(POLICY_FILE.read_text(encoding="utf-8"))["time_limits"]

# The State Council's notice for 2025 (National Day and Mid-Autumn): off 1-8 October, working on
# Sunday 28 September and Saturday 11 October.
OFF = {date(2025, 10, d) for d in range(1, 9)}
MAKE_UP = {date(2025, 9, 28), date(2025, 10, 11)}

OFFICER = StaffMember("o1", "王专员", frozenset({"officer"}))
SUPERVISOR = StaffMember("s1", "张主管", frozenset({"supervisor"}))
REVIEWER = StaffMember("s2", "李主管", frozenset({"supervisor"}))
VALID_CREDIT_CODE = "91350100M000100Y43"

PERSON = ComplaintDraft(
    complainant_type="individual",
    name="王小明",
    phone="138 0013 8000",
    email="Wang.XM@Example.com",
    category="env_air",
    subject="工厂夜间排放废气",
    description="园区东侧工厂每天夜间排放刺鼻废气，影响周边居民休息。",
    location="园区东路18号",
    consent=True,
)
ANONYMOUS = replace(PERSON, anonymous=True, name=None, phone=None, email=None)


def bj(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=BEIJING)


def working(day: date) -> bool:
    return day in MAKE_UP or (day.weekday() < 5 and day not in OFF)


def end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=BEIJING)


def after_working_days(start: datetime, count: int) -> datetime:
    day = start.astimezone(BEIJING).date()
    while count:
        day += timedelta(days=1)
        count -= working(day)
    return end_of(day)


def due(limit: str, start: datetime) -> datetime:
    spec = LIMITS[limit]
    if "hours" in spec:
        return start + timedelta(hours=spec["hours"])
    return after_working_days(start, spec["working_days"])


def working_days_between(first: datetime, last: datetime) -> int:
    day, end, count = first.astimezone(BEIJING).date(), last.astimezone(BEIJING).date(), 0
    while day < end:
        day += timedelta(days=1)
        count += working(day)
    return count


@dataclass
class Known:
    """What the test knows of one case, kept beside the portal's own."""

    label: str
    channel: str
    category: str
    complainant_type: str
    anonymous: bool
    received_at: datetime
    tracking_no: str = ""
    access_code: str = ""
    identity: tuple[str, ...] = ()
    location: str | None = None
    confidential: bool = False
    department: str | None = None
    priority: str | None = None
    milestones: list[tuple[str, datetime]] = field(default_factory=list)
    clocks: dict[str, list[datetime | None]] = field(default_factory=dict)  # kind -> [due, met]
    extended: set[str] = field(default_factory=set)
    reject_reason: str | None = None
    respond_decision: str | None = None
    review_decision: str | None = None
    review_decided_at: datetime | None = None
    callback: tuple[datetime, str] | None = None
    rating: tuple[datetime, str] | None = None

    @property
    def reachable(self) -> bool:
        return not self.anonymous

    def meet(self, kind: str, at: datetime) -> None:
        if kind in self.clocks and self.clocks[kind][1] is None:
            self.clocks[kind][1] = at

    def status_before(self, moment: datetime) -> str | None:
        reached = [s for s, at in self.milestones if at < moment]
        return reached[-1] if reached else None


@dataclass
class Scenario:
    repository: CaseRepository
    store: ReportStore
    attempts: AttemptCounter
    cases: dict[str, Known] = field(default_factory=dict)

    # --- receiving ---------------------------------------------------------------------------

    def file(
        self, label: str, at: datetime, draft: ComplaintDraft = PERSON, identity: tuple[str, ...] = ()
    ) -> Known:
        receipt = submit_complaint(
            self.repository,
            draft,
            channel="web",
            actor=COMPLAINANT,
            idempotency_key=None,
            access_code_secret=SECRET,
            now=at,
            policy=default_policy(),
        )
        known = self._known(label, "web", draft, at, identity)
        known.tracking_no, known.access_code = receipt.case.tracking_no, receipt.access_code
        # Filed online, the complainant sees the number at once.
        known.clocks["acknowledge"] = [due("acknowledge", at), at]
        known.clocks["decide"] = [due("decide", at), None]
        return known

    def register(
        self,
        label: str,
        channel: str,
        received: datetime,
        at: datetime,
        draft: ComplaintDraft = PERSON,
        identity: tuple[str, ...] = (),
    ) -> Known:
        receipt = register_complaint(
            self.repository,
            OFFICER,
            draft,
            channel=channel,  # type: ignore[arg-type]  # one of the registration channels
            received_at=received,
            idempotency_key=None,
            access_code_secret=SECRET,
            now=at,
            policy=default_policy(),
        )
        known = self._known(label, channel, draft, received, identity)
        known.tracking_no, known.access_code = receipt.case.tracking_no, receipt.access_code
        if not (draft.anonymous and channel in ("letter", "mailbox")):
            known.clocks["acknowledge"] = [due("acknowledge", received), None]
        known.clocks["decide"] = [due("decide", received), None]
        return known

    def _known(
        self, label: str, channel: str, draft: ComplaintDraft, received: datetime, identity: tuple[str, ...]
    ) -> Known:
        assert draft.category
        assert draft.complainant_type
        known = Known(
            label=label,
            channel=channel,
            category=draft.category,
            complainant_type=draft.complainant_type,
            anonymous=draft.anonymous,
            received_at=received,
            identity=identity,
            confidential=draft.category == "staff_conduct",
            location=draft.location if draft.category != "staff_conduct" else None,
            milestones=[("received", received)],
        )
        self.cases[label] = known
        return known

    # --- acting ------------------------------------------------------------------------------

    def _staff(self, label: str, staff: StaffMember, action: Any, at: datetime) -> Known:
        known = self.cases[label]
        case = self.repository.get(known.tracking_no)
        assert case is not None
        act_on_case(
            self.repository,
            staff,
            known.tracking_no,
            action,
            expected_version=case.version,
            now=at,
            policy=default_policy(),
        )
        return known

    def _complainant(self, label: str, action: Any, at: datetime) -> Known:
        known = self.cases[label]
        act_as_complainant(
            self.repository,
            self.attempts,
            known.tracking_no,
            known.access_code,
            action,
            client=client_key("198.51.100.7", SECRET),
            now=at,
            policy=default_policy(),
        )
        return known

    def acknowledge(self, label: str, at: datetime) -> None:
        self._staff(label, OFFICER, Acknowledge("phone"), at).meet("acknowledge", at)

    def accept(
        self, label: str, at: datetime, priority: str, department: str, category: str | None = None
    ) -> None:
        known = self.cases[label]
        category = category or known.category
        self._staff(label, OFFICER, Accept(category, department, priority), at)  # type: ignore[arg-type]
        known.category, known.department, known.priority = category, department, priority
        known.confidential = known.confidential or category == "staff_conduct"
        known.milestones.append(("accepted", at))
        known.meet("decide", at)
        known.clocks["respond"] = [due(f"respond_{priority}", at), None]
        if priority == "urgent":
            known.clocks["attend"] = [due("attend_urgent", at), None]
        known.clocks["report"] = [due("department_report", at), None]

    def reject(self, label: str, at: datetime, reason: str) -> None:
        known = self._staff(label, OFFICER, Reject(reason, "信息不足，无法核实，请补充后重新投诉。"), at)
        known.milestones.append(("rejected", at))
        known.meet("decide", at)
        known.reject_reason = reason

    def start(self, label: str, at: datetime) -> None:
        known = self._staff(label, OFFICER, Start(), at)
        known.milestones.append(("in_progress", at))
        known.meet("report", at)
        known.meet("attend", at)

    def extend(self, label: str, at: datetime, to: datetime) -> None:
        known = self._staff(label, SUPERVISOR, Extend(to, "需联合调查，经主管批准延期。"), at)
        known.clocks["respond"][0] = to
        known.extended.add("respond")

    def respond(self, label: str, at: datetime, decision: str) -> None:
        known = self._staff(label, OFFICER, Respond(decision, "经调查核实，答复如下。"), at)  # type: ignore[arg-type]
        known.milestones.append(("responded", at))
        known.meet("respond", at)
        known.meet("report", at)
        known.respond_decision = decision
        if known.reachable:
            known.clocks["callback"] = [due("callback", at), None]

    def callback(self, label: str, at: datetime, level: str) -> None:
        known = self._staff(label, OFFICER, Callback(level), at)  # type: ignore[arg-type]
        known.meet("callback", at)
        known.callback = (at, level)

    def close(self, label: str, at: datetime) -> None:
        self._staff(label, OFFICER, Close(), at).milestones.append(("closed", at))

    def request_review(self, label: str, at: datetime) -> None:
        known = self._complainant(label, RequestReview("我不同意处理结论，请求复查。"), at)
        known.milestones.append(("under_review", at))
        known.clocks["review"] = [due("review", at), None]

    def review_decision(self, label: str, at: datetime, decision: str) -> None:
        known = self._staff(label, REVIEWER, ReviewDecision(decision, "复查后认为原处理部分有误。"), at)  # type: ignore[arg-type]
        known.milestones.append(("responded", at))
        known.meet("review", at)
        known.review_decision, known.review_decided_at = decision, at

    def rate(self, label: str, at: datetime, level: str) -> None:
        self._complainant(label, Feedback(level), at).rating = (at, level)  # type: ignore[arg-type]

    def withdraw(self, label: str, at: datetime) -> None:
        self._complainant(label, Withdraw("问题已自行解决。"), at).milestones.append(("withdrawn", at))

    def run_job(self, at: datetime) -> None:
        carry_over(self.store, now=at, policy=default_policy())


def build_october(repository: CaseRepository, store: ReportStore, attempts: AttemptCounter) -> Scenario:
    """Build the month. Case letters name what each one is there to show."""
    s = Scenario(repository, store, attempts)
    p1, e1 = "13800138000", "wang.xm@example.com"
    # --- September: cases carried into October ------------------------------------------------
    s.file("L", bj(9, 15), replace(PERSON, phone="139 1111 2222", email=None), ("13911112222",))
    s.accept("L", bj(9, 16), "normal", "ecology_environment")
    s.start("L", bj(9, 16, 15))
    s.respond("L", bj(9, 25), "upheld")
    # M: accepted in September, its response due on the make-up Saturday 11 October, never met.
    s.file("M", bj(9, 20, 10), replace(ANONYMOUS, category="sanitation", location="园区西门"), ())
    s.accept("M", bj(9, 22), "normal", "urban_management")
    s.start("M", bj(9, 22, 14))
    # N: not accepted in September, never closed: open, and in October only through the job.
    s.file("N", bj(9, 24), replace(ANONYMOUS, category="other", location=None), ())
    s.reject("N", bj(9, 25), "out_of_scope")
    # B: a phone call received on 30 September, registered after the holiday.
    s.run_job(bj(10, 1, 0, 30))
    s.register(
        "B",
        "phone",
        bj(9, 30, 16),
        bj(10, 9, 9, 30),
        replace(PERSON, phone="137 0000 1111", email=None),
        ("13700001111",),
    )
    s.acknowledge("B", bj(10, 9, 9, 40))
    s.accept("B", bj(10, 13), "normal", "government_services", category="admin_service")
    # --- October ---------------------------------------------------------------------------------
    # A: filed after the holiday; its department's report falls due on the make-up Saturday.
    s.file("A", bj(10, 9), PERSON, (p1, e1))
    s.accept("A", bj(10, 10, 10), "normal", "ecology_environment")
    s.start("A", bj(10, 13))  # late: the report was due on Saturday 11 October, a working day
    s.close("L", bj(10, 9, 11))
    s.respond("A", bj(10, 20), "upheld")
    s.callback("A", bj(10, 21, 10), "satisfied")
    s.rate("A", bj(10, 25, 20), "basically_satisfied")
    s.close("A", bj(10, 22))
    # F: urgent, attended in time, its response extended by a supervisor and then met.
    s.file(
        "F",
        bj(10, 9, 8),
        replace(PERSON, phone="136 2222 3333", email=None, category="safety_hazard", location="园区东路18号"),
        ("13622223333",),
    )
    s.accept("F", bj(10, 9, 9), "urgent", "emergency_management")
    s.start("F", bj(10, 9, 12))
    s.extend("F", bj(10, 13, 10), bj(10, 16, 23, 59))
    s.respond("F", bj(10, 15), "upheld")
    s.callback("F", bj(10, 24), "very_satisfied")  # late: the call back was due on 16 October
    # G: responded, reviewed and changed in time; rated unsatisfied.
    s.file(
        "G",
        bj(10, 10),
        replace(PERSON, phone="135 3333 4444", email=None, category="quality", location="园区东路１８号 "),
        ("13533334444",),
    )
    s.accept("G", bj(10, 10, 11), "normal", "market_regulation")
    s.respond("G", bj(10, 14), "not_upheld")
    s.request_review("G", bj(10, 15))
    s.review_decision("G", bj(10, 21), "partly_upheld")
    s.rate("G", bj(10, 27), "unsatisfied")
    # H: reviewed and upheld, a day late.
    s.file(
        "H",
        bj(10, 10, 9, 30),
        replace(PERSON, phone="134 4444 5555", email=None, category="quality", location=None),
        ("13444445555",),
    )
    s.accept("H", bj(10, 10, 12), "major", "market_regulation")
    s.respond("H", bj(10, 14, 16), "upheld")
    s.request_review("H", bj(10, 16))
    s.review_decision("H", bj(10, 24), "upheld")
    # C: an anonymous letter, not accepted.
    s.register(
        "C",
        "letter",
        bj(10, 14),
        bj(10, 14, 10),
        replace(ANONYMOUS, category="infrastructure", location="园区大道"),
        (),
    )
    s.reject("C", bj(10, 15), "insufficient_information")
    # D: withdrawn before the decision was due.
    s.file(
        "D",
        bj(10, 15),
        replace(PERSON, phone="133 5555 6666", email=None, category="env_noise", location=None),
        ("13355556666",),
    )
    s.withdraw("D", bj(10, 16))
    # E: confidential (staff conduct), major, its department never reported.
    s.file(
        "E",
        bj(10, 16),
        replace(PERSON, phone="132 6666 7777", email=None, category="staff_conduct", location="三号窗口"),
        ("13266667777",),
    )
    s.accept("E", bj(10, 17), "major", "discipline_inspection")
    # I: the same phone as A, by an enterprise, by e-mail; never decided.
    s.register(
        "I",
        "email",
        bj(10, 20),
        bj(10, 20, 10),
        replace(
            PERSON,
            complainant_type="enterprise",
            organization="苏州某某科技有限公司",
            credit_code=VALID_CREDIT_CODE,
            email="boss@example.com",
            location="园区大道",
        ),
        (p1, "boss@example.com", VALID_CREDIT_CODE),
    )
    # J: a visit with A's e-mail address in other letters, and no phone.
    s.register(
        "J",
        "visit",
        bj(10, 21),
        bj(10, 21, 9, 10),
        replace(PERSON, phone=None, email="WANG.XM@EXAMPLE.COM", category="env_water"),
        (e1,),
    )
    s.accept("J", bj(10, 22), "normal", "ecology_environment")
    # K: an anonymous note from the suggestion box, never decided.
    s.register(
        "K",
        "mailbox",
        bj(10, 22),
        bj(10, 22, 11),
        replace(ANONYMOUS, category="env_odor", location="园区大道"),
        (),
    )
    # P: anonymous online, answered the same day: nobody to call back.
    s.file("P", bj(10, 23), replace(ANONYMOUS, category="quality", location=None), ())
    s.accept("P", bj(10, 23, 10), "normal", "market_regulation")
    s.respond("P", bj(10, 23, 15), "partly_upheld")
    # O: received late in the month, accepted, still open at its end.
    s.file(
        "O",
        bj(10, 28),
        replace(PERSON, phone="131 7777 8888", email=None, category="env_waste", location=None),
        ("13177778888",),
    )
    s.accept("O", bj(10, 29), "normal", "ecology_environment")
    s.run_job(bj(11, 1, 0, 30))
    return s


# --- The expected figures, by the definitions --------------------------------------------------


def _in(moment: datetime | None, until: datetime) -> bool:
    return moment is not None and START <= moment < until


def _open(k: Known, moment: datetime) -> bool:
    status = k.status_before(moment)
    return status is not None and status not in ("closed", "withdrawn")


def _repeat_groups(cases: list[Known]) -> list[int]:
    groups: list[set[str]] = []
    sizes: list[int] = []
    for k in cases:
        if not k.identity:
            continue
        joined = [i for i, g in enumerate(groups) if g & set(k.identity)]
        merged, size = set(k.identity), 1
        for i in sorted(joined, reverse=True):
            merged |= groups.pop(i)
            size += sizes.pop(i)
        groups.append(merged)
        sizes.append(size)
    return [size for size in sizes if size > 1]


def expected_figures(scenario: Scenario, as_at: datetime = AS_AT) -> dict[str, Any]:
    """Every figure of the October report, counted from what the test knows."""
    until = min(END, as_at)
    known = list(scenario.cases.values())
    received = [k for k in known if _in(k.received_at, until)]
    f: dict[str, Any] = {}

    def count(prefix: str, codes: Iterable[str], values: Iterable[str]) -> None:
        counted = Counter(values)
        for code in codes:
            f[f"{prefix}.{code}"] = counted[code]

    from chalicelib.domain.vocabulary import categories, departments, rejection_reasons

    f["received.total"] = len(received)
    count(
        "received.channel",
        ("web", "phone", "letter", "visit", "email", "mailbox"),
        (k.channel for k in received),
    )
    count("received.category", categories(), (k.category for k in received))
    count("received.department", [*departments(), "none"], (k.department or "none" for k in received))
    count("received.complainant_type", ("individual", "enterprise"), (k.complainant_type for k in received))
    count(
        "received.priority", ("normal", "major", "urgent", "none"), (k.priority or "none" for k in received)
    )
    f["received.anonymous"] = sum(k.anonymous for k in received)
    f["received.confidential"] = sum(k.confidential for k in received)

    def reached(k: Known, status: str) -> bool:
        return any(s == status and _in(at, until) for s, at in k.milestones)

    for key, status in (
        ("accepted", "accepted"),
        ("not_accepted", "rejected"),
        ("withdrawn", "withdrawn"),
        ("responded", "responded"),
        ("closed", "closed"),
    ):
        f[f"decisions.{key}"] = sum(reached(k, status) for k in known)
    count(
        "decisions.not_accepted.reason",
        rejection_reasons(),
        (k.reject_reason or "" for k in known if reached(k, "rejected")),
    )
    f["stock.carried_over"] = sum(_open(k, START) for k in known)
    f["stock.open_at_end"] = sum(_open(k, until) for k in known)

    for kind in ("acknowledge", "decide", "attend", "report", "respond", "review", "callback"):
        outcomes: Counter[str] = Counter()
        for k in known:
            if kind not in k.clocks or not _in(k.clocks[kind][0], END):
                continue
            outcome = _outcome(k, kind, as_at)
            outcomes[outcome] += 1
            outcomes["due"] += 1
            outcomes["extended"] += kind in k.extended
        for name in ("due", "met_on_time", "met_late", "overdue", "pending", "lapsed", "extended"):
            f[f"clock.{kind}.{name}"] = outcomes[name]
        judged = outcomes["met_on_time"] + outcomes["met_late"] + outcomes["overdue"]
        f[f"clock.{kind}.rate"] = round(100 * outcomes["met_on_time"] / judged, 1) if judged else None

    days: dict[str, list[int]] = {"normal": [], "major": [], "urgent": [], "all": []}
    for k in known:
        first = next((at for s, at in k.milestones if s == "responded"), None)
        if _in(first, until):
            assert first is not None
            taken = working_days_between(k.received_at, first)
            days[k.priority or "none"].append(taken)
            days["all"].append(taken)
    for priority, values in days.items():
        f[f"handling.{priority}.count"] = len(values)
        f[f"handling.{priority}.mean"] = round(fmean(values), 1) if values else None
        f[f"handling.{priority}.median"] = median(values) if values else None
        f[f"handling.{priority}.p90"] = sorted(values)[-(-9 * len(values) // 10) - 1] if values else None

    levels = ("very_satisfied", "satisfied", "basically_satisfied", "unsatisfied")
    sources: dict[str, list[str]] = {
        "callback": [k.callback[1] for k in known if k.callback and _in(k.callback[0], until)],
        "rating": [k.rating[1] for k in known if k.rating and _in(k.rating[0], until)],
    }
    sources["combined"] = sources["callback"] + sources["rating"]
    for source, given in sources.items():
        for level in levels:
            f[f"satisfaction.{source}.{level}"] = given.count(level)
        f[f"satisfaction.{source}.total"] = len(given)
        good = sum(level != "unsatisfied" for level in given)
        f[f"satisfaction.{source}.rate"] = round(100 * good / len(given), 1) if given else None
    f["satisfaction.not_reachable"] = sum(reached(k, "responded") and not k.reachable for k in known)

    decided = [k for k in known if _in(k.review_decided_at, until)]
    f["reviews.requested"] = sum(reached(k, "under_review") for k in known)
    f["reviews.decided"] = len(decided)
    f["reviews.upheld"] = sum(k.review_decision == k.respond_decision for k in decided)
    f["reviews.changed"] = len(decided) - f["reviews.upheld"]

    majors = [
        k
        for k in known
        if k.priority in ("major", "urgent") and (_in(k.received_at, until) or _open(k, START))
    ]
    f["major.major"] = sum(k.priority == "major" for k in majors)
    f["major.urgent"] = sum(k.priority == "urgent" for k in majors)
    groups = _repeat_groups(sorted(received, key=lambda k: k.received_at))
    f["recurring.repeat_complainants"] = len(groups)
    f["recurring.repeat_complaints"] = sum(groups)
    return f


def _outcome(k: Known, kind: str, as_at: datetime) -> str:
    due_at, met = k.clocks[kind]
    assert due_at is not None
    finished = [at for s, at in k.milestones if s in ("closed", "withdrawn") and at < as_at]
    if met is not None:
        return "met_on_time" if met <= due_at else "met_late"
    if k.status_before(as_at) in ("closed", "withdrawn") and finished[-1] <= due_at:
        return "lapsed"
    return "overdue" if due_at < as_at else "pending"


def expected_lists(scenario: Scenario, as_at: datetime = AS_AT) -> dict[str, Any]:
    """The report's lists as the test knows them: which cases, which overdue clocks, which places."""
    known = list(scenario.cases.values())
    until = min(END, as_at)
    received = sorted((k for k in known if _in(k.received_at, until)), key=lambda k: k.received_at)
    overdue = sorted(
        (k.tracking_no, kind)
        for k in known
        for kind, (due_at, _) in k.clocks.items()
        if _in(due_at, END) and _outcome(k, kind, as_at) == "overdue"
    )
    places: Counter[str] = Counter()
    for k in received:
        if k.location and not k.confidential:
            places[unicodedata.normalize("NFKC", " ".join(k.location.split())).strip().casefold()] += 1
    return {
        "cases": [k.tracking_no for k in received],
        "major_cases": sorted(
            k.tracking_no
            for k in known
            if k.priority in ("major", "urgent") and (_in(k.received_at, until) or _open(k, START))
        ),
        "overdue": overdue,
        "top_locations": sorted(
            ((place, n) for place, n in places.items() if n > 1), key=lambda x: (-x[1], x[0])
        ),
    }
