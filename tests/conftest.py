"""Shared fixtures: the demo county and a small generated county, each run once per session."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from lifecircle.cli import demo_project_path, main
from lifecircle.maps.cjkfont import CjkFont


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The folder of the embedded demo county's files."""
    return demo_project_path().parent


@pytest.fixture(scope="session")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Output folder of one full ``lifecircle demo`` run (shared by the end-to-end tests), with
    ``report.pdf`` where a font with Chinese glyphs is installed."""
    from lifecircle.maps.cjkfont import find_cjk_font

    out = tmp_path_factory.mktemp("demo-run") / "out"
    pdf = ["--pdf"] if find_cjk_font() is not None else []
    assert main(["-q", "demo", "--out", str(out), "--no-cache", *pdf]) == 0
    return out


@pytest.fixture(scope="session")
def english_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Output folder of ``lifecircle demo --lang en`` (shared by the language tests)."""
    out = tmp_path_factory.mktemp("en") / "out"
    assert main(["-q", "demo", "--out", str(out), "--lang", "en", "--no-cache"]) == 0
    return out


#: Junctions of the generated county the tests run (``bench/county.py``; 100 k in the benchmark).
COUNTY_NODES = 3000


@pytest.fixture(scope="session")
def county_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Output folder of ``lifecircle run`` on a small generated county (bench/county.py)."""
    path = Path(__file__).resolve().parents[1] / "bench" / "county.py"
    spec = importlib.util.spec_from_file_location("bench_county_generator", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    project = module.make_county(tmp_path_factory.mktemp("county"), nodes=COUNTY_NODES)
    out = project.parent / "out"
    assert main(["-q", "run", str(project), "--out", str(out), "--no-cache"]) == 0
    return out


@pytest.fixture(scope="session")
def cjk_font() -> CjkFont:
    """The font report.pdf embeds; skipped without one (failed where ``make test`` installed
    the fonts, see :mod:`browserneeds`)."""
    from browserneeds import required, skip_or_fail

    from lifecircle.maps.cjkfont import find_cjk_font

    font = find_cjk_font()
    if font is None:
        skip_or_fail(
            "no font with Chinese glyphs on this machine (install fonts-noto-cjk)",
            must_have=required(),
        )
    assert font is not None
    return font


@pytest.fixture(scope="session")
def demo_pdf_out(demo_out: Path, cjk_font: CjkFont) -> Path:
    """Output folder of ``lifecircle demo --pdf`` (report.pdf beside the other outputs)."""
    assert (demo_out / "report.pdf").is_file()
    return demo_out
