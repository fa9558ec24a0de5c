"""Working-day deadlines follow the official Chinese calendar, and say so when they cannot."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from chalicelib.domain.deadlines import REQUIRED_BOUNDS, default_policy, load_policy
from chalicelib.domain.working_days import WorkingDayCalendar, default_calendar, load_official_years

BEIJING = timezone(timedelta(hours=8))


def beijing(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BEIJING)


@pytest.fixture
def calendar() -> WorkingDayCalendar:
    return default_calendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 14), True),  # Saturday, make-up working day before the Spring Festival
        (date(2026, 2, 16), False),  # Monday, Spring Festival
        (date(2026, 2, 23), False),  # Monday, last day of the Spring Festival holiday
        (date(2026, 2, 28), True),  # Saturday, make-up working day after it
        (date(2026, 9, 20), True),  # Sunday, make-up working day before National Day
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 7), False),
        (date(2026, 10, 10), True),  # Saturday, make-up working day
        (date(2026, 10, 11), False),  # an ordinary Sunday
    ],
)
def test_2026_holidays_and_make_up_days_are_known(
    calendar: WorkingDayCalendar, day: date, working: bool
) -> None:
    assert calendar.is_working_day(day) == (working, True)


def test_counting_across_the_spring_festival_uses_the_make_up_saturday(calendar: WorkingDayCalendar) -> None:
    # Friday 13 Feb: Saturday 14 is working (1); 15-23 are off; Tuesday 24 is the second.
    assert calendar.add_working_days(date(2026, 2, 13), 2) == (date(2026, 2, 24), False)
    assert calendar.add_working_days(date(2026, 2, 13), 1) == (date(2026, 2, 14), False)


def test_counting_across_national_day(calendar: WorkingDayCalendar) -> None:
    # From Monday 28 Sep: 29, 30, Oct 8, 9, 10 (Saturday, working), 12, 13, 14, 15, 16.
    assert calendar.add_working_days(date(2026, 9, 28), 10) == (date(2026, 10, 16), False)
    # Received on Saturday 19 Sep: Sunday 20 is a make-up working day.
    assert calendar.add_working_days(date(2026, 9, 19), 1) == (date(2026, 9, 20), False)


def test_the_review_limit_across_national_day_in_beijing_time() -> None:
    policy = default_policy()
    # Review requested late on 30 Sep (Beijing), 5 working days: Oct 8, 9, 10, 12, 13.
    due = policy.due("review", beijing(2026, 9, 30, 22, 0))
    assert due.at == beijing(2026, 10, 13, 23, 59, 59)
    assert not due.provisional


def test_a_year_without_an_official_calendar_is_counted_monday_to_friday_and_flagged(
    calendar: WorkingDayCalendar,
) -> None:
    assert calendar.is_working_day(date(2027, 1, 4)) == (True, False)
    assert calendar.is_working_day(date(2027, 1, 2)) == (False, False)
    # From Wednesday 30 Dec 2026: Thursday 31 (known), then 2027 days counted Monday to Friday.
    assert calendar.add_working_days(date(2026, 12, 30), 3) == (date(2027, 1, 4), True)
    # A count that stays within the known year is not provisional.
    assert calendar.add_working_days(date(2026, 12, 29), 2) == (date(2026, 12, 31), False)


def test_a_deadline_in_an_unknown_year_is_provisional() -> None:
    due = default_policy().due("respond_normal", beijing(2027, 3, 1, 9, 0))
    assert due.provisional


def test_a_published_notice_added_by_staff_makes_the_year_known(tmp_path: Path) -> None:
    notice = tmp_path / "holidays.json"
    notice.write_text(
        json.dumps({"years": {"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-03"]}}}),
        encoding="utf-8",
    )
    calendar = WorkingDayCalendar(load_official_years(notice))
    assert calendar.is_working_day(date(2027, 1, 1)) == (False, True)
    assert calendar.is_working_day(date(2027, 1, 3)) == (True, True)  # a Sunday made a working day
    assert calendar.add_working_days(date(2026, 12, 31), 2) == (date(2027, 1, 4), False)


def test_a_notice_with_a_date_of_another_year_is_refused(tmp_path: Path) -> None:
    notice = tmp_path / "holidays.json"
    notice.write_text(json.dumps({"years": {"2027": {"holidays": ["2026-10-01"]}}}), encoding="utf-8")
    with pytest.raises(ValueError, match="another year"):
        load_official_years(notice)


def test_the_shipped_notice_file_loads() -> None:
    load_official_years(Path(__file__).parents[2] / "api/chalicelib/data/holidays.json")


def test_hour_and_day_limits() -> None:
    policy = default_policy()
    start = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
    assert policy.due("acknowledge", start).at == start + timedelta(hours=24)
    # 30 calendar days, to the end of the day in Beijing.
    assert policy.due("review_request", start).at == beijing(2026, 12, 24, 23, 59, 59)


BLANK = {"zh": "", "en": ""}


def test_the_policy_file_refuses_a_limit_without_exactly_one_unit() -> None:
    raw = {
        "utc_offset_hours": 8,
        "time_limits": {
            "x": {"hours": 1, "days": 2, "label": {"zh": "", "en": ""}, "note": {"zh": "", "en": ""}}
        },
        "windows": {},
        "bounds": {code: {"days": 1, "label": BLANK, "note": BLANK} for code in REQUIRED_BOUNDS},
    }
    with pytest.raises(ValueError, match="exactly one"):
        load_policy(raw)


def test_the_policy_file_must_bound_extensions_and_late_registrations() -> None:
    raw = {"utc_offset_hours": 8, "time_limits": {}, "windows": {}, "bounds": {}}
    with pytest.raises(ValueError, match="extension_max, registration_backdate"):
        load_policy(raw)
