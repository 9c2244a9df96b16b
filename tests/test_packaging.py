"""The package as a user gets it: what the wheel and the sdist carry, a plain install from a
checkout without symlinks (as on Windows), and a run on paths with Chinese characters and spaces.

The wheel and the sdist are built from a clone of the repository's committed state, so what they
are checked against is ``git ls-files``, never a hand-typed list: a module in a folder that
``[tool.setuptools] packages`` forgets fails here.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from importlib import resources
from pathlib import Path, PurePosixPath

import pytest

REPO = Path(__file__).resolve().parents[1]
OUTPUTS = ("map.html", "report.html", "report.xlsx", "results.gpkg", "summary.json", "issues.csv")


def _run(cmd: list[str], *, cwd: Path | None = None, timeout: float = 300) -> str:
    """Run ``cmd``; fail the test with its output if it fails."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
    )
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    )
    return proc.stdout


def _assert_outputs(out: Path) -> None:
    for name in OUTPUTS:
        path = out / name
        assert path.is_file(), f"{name} missing in {out}"
        assert path.stat().st_size > 0, f"{name} is empty"


# --- the committed tree, its wheel and its sdist --------------------------------------------


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of the committed state without symlinks, as a Windows user's checkout."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        reason = "needs git and a git checkout of the repository"
        if os.environ.get("CI"):  # CI runs on a clone: a missing git is a broken set-up there
            pytest.fail(reason)
        pytest.skip(reason)
    dest = tmp_path_factory.mktemp("clone") / "lifecircle"
    _run(
        [
            "git",
            "-c",
            f"safe.directory={REPO.as_posix()}",
            "clone",
            "-q",
            "-c",
            "core.symlinks=false",
            "--no-hardlinks",
            str(REPO),
            str(dest),
        ]
    )
    return dest


@pytest.fixture(scope="module")
def tracked(clone: Path) -> list[str]:
    """The clone's committed files, as POSIX paths relative to its root."""
    return _run(["git", "ls-files"], cwd=clone).splitlines()


@pytest.fixture(scope="module")
def expected(clone: Path, tracked: list[str]) -> dict[str, str]:
    """Install path in the wheel → source path, for every committed file the package ships.

    The folders come from ``[tool.setuptools.package-dir]``; every committed file under them
    ships (modules, norms, the demo county, Leaflet, py.typed).
    """
    setup = tomllib.loads((clone / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    folders: dict[str, str] = {}  # source folder → install folder
    for package, folder in setup["package-dir"].items():
        if package:
            folders[folder] = package.replace(".", "/")
        else:  # the root folder: the top-level packages live beneath it
            for top in (p for p in setup["packages"] if "." not in p):
                folders[f"{folder}/{top}" if folder else top] = top
    shipped: dict[str, str] = {}
    for path in tracked:
        parts = PurePosixPath(path).parts
        if "__pycache__" in parts or path.endswith(".pyc"):
            continue
        homes = [f for f in folders if path.startswith(f + "/")]
        if homes:
            home = max(homes, key=len)
            shipped[folders[home] + path[len(home) :]] = path
    assert "lifecircle/cli.py" in shipped and "lifecircle/geo/__init__.py" in shipped
    return shipped


def _build_wheel(source: Path, out: Path) -> None:
    """``pip wheel`` of a source tree into ``out``, offline, with the test venv's setuptools."""
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(out),
            str(source),
        ]
    )


