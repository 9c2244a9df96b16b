"""The output folder: can it be written, stale temporary folders, and moving a run's files into
place all together or not at all.

A run writes its files into a temporary folder inside the output folder (``.lifecircle-tmp-*``)
and moves them into place at the end. On Windows a file held open by Excel or QGIS cannot be
replaced; :func:`replace_all` first moves every old file aside, so that one open file leaves every
old file where it was, and says which file to close.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from lifecircle.errors import OutputError

logger = logging.getLogger(__name__)

#: The prefix of the temporary folders a run writes in; only these are ever removed as stale.
TMP_PREFIX = ".lifecircle-tmp-"

#: File suffix → the program that usually holds such a file open.
_PROGRAMS = {
    ".xlsx": "Excel or WPS",
    ".csv": "Excel or WPS",
    ".gpkg": "QGIS or ArcGIS",
    ".html": "a browser or an editor",
    ".json": "an editor",
    ".pdf": "a PDF reader",
}


def check_output_folder(out_dir: Path) -> None:
    """Make sure the output folder can be created and written, before a run spends its time.

    Raises
    ------
    OutputError
        When the path is an existing file, lies inside a file, or the folder (or the nearest
        existing folder above it) cannot be written.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(
            f"{out_dir}: is a file, not a folder; the outputs are several files: give the "
            "output folder (--out or [project] output) a folder name, e.g. "
            f"{out_dir.with_suffix('').name}-out"
        )
    folder = out_dir
    while not folder.exists():
        if folder.parent == folder:
            break
        folder = folder.parent
    if folder.exists() and not folder.is_dir():
        raise OutputError(
            f"{out_dir}: cannot be created, {folder} is a file; choose another output folder "
            "(--out or [project] output)"
        )
    try:
        probe = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=folder))
    except OSError as exc:
        raise OutputError(
            f"{folder}: cannot write in this folder ({exc.strerror or exc}); choose another "
            "output folder (--out or [project] output), or ask for write access to it"
        ) from None
    probe.rmdir()


def make_temp_folder(out_dir: Path) -> Path:
    """Create the output folder and a temporary folder in it, removing stale ones first.

    Raises
    ------
    OutputError
        When either cannot be created.
    """
    check_output_folder(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        remove_stale(out_dir)
        return Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=out_dir))
    except OSError as exc:
        raise OutputError(
            f"{out_dir}: cannot write in this folder ({exc.strerror or exc}); choose another "
            "output folder (--out or [project] output)"
        ) from None


def remove_stale(out_dir: Path) -> list[Path]:
    """Remove the temporary folders an interrupted run left in ``out_dir``; return them.

    Only folders named ``.lifecircle-tmp-*`` are removed: lifecircle made them, nothing else.
    """
    stale = sorted(p for p in out_dir.glob(TMP_PREFIX + "*") if p.is_dir() and not p.is_symlink())
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
        logger.info("removed %s, left by an interrupted run", path)
    return stale


def replace_all(tmp: Path, out_dir: Path, names: Sequence[str]) -> None:
    """Move each of ``names`` (files or folders) from ``tmp`` into ``out_dir``, all or none.

    A name present in ``out_dir`` but not in ``tmp`` is removed (an earlier run's scenarios).
    Every old entry is first moved aside into ``tmp``; if one cannot be (a file open in another
    program on Windows), the ones already moved go back and nothing is replaced.

    Raises
    ------
    OutputError
        Naming the file that could not be replaced and the program that may hold it open.
    """
    aside = tmp / ".previous"
    aside.mkdir()
    moved: list[str] = []
    current = ""
    try:
        for current in names:
            if (out_dir / current).exists():
                os.replace(out_dir / current, aside / current)
                moved.append(current)
    except OSError as exc:
        _restore(moved, aside, out_dir)
        raise _locked(out_dir, current, exc) from None
    placed: list[str] = []
    try:
        for current in names:
            if (tmp / current).exists():
                os.replace(tmp / current, out_dir / current)
                placed.append(current)
    except OSError as exc:
        for name in placed:
            os.replace(out_dir / name, tmp / name)
        _restore(moved, aside, out_dir)
        raise _locked(out_dir, current, exc) from None


def _restore(moved: Sequence[str], aside: Path, out_dir: Path) -> None:
    for name in moved:
        os.replace(aside / name, out_dir / name)


def _locked(out_dir: Path, failed: str, exc: OSError) -> OutputError:
    """The error for an entry that could not be moved aside or into place."""
    program = _PROGRAMS.get(Path(failed).suffix.lower(), "another program")
    return OutputError(
        f"{out_dir / failed}: {failed} is open in another program ({program}?): close it and run "
        f"again; no output was replaced ({exc.strerror or exc})"
    )
