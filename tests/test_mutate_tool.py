"""tools/mutate.py: where a tracked file lands in the installed layout, how a mutation's line is
found (once, or a clear 'not found' / 'ambiguous'), and that the test process refuses to run on
any package but the scratch copy's."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mutate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutate_tool", ROOT / "tools" / "mutate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutate_tool"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_files_land_where_setuptools_installs_them(mutate: ModuleType) -> None:
    mapping = mutate.package_dirs(ROOT)
    assert mutate.installed_path("geo/snap.py", mapping) == "lifecircle/geo/snap.py"
    assert mutate.installed_path("src/lifecircle/cli.py", mapping) == "lifecircle/cli.py"
    assert (
        mutate.installed_path("analysis/siting/median.py", mapping)
        == "lifecircle/analysis/siting/median.py"
    )
    assert (
        mutate.installed_path("data/demo/project.toml", mapping)
        == "lifecircle/data/demo/project.toml"
    )
    assert mutate.installed_path("tests/test_cli.py", mapping) is None
    assert mutate.installed_path("tools/mutate.py", mapping) is None


def _mutation(mutate: ModuleType, file: str, original: str) -> object:
    return mutate.Mutation(id="m", file=file, original=original, mutated="x", tests=("t",), why="w")


def test_a_mutation_must_match_exactly_once(mutate: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\ny = x <= 2\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("y = x <= 2\ny = x <= 2\n", encoding="utf-8")
    files = ["a.py", "b.py"]
    assert mutate.find_target(_mutation(mutate, "a.py", "x <= 2"), files, tmp_path) == (
        "a.py",
        "",
    )
    target, why = mutate.find_target(_mutation(mutate, "a.py", "x < 2"), files, tmp_path)
    assert target is None and why.startswith("not found")
    target, why = mutate.find_target(_mutation(mutate, "*.py", "x <= 2"), files, tmp_path)
    assert target is None and why.startswith("ambiguous") and "b.py ×2" in why
    target, why = mutate.find_target(_mutation(mutate, "c.py", "x"), files, tmp_path)
    assert target is None and "no tracked file" in why


def test_the_list_in_the_repository_is_well_formed(mutate: ModuleType) -> None:
    mutations = mutate.load_mutations(ROOT / "tools" / "mutations.toml")
    assert len({m.id for m in mutations}) == len(mutations) >= 10
    for m in mutations:
        for node in m.tests:
            file, _, name = node.partition("::")
            assert (ROOT / file).is_file(), (m.id, node)
            text = (ROOT / file).read_text(encoding="utf-8")
            assert not name or f"def {name.split('[')[0]}(" in text, (m.id, node)


def test_the_tests_refuse_a_package_from_outside_the_scratch_copy(
    mutate: ModuleType, tmp_path: Path
) -> None:
    # an empty "site": lifecircle then comes from the installed package, which must be refused
    site = tmp_path / "site"
    site.mkdir()
    res = subprocess.run(
        [sys.executable, "-c", mutate._CHILD, str(site), "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == mutate._NOT_SCRATCH
    assert "was imported from" in res.stderr and str(site) in res.stderr
