"""The house rules a newcomer reads from the folder tree: imports flow one way, no cycles, small
modules, one vocabulary, a small public API that loads lazily."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import lifecircle
from lifecircle.analysis.profiles import load_profile
from lifecircle.maps.basemaps import resolve_basemap
from lifecircle.maps.labels import level_label
from lifecircle.vocab import BASEMAPS, CATEGORIES, LANGS, LEVELS

ROOT = Path(__file__).resolve().parents[1]

#: Source folder → installed package, as pyproject's package-dir mapping installs them.
PACKAGES = {
    ROOT / "src" / "lifecircle": "lifecircle",
    ROOT / "geo": "lifecircle.geo",
    ROOT / "analysis": "lifecircle.analysis",
    ROOT / "maps": "lifecircle.maps",
    ROOT / "data": "lifecircle.data",
}

#: Modules every layer may use: the error classes, the data-problem log and the vocabulary.
FOUNDATION = {"lifecircle.errors", "lifecircle.dataissues", "lifecircle.vocab"}

#: Layer → the layers it must never import (geo and analysis side by side, then maps, then the
#: run layer, then the CLI).
FORBIDDEN = {
    "geo": ("analysis", "maps", "run", "cli", "project"),
    "analysis": ("maps", "run", "cli", "project"),
    "maps": ("run", "cli", "project"),
    "data": ("analysis", "maps", "run", "cli", "project"),
    "run": ("cli",),
}


def _modules() -> dict[str, Path]:
    found = {}
    for folder, package in PACKAGES.items():
        for path in folder.rglob("*.py"):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    # the shell's own subfolders are not mapped separately: drop their duplicates
    return {name: path for name, path in found.items() if "lifecircle.lifecircle" not in name}


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every lifecircle module a module imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.add(full if full in MODULES else base)
    return {m for m in out if m.startswith("lifecircle")}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_module_map_sees_every_layer() -> None:
    for name in ("lifecircle.geo.snap", "lifecircle.run.pipeline", "lifecircle.maps.report"):
        assert name in MODULES
    assert _imports("lifecircle.run.pipeline", MODULES["lifecircle.run.pipeline"]) >= {
        "lifecircle.run.check",
        "lifecircle.project",
    }


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_flow_one_way(name: str) -> None:
    forbidden = FORBIDDEN.get(_layer(name), ())
    bad = sorted(m for m in _imports(name, MODULES[name]) - FOUNDATION if _layer(m) in forbidden)
    assert not bad, f"{name} imports {bad}"


def test_no_import_cycles() -> None:
    graph = {name: _imports(name, path) & set(MODULES) for name, path in MODULES.items()}
    # a package's __init__ re-exporting its submodules is not a cycle of concerns
    for name in graph:
        graph[name] = {m for m in graph[name] if not m.startswith(f"{name}.")}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, cycles


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_past_700_lines(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= 700, f"{MODULES[name].relative_to(ROOT)} has {lines} lines"


def test_vocabulary_matches_the_national_profile() -> None:
    profile = load_profile("cn-national")
    assert tuple(profile.categories) == CATEGORIES
    assert tuple(profile.levels) == LEVELS
    assert {profile.categories[c].level for c in CATEGORIES} == set(LEVELS)


def test_every_level_and_basemap_is_known_to_the_map() -> None:
    for lang in LANGS:
        names = [level_label(lv, lang) for lv in LEVELS]
        assert names != list(LEVELS) and len(set(names)) == len(LEVELS)
    for basemap in BASEMAPS:
        resolve_basemap(basemap, lang="zh")


def test_public_api_names_resolve() -> None:
    for name in lifecircle.__all__:
        assert getattr(lifecircle, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = lifecircle.nothing  # type: ignore[attr-defined]


def test_importing_the_package_does_not_load_the_geospatial_stack() -> None:
    code = "import sys, lifecircle, lifecircle.errors; print('geopandas' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "False"


def test_public_api_checks_a_project(demo_dir: Path) -> None:
    project = lifecircle.load_project(demo_dir / "project.toml")
    assert isinstance(project, lifecircle.Project)
    assert lifecircle.check_project(project) == []
    with pytest.raises(lifecircle.InputError, match="project file not found"):
        lifecircle.load_project(demo_dir / "missing.toml")
