"""The lifecycle allows exactly the listed transitions and refuses every other with a reason."""

from __future__ import annotations

import itertools

import pytest

from chalicelib.domain.errors import TransitionNotAllowedError
from chalicelib.domain.lifecycle import Status, ensure_transition
from chalicelib.domain.messages import render

LISTED = {
    ("received", "accepted"),
    ("received", "rejected"),
    ("received", "withdrawn"),
    ("accepted", "in_progress"),
    ("accepted", "responded"),
    ("accepted", "withdrawn"),
    ("in_progress", "responded"),
    ("in_progress", "withdrawn"),
    ("responded", "closed"),
    ("responded", "under_review"),
    ("rejected", "under_review"),
    ("rejected", "closed"),
    ("under_review", "responded"),
    ("closed", "under_review"),
}
ALL_PAIRS = list(itertools.product(Status, Status))


@pytest.mark.parametrize(("current", "target"), [p for p in ALL_PAIRS if (p[0].value, p[1].value) in LISTED])
def test_listed_transitions_are_allowed(current: Status, target: Status) -> None:
    ensure_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"), [p for p in ALL_PAIRS if (p[0].value, p[1].value) not in LISTED]
)
def test_every_other_transition_is_refused_with_a_reason(current: Status, target: Status) -> None:
    with pytest.raises(TransitionNotAllowedError) as refused:
        ensure_transition(current, target)
    zh, en = render(refused.value.message, "zh"), render(refused.value.message, "en")
    assert "不能变更为" in zh
    assert "cannot become" in en


def test_refusal_names_both_statuses_in_each_language() -> None:
    with pytest.raises(TransitionNotAllowedError) as refused:
        ensure_transition(Status.WITHDRAWN, Status.ACCEPTED)
    assert "已撤回" in render(refused.value.message, "zh")
    assert "已受理" in render(refused.value.message, "zh")
    assert "Withdrawn" in render(refused.value.message, "en")
    assert "Accepted" in render(refused.value.message, "en")
