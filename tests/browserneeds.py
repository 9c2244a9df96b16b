"""What the browser tests need (Chromium, chromedriver, a CJK font) and what to do without it.

Without one of them the browser tests are skipped with a message naming exactly what is missing.
``make test`` installs all three (its ``browser`` target) and then sets
``LIFECIRCLE_BROWSER=required``: there a missing part is a broken set-up, and the tests fail
with the same message instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL_HINT = "install them with `make browser` (Debian: `apt-get install {packages}`)"


@dataclass(frozen=True)
class BrowserParts:
    """Where each part was found: a path, or None when absent.

    ``cjk_font`` is the family of a Chinese font fontconfig knows, ``""`` when fontconfig's
    ``fc-list`` itself is missing, None when it finds no Chinese font.
    """

    chromium: str | None
    chromedriver: str | None
    cjk_font: str | None


def _which(names: tuple[str, ...], fallback: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return fallback if Path(fallback).exists() else None


def _cjk_font() -> str | None:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ""
    res = subprocess.run(
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
    )
    families = [line.strip() for line in res.stdout.splitlines() if line.strip()]
    return families[0] if families else None


def find_parts() -> BrowserParts:
    """Look for Chromium, chromedriver and a CJK font on this machine."""
    return BrowserParts(
        chromium=_which(("chromium", "chromium-browser"), "/usr/bin/chromium"),
        chromedriver=_which(("chromedriver",), "/usr/bin/chromedriver"),
        cjk_font=_cjk_font(),
    )


def missing(parts: BrowserParts) -> str:
    """A sentence naming each missing part and how to install it; '' when nothing is missing."""
    what: list[str] = []
    packages: list[str] = []
    if parts.chromium is None:
        what.append("Chromium (no `chromium` or `chromium-browser` on PATH)")
        packages.append("chromium")
    if parts.chromedriver is None:
        what.append("chromedriver (no `chromedriver` on PATH)")
        packages.append("chromium-driver")
    if parts.cjk_font == "":
        what.append("CJK fonts (fontconfig's `fc-list` is not installed to find them)")
        packages += ["fontconfig", "fonts-noto-cjk"]
    elif parts.cjk_font is None:
        what.append("CJK fonts (`fc-list :lang=zh` finds none: Chinese text would not render)")
        packages.append("fonts-noto-cjk")
    if not what:
        return ""
    hint = INSTALL_HINT.format(packages=" ".join(packages))
    return f"the browser tests need {'; '.join(what)}; {hint}"


def required(environ: os._Environ[str] | dict[str, str] = os.environ) -> bool:
    """Whether the set-up promised the browser (``LIFECIRCLE_BROWSER=required``)."""
    return environ.get("LIFECIRCLE_BROWSER", "").strip().lower() == "required"


def skip_or_fail(message: str, *, must_have: bool) -> None:
    """Skip with ``message``, or fail with it when the browser was meant to be there."""
    if must_have:
        pytest.fail(
            f"{message} (LIFECIRCLE_BROWSER=required: they were meant to be installed)",
            pytrace=False,
        )
    pytest.skip(message)
