"""CLI progress: a line per step; on a terminal, a bar with counts for the long steps."""

from __future__ import annotations

import io

import pytest

from lifecircle import cli
from lifecircle.run.timer import StepTimer


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Clock:
    """A clock the test moves by hand (seconds)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _run_isochrones(progress: cli._Progress, clock: _Clock, total: int = 24) -> None:
    """A step that reports its count, slow from the third unit on."""
    timer = StepTimer(progress)
    with timer.step("isochrones") as count:
        for done in range(1, total + 1):
            clock.now += 0.5 if done < 3 else 2.0
            count(done, total)


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    c = _Clock()
    monkeypatch.setattr(cli.time, "perf_counter", c)
    return c


def test_a_long_step_shows_a_bar_with_counts_on_a_terminal(clock: _Clock) -> None:
    out = _Terminal()
    _run_isochrones(cli._Progress(out, lang="zh", quiet=False), clock)
    text = out.getvalue()
    # no bar in the first 2 s (units 1 and 2 take 0.5 s each), then one at every unit
    assert "] 2/24" not in text and "] 3/24 类别×圈层" in text and "] 24/24 类别×圈层" in text
    assert "[" + "#" * 12 + "-" * 12 + "] 12/24" in text  # half way: half the bar
    # the step's own line at the end, the bar's line cleared first
    assert text.endswith("\r\x1b[K  ✓ 等时圈" + " " * 36 + "   45.0 s\n")


def test_english_bar() -> None:
    bar = cli._Progress(_Terminal(), lang="en", quiet=False).bar("map", "map", 3, 7)
    assert bar.endswith("[##########--------------] 3/7 layers")
    assert "interactive map" not in bar and bar.startswith("  … map")


def test_no_bar_when_not_a_terminal_and_nothing_when_quiet(clock: _Clock) -> None:
    piped = io.StringIO()
    _run_isochrones(cli._Progress(piped, lang="en", quiet=False), clock)
    assert piped.getvalue() == f"  ✓ {'isochrones':<42} {45.0:6.1f} s\n"
    quiet = _Terminal()
    _run_isochrones(cli._Progress(quiet, lang="zh", quiet=True), clock)
    assert quiet.getvalue() == ""


def test_steps_without_counts_keep_their_one_line(clock: _Clock) -> None:
    out = _Terminal()
    timer = StepTimer(cli._Progress(out, lang="en", quiet=False))
    with timer.step("coverage"):
        clock.now += 5.0
    assert (
        out.getvalue()
        == "  … life-circle coverage\r" + f"  ✓ {'life-circle coverage':<42}    5.0 s\n"
    )
