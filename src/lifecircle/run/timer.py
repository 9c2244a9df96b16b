"""Timing the steps of a run and telling a progress callback when each starts and ends."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: Called with ``(step, "start" | "done")`` around each step of a run.
Progress = Callable[[str, str], None]


class StepTimer:
    """Seconds per step (summed when a step runs more than once), reported to ``progress``."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.timings_s: dict[str, float] = {}
        self._progress = progress

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block as step ``name``."""
        if self._progress:
            self._progress(name, "start")
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings_s[name] = self.timings_s.get(name, 0.0) + time.perf_counter() - t0
            if self._progress:
                self._progress(name, "done")
