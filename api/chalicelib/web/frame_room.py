"""A process's first request runs with room on CPython's frame stack.

CPython 3.11 keeps Python frames in chunks of 16 KiB and hands a chunk back to the system (munmap)
as soon as the frame at its start returns. A loop whose calls cross a chunk's end therefore maps
and unmaps memory, and faults its first page in, on every turn: about 10 µs a turn on the
development machine, a Firecracker virtual machine as Lambda's are (README, "Measured performance").
Where the ends fall depends only on how deep the code runs.

A process's first request loads botocore's service model and endpoint rules: loops of that kind,
run below Chalice, the middleware, the views, the services and PynamoDB. Measured with strace on a
cold lookup: 934 maps and unmaps of 16 KiB during the request, about 9 ms of kernel time, where a
bare botocore script making the same read at the top of its stack has 133. In one frame that asks
for a value stack of ``_ROOM_SLOTS`` slots, the request gets a chunk of 256 KiB of its own whose
free part (about 130 KiB, hundreds of frames) no loop of the request's outgrows: 2 maps in all.
The slots beyond the ones used are never written, so they cost no page faults.

Later requests find botocore loaded and make no such loop (0 maps measured over three warm
lookups), so they run as they come and pay nothing: the room is the first request's only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from chalice.app import Request, Response

__all__ = ["frame_room_middleware", "in_frame_room"]

T = TypeVar("T")

# Eight bytes a slot: 15 400 slots and CPython's margin of 1 000 come to just over 128 KiB, for
# which it allocates the next power of two, 256 KiB, leaving about 130 KiB after this frame.
_ROOM_SLOTS = 15_400


def in_frame_room(run: Callable[[], T]) -> T:
    """``run()``, called from a frame whose value stack is ``_ROOM_SLOTS`` deep."""
    return run()


# The compiler sizes a frame's value stack from its code; nothing reads the slots this one never
# pushes. A larger stack than the code needs is always safe.
in_frame_room.__code__ = in_frame_room.__code__.replace(co_stacksize=_ROOM_SLOTS)


# Two first requests at once (``chalice local`` serves from threads) both get a room: harmless.
_answered = False


def frame_room_middleware(event: Request, get_response: Callable[[Request], Response]) -> Response:
    global _answered  # the process's one fact: has it answered yet
    if _answered:
        return get_response(event)
    _answered = True
    return in_frame_room(lambda: get_response(event))
