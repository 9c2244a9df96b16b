"""Exit statuses of ``lifecircle run``: 2 for bad input (the user's to fix), 1 for an internal
error (a bug to report), each with a message and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from tinyproject import build_tiny

from lifecircle.cli import main
from lifecircle.errors import InputError
from lifecircle.run import analyses


def _run_failing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: Exception,
) -> tuple[int, str]:
    project = build_tiny(tmp_path / "p")
    monkeypatch.delenv("LIFECIRCLE_DEBUG", raising=False)

    def broken_step(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(analyses, "reach", broken_step)
    code = main(["-q", "run", str(project), "--out", str(tmp_path / "out")])
    return code, capsys.readouterr().err


def test_an_internal_error_exits_1_and_asks_for_a_bug_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run_failing(tmp_path, monkeypatch, capsys, RuntimeError("index 7 out of range"))
    assert code == 1
    assert "RuntimeError" in err and "index 7 out of range" in err
    assert "bug" in err and " -v" in err  # report it; -v shows the traceback
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_bad_input_exits_2_with_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    message = "facilities.csv: column 建筑面积, rows 3, 5: not a number; fix those cells"
    code, err = _run_failing(tmp_path, monkeypatch, capsys, InputError(message))
    assert code == 2
    assert message in err
    assert "bug" not in err and "Traceback" not in err
