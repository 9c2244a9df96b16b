"""Type-check the package as it installs: ``python tools/typecheck.py [mypy options]``.

The package's folders install beneath ``lifecircle`` through ``[tool.setuptools.package-dir]``
(``geo/`` as ``lifecircle.geo`` …), and mypy cannot follow the editable install's import hook. So
this script mirrors the installed layout under ``build/typecheck/`` by copying every package's
``.py``/``.pyi`` files and ``py.typed`` (copies, not links: it works on Windows), removes what
earlier runs left there, runs mypy with ``pyproject.toml``'s ``[tool.mypy]`` options on the
mirror, and prints mypy's messages with the source paths (``geo/x.py:12``). It exits with mypy's
status, or 1 when a folder with modules is missing from ``[tool.setuptools] packages``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIRROR = Path("build") / "typecheck"  # relative to ROOT, as mypy prints it
CACHE = Path("build") / "mypy-cache"
SUFFIXES = {".py", ".pyi"}
MARKER = "py.typed"


def _source_dir(package: str, package_dir: dict[str, str]) -> Path:
    """The folder of ``package`` by setuptools' rule: the longest mapped prefix wins."""
    parts = package.split(".")
    for n in range(len(parts), -1, -1):
        prefix = ".".join(parts[:n])
        if prefix in package_dir:
            return Path(package_dir[prefix], *parts[n:])
    return Path(*parts)


def _wanted_files(folder: Path) -> list[Path]:
    if not (ROOT / folder).is_dir():
        return []
    return sorted(
        p.relative_to(ROOT)
        for p in (ROOT / folder).iterdir()
        if p.is_file() and (p.suffix in SUFFIXES or p.name == MARKER)
    )


def _unlisted(folder: Path, package: str, packages: set[str]) -> list[tuple[str, Path]]:
    """Sub-folders of ``folder`` holding modules whose package is not in ``packages``."""
    found = []
    for sub in sorted(p for p in (ROOT / folder).iterdir() if p.is_dir()):
        if sub.name == "__pycache__" or sub.name.startswith("."):
            continue
        name = f"{package}.{sub.name}"
        if name not in packages and any(p.suffix in SUFFIXES for p in sub.rglob("*")):
            found.append((name, sub.relative_to(ROOT)))
    return found


def mirror() -> tuple[dict[Path, Path], list[tuple[str, Path]]]:
    """Sync the mirror tree; return (mirror file → source file, unlisted packages)."""
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    packages: list[str] = setup["packages"]
    package_dir: dict[str, str] = setup.get("package-dir", {})

    files: dict[Path, Path] = {}
    unlisted: list[tuple[str, Path]] = []
    for package in packages:
        source = _source_dir(package, package_dir)
        target = MIRROR.joinpath(*package.split("."))
        for path in _wanted_files(source):
            files[target / path.name] = path
        if (ROOT / source).is_dir():
            unlisted += _unlisted(source, package, set(packages))
    for package, source in unlisted:  # checked all the same, so their errors show too
        target = MIRROR.joinpath(*package.split("."))
        for path in (ROOT / source).rglob("*"):
            wanted = path.suffix in SUFFIXES or path.name == MARKER
            if wanted and path.is_file() and "__pycache__" not in path.parts:
                files[target / path.relative_to(ROOT / source)] = path.relative_to(ROOT)

    # Remove what is no longer wanted (files and then empty folders), copy what changed.
    root = ROOT / MIRROR
    if root.exists():
        for path in sorted(root.rglob("*"), reverse=True):
            rel = path.relative_to(ROOT)
            if path.is_file() and rel not in files:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    for dest, source in files.items():
        src, dst = ROOT / source, ROOT / dest
        s = src.stat()
        if dst.exists():
            d = dst.stat()
            if d.st_size == s.st_size and d.st_mtime_ns == s.st_mtime_ns:
                continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
    return files, unlisted


def main(argv: list[str]) -> int:
    files, unlisted = mirror()
    for package, source in unlisted:
        print(
            f"{source.as_posix()}: error: has modules, but {package!r} is not in "
            "[tool.setuptools] packages of pyproject.toml: it would not be installed",
            file=sys.stderr,
        )
    tops = sorted({dest.parts[len(MIRROR.parts)] for dest in files})
    cmd = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        "pyproject.toml",
        "--cache-dir",
        str(CACHE),
        *argv,
        *(str(MIRROR / top) for top in tops),
    ]
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, encoding="utf-8", errors="replace"
    )

    # build/typecheck/lifecircle/geo/x.py (or with backslashes) → geo/x.py
    sources = {dest.as_posix(): source.as_posix() for dest, source in files.items()}
    pattern = re.compile(re.escape(MIRROR.as_posix()).replace("/", r"[\\/]") + r"[\\/][^\s:\"']+")

    def back(match: re.Match[str]) -> str:
        found = sources.get(match.group(0).replace("\\", "/"))
        if found is None:
            return match.group(0)
        return found.replace("/", os.sep) if os.sep != "/" else found

    sys.stdout.write(pattern.sub(back, proc.stdout))
    sys.stderr.write(pattern.sub(back, proc.stderr))
    if proc.returncode == 0 and unlisted:
        return 1
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
