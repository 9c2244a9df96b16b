"""Timing the steps of a run and telling a progress callback when each starts, advances and ends."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol


class Progress(Protocol):
    """Told ``(step, "start")`` and ``(step, "done")`` around each step of a run, and, as a long
    step advances, ``(step, "count", done, total)``: ``done`` of its ``total`` units (the
    isochrones' category × level unions, the map's layers, the report's files)."""

    def __call__(self, step: str, event: str, done: int = 0, total: int = 0) -> None: ...


#: What a step calls as it advances: ``count(done, total)``.
Count = Callable[[int, int], None]


def _no_count(done: int, total: int) -> None:
    """The count of a step nobody follows."""


class StepTimer:
    """Seconds per step (summed when a step runs more than once), reported to ``progress``."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.timings_s: dict[str, float] = {}
        self._progress = progress

    @contextmanager
    def step(self, name: str) -> Iterator[Count]:
        """Time the block as step ``name``; the block may report its advance to the function
        it gets (``with timer.step("map") as count: … count(3, 12)``)."""
        progress = self._progress
        if progress:
            progress(name, "start")

        def count(done: int, total: int) -> None:
            if progress:
                progress(name, "count", done, total)

        t0 = time.perf_counter()
        try:
            yield count if progress else _no_count
        finally:
            self.timings_s[name] = self.timings_s.get(name, 0.0) + time.perf_counter() - t0
            if progress:
                progress(name, "done")
