"""Pausing Python's cycle collector while a request makes a great many small objects.

The monthly report makes a month's facts (ten thousand cases: some hundred thousand objects) and
its workbook as many cells again. None of them form reference cycles, so reference counting frees
them all; but the cycle collector, started again and again by so many new objects, walks every
live one each time: it took a third of reading a month's facts and of writing its workbook
(bench). While paused, any cycle made is collected after, at the collector's next run.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused"]


@contextmanager
def paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
