"""The first request's room on the frame stack (web/frame_room.py): without it, calls that cross the
end of one of CPython's 16 KiB frame chunks map a new chunk, and fault its page in, on every turn;
inside it, no turn does. Page faults are counted, not timed: the count is the same on any machine."""

from __future__ import annotations

import resource
from collections.abc import Callable
from typing import Any

import pytest
from chalice.app import Response

from chalicelib.web import frame_room

TURNS = 300


def _three(n: int = 3) -> int:
    return 0 if n == 0 else _three(n - 1)


def _faults_at(depth: int) -> int:
    """Page faults of ``TURNS`` calls three frames deep, made ``depth`` frames below this one."""
    if depth:
        return _faults_at(depth - 1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(TURNS):
        _three()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def _worst_depth() -> int:
    """The most page faults at any of 400 depths: more than a chunk's worth of frames, so some
    depth puts the calls across a chunk's end."""
    return max(_faults_at(depth) for depth in range(400))


def test_calls_across_a_chunks_end_fault_a_page_on_every_turn_without_the_room() -> None:
    # The cost the room removes: if a CPython stops freeing chunks this early, the room is no longer
    # needed, and this says so.
    assert _worst_depth() >= TURNS


def test_inside_the_room_no_depth_makes_a_turn_fault() -> None:
    assert frame_room.in_frame_room(_worst_depth) < TURNS // 10


def test_the_room_returns_what_it_runs_and_lets_its_errors_through() -> None:
    assert frame_room.in_frame_room(lambda: "answer") == "answer"
    with pytest.raises(KeyError):
        frame_room.in_frame_room(lambda: dict[str, str]()["missing"])


def test_only_the_first_request_of_a_process_runs_in_the_room(monkeypatch: pytest.MonkeyPatch) -> None:
    rooms: list[bool] = []

    def in_room(run: Callable[[], Any]) -> Any:
        rooms.append(True)
        return run()

    monkeypatch.setattr(frame_room, "_answered", False)
    monkeypatch.setattr(frame_room, "in_frame_room", in_room)
    requests: list[Any] = [object(), object(), object()]
    answers = [
        frame_room.frame_room_middleware(request, lambda event: Response(body=str(id(event))))
        for request in requests
    ]
    assert [answer.body for answer in answers] == [str(id(request)) for request in requests]
    assert rooms == [True]
