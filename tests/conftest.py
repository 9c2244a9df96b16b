"""Shared fixtures: the demo county run once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifecircle.cli import demo_project_path, main


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The folder of the embedded demo county's files."""
    return demo_project_path().parent


@pytest.fixture(scope="session")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Output folder of one full ``lifecircle demo`` run (shared by the end-to-end tests)."""
    out = tmp_path_factory.mktemp("demo-run") / "out"
    assert main(["-q", "demo", "--out", str(out), "--no-cache"]) == 0
    return out
