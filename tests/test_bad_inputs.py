"""Every bad input gets a clear answer: a corpus of real planner mistakes (tests/badcases.py).

Each case breaks one thing in a copy of a tiny project and runs ``lifecircle check`` or
``lifecircle run`` on it, as a planner would. It asserts the exit status (2: bad input; 0: the
run goes on and says what it did), that the message names the file and the rows, ids or column,
that no traceback or "internal error" is shown, that the inputs are unchanged and, for bad input,
that the previous output folder is unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from badcases import CASES, Case, copy_project
from tinyproject import build_tiny

from lifecircle.cli import main

PREVIOUS = {
    "map.html": b"<html>previous run</html>",
    "issues.csv": b"layer,row_id\n",
    "results.gpkg": b"previous results",
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny project's folder, built once; each case works on a copy."""
    folder = tmp_path_factory.mktemp("tiny") / "project"
    build_tiny(folder)
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "out" not in p.relative_to(folder).parts
    }


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gets_a_clear_answer(
    case: Case,
    tiny: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = copy_project(tiny, tmp_path / "p")
    folder = project.parent
    case.breaks(folder)
    out = folder / "out"
    out.mkdir()
    for name, data in PREVIOUS.items():
        (out / name).write_bytes(data)
    inputs = _snapshot(folder)

    args = ["-q", case.command, str(project), *(a.format(folder=folder) for a in case.args)]
    if case.fault is not None:
        case.fault(monkeypatch)
    status = main(args)
    captured = capsys.readouterr()
    text = captured.err if case.exit else captured.out
    assert status == case.exit, captured.err + captured.out
    assert "Traceback" not in captured.err + captured.out
    assert "internal error" not in captured.err
    for words in case.says:
        assert words in text, f"{words!r} not in:\n{text}"
    assert _snapshot(folder) == inputs, "the inputs were changed"
    if case.exit:
        assert {p.name: p.read_bytes() for p in out.iterdir()} == PREVIOUS
    if case.issues:
        issues = pd.read_csv(out / "issues.csv", encoding="utf-8-sig", dtype=str).fillna("")
        text = "\n".join(",".join(row) for row in issues.itertuples(index=False))
        for words in case.issues:
            assert words in text, f"{words!r} not in issues.csv:\n{text}"


def test_the_corpus_is_large_and_each_case_is_named_once() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) >= 60 and len(set(ids)) == len(ids)


def test_a_duplicated_facility_row_is_counted_once(tiny: Path, tmp_path: Path) -> None:
    import lifecircle

    project = copy_project(tiny, tmp_path / "p")
    duplicated = next(c for c in CASES if c.id == "duplicated-facility-row")
    duplicated.breaks(project.parent)
    results = lifecircle.analyse(lifecircle.load_project(project))
    assert sorted(results.facilities["id"]) == ["F01", "F02", "F03", "F04", "F05"]
