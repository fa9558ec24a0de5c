"""The jobs' schedules: EventBridge's expression and the local scheduler's next firing, which must
agree (api/chalicelib/jobs/schedule.py)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, time, timedelta, timezone

import pytest

from chalicelib.jobs.schedule import DailyAt, Every

BEIJING = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("minutes", "expression"), [(1, "rate(1 minute)"), (5, "rate(5 minutes)"), (1440, "rate(1440 minutes)")]
)
def test_a_rate_is_written_as_eventbridge_wants_it(minutes: int, expression: str) -> None:
    assert Every(minutes).expression() == expression


@pytest.mark.parametrize("minutes", [0, -5, 1441])
def test_a_rate_outside_one_minute_to_one_day_is_refused(minutes: int) -> None:
    with pytest.raises(ValueError, match="minutes"):
        Every(minutes)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2027-01-05T09:00:00+08:00", "2027-01-05T01:05:00+00:00"),  # on a firing: the next one
        ("2027-01-05T09:04:59.999999+08:00", "2027-01-05T01:05:00+00:00"),
        ("2027-01-05T01:00:00.000001+00:00", "2027-01-05T01:05:00+00:00"),
        ("2027-01-05T23:58:00+00:00", "2027-01-06T00:00:00+00:00"),  # across midnight
    ],
)
def test_every_fires_on_whole_multiples_of_its_rate_strictly_after_the_moment(
    moment: str, expected: str
) -> None:
    following = Every(5).next_after(datetime.fromisoformat(moment))

    assert following == datetime.fromisoformat(expected)
    assert following.utcoffset() == timedelta(0)


def test_every_gives_the_same_firing_for_the_same_instant_in_any_offset() -> None:
    instant = datetime(2027, 1, 5, 1, 2, 3, tzinfo=UTC)

    assert Every(7).next_after(instant) == Every(7).next_after(instant.astimezone(BEIJING))


@pytest.mark.parametrize("minutes", [1, 7, 45, 1440])
def test_successive_firings_of_every_are_its_rate_apart(minutes: int) -> None:
    moment = datetime(2027, 12, 31, 23, 11, 17, tzinfo=UTC)
    firings = []
    for _ in range(50):
        moment = Every(minutes).next_after(moment)
        firings.append(moment)

    assert {later - earlier for earlier, later in itertools.pairwise(firings)} == {timedelta(minutes=minutes)}


DIGEST = DailyAt(time(8, 30), BEIJING)


def test_a_daily_time_in_beijing_is_written_in_utc_for_eventbridge() -> None:
    assert DIGEST.expression() == "cron(30 0 * * ? *)"
    # 06:00 in Beijing is 22:00 UTC the day before: still every day.
    assert DailyAt(time(6, 0), BEIJING).expression() == "cron(0 22 * * ? *)"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2027-01-05T08:29:59+08:00", "2027-01-05T08:30:00+08:00"),
        ("2027-01-05T08:30:00+08:00", "2027-01-06T08:30:00+08:00"),  # on the firing: tomorrow's
        ("2027-01-05T00:10:00+00:00", "2027-01-05T08:30:00+08:00"),  # 08:10 in Beijing
        ("2027-01-04T23:00:00+00:00", "2027-01-05T08:30:00+08:00"),  # already the 5th in Beijing
        ("2027-01-05T00:30:00+00:00", "2027-01-06T08:30:00+08:00"),
        ("2028-02-28T09:00:00+08:00", "2028-02-29T08:30:00+08:00"),  # a leap day
        ("2027-12-31T20:00:00+08:00", "2028-01-01T08:30:00+08:00"),  # the year's end
    ],
)
def test_daily_at_fires_at_its_local_time_strictly_after_the_moment(moment: str, expected: str) -> None:
    following = DIGEST.next_after(datetime.fromisoformat(moment))

    assert following == datetime.fromisoformat(expected)
    assert following.utcoffset() == timedelta(0)


@pytest.mark.parametrize("at", [time(0, 0), time(6, 0), time(8, 30), time(16, 15), time(23, 59)])
def test_the_local_firing_is_where_eventbridges_cron_fires(at: time) -> None:
    schedule = DailyAt(at, BEIJING)
    match = re.fullmatch(r"cron\((\d+) (\d+) \* \* \? \*\)", schedule.expression())
    assert match is not None
    minute, hour = int(match[1]), int(match[2])
    moment = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)
    for _ in range(5):
        moment = schedule.next_after(moment)
        assert (moment.hour, moment.minute, moment.second) == (hour, minute, 0)
        assert moment.astimezone(BEIJING).time() == at