@pytest.fixture(scope="module")
def wheel(clone: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _build_wheel(clone, out)
    (whl,) = out.glob("lifecircle-*.whl")
    return whl


@pytest.fixture(scope="module")
def sdist(clone: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdist")
    build = "import sys; from setuptools import build_meta; build_meta.build_sdist(sys.argv[1])"
    _run([sys.executable, "-c", build, str(out)], cwd=clone)
    (tgz,) = out.glob("lifecircle-*.tar.gz")
    return tgz


def _wheel_files(whl: Path) -> tuple[set[str], set[str]]:
    """(package files, dist-info files) of a wheel."""
    with zipfile.ZipFile(whl) as zf:
        names = {n for n in zf.namelist() if not n.endswith("/")}
    meta = {n for n in names if n.split("/", 1)[0].endswith(".dist-info")}
    return names - meta, meta


def test_wheel_carries_exactly_the_package(
    wheel: Path, expected: dict[str, str], tracked: list[str]
) -> None:
    files, meta = _wheel_files(wheel)
    missing = sorted(f"{expected[p]} (as {p})" for p in expected.keys() - files)
    extra = sorted(files - expected.keys())
    assert not missing, (
        "not in the wheel (a package missing from [tool.setuptools] packages?):\n"
        + ("\n".join(missing))
    )
    assert not extra, "in the wheel but not committed under a package folder:\n" + "\n".join(extra)

    dist_info = {n.split("/", 1)[1] for n in meta}
    assert {"METADATA", "WHEEL", "RECORD", "entry_points.txt"} <= dist_info
    with zipfile.ZipFile(wheel) as zf:
        (entry_points,) = (n for n in meta if n.endswith("/entry_points.txt"))
        assert "lifecircle = lifecircle.cli:main" in zf.read(entry_points).decode("utf-8")
    if "LICENSE" in tracked:
        assert "licenses/LICENSE" in dist_info


def test_sdist_carries_the_sources_and_builds_the_same_wheel(
    sdist: Path,
    wheel: Path,
    expected: dict[str, str],
    tracked: list[str],
    tmp_path: Path,
) -> None:
    with tarfile.open(sdist) as tf:
        names = {m.name.split("/", 1)[1] for m in tf.getmembers() if m.isfile() and "/" in m.name}
        if hasattr(tarfile, "data_filter"):
            tf.extractall(tmp_path, filter="data")
        else:  # Python 3.11 before 3.11.4
            tf.extractall(tmp_path)
    needed = set(expected.values()) | {"pyproject.toml", "README.md"}
    needed |= {"LICENSE"} & set(tracked)
    missing = sorted(needed - names)
    assert not missing, "not in the sdist:\n" + "\n".join(missing)

    (unpacked,) = (p for p in tmp_path.iterdir() if p.is_dir())
    out = tmp_path / "wheel"
    _build_wheel(unpacked, out)
    (from_sdist,) = out.glob("lifecircle-*.whl")
    assert _wheel_files(from_sdist)[0] == _wheel_files(wheel)[0]


def _script(venv: Path, name: str) -> Path:
    if os.name == "nt":
        return venv / "Scripts" / f"{name}.exe"
    return venv / "bin" / name


@pytest.mark.slow
def test_wheel_installs_and_runs_the_demo(wheel: Path, tmp_path: Path) -> None:
    """``pip install`` the wheel into a fresh venv, then ``lifecircle demo`` from elsewhere.

    The fresh venv has only the wheel's lifecircle; its dependencies come from the test
    environment through a ``.pth`` line, whose own ``.pth`` hooks (the editable install's
    finder) are not run for such a path.
    """
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = _script(venv, "python")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ]
    )
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    deps = dict.fromkeys(
        [
            *site.getsitepackages(),
            sysconfig.get_path("purelib"),
            sysconfig.get_path("platlib"),
            *(p for p in sys.path if Path(p).name in {"site-packages", "dist-packages"}),
        ]
    )
    (Path(purelib.strip()) / "lifecircle_test_deps.pth").write_text(
        "".join(f"{p}\n" for p in deps), encoding="utf-8"
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert not elsewhere.is_relative_to(REPO)
    where = _run(
        [
            str(python),
            "-c",
            "import lifecircle, lifecircle.geo, lifecircle.analysis, lifecircle.maps, "
            "lifecircle.data.demo as d; "
            "print(lifecircle.__file__); print(lifecircle.geo.__file__); print(d.__file__)",
        ],
        cwd=elsewhere,
    )
    for line in where.splitlines():
        assert Path(line).resolve().is_relative_to(venv.resolve()), where

    out = tmp_path / "out"
    _run([str(_script(venv, "lifecircle")), "demo", "--out", str(out), "--no-cache"], cwd=elsewhere)
    _assert_outputs(out)


# --- paths a Chinese Windows user has -----------------------------------------------------------


@pytest.mark.slow
def test_run_on_paths_with_chinese_characters_and_spaces(tmp_path: Path) -> None:
    from lifecircle.cli import main

    demo = Path(str(resources.files("lifecircle.data.demo")))
    project_dir = tmp_path / "数据 目录"
    shutil.copytree(demo, project_dir, ignore=shutil.ignore_patterns("__pycache__", "out"))
    out = tmp_path / "输出 结果"
    assert (
        main(["-q", "run", str(project_dir / "project.toml"), "--out", str(out), "--no-cache"]) == 0
    )
    _assert_outputs(out)
