"""Mutation check: apply one-line mutations to a scratch copy and see the tests kill each.

``python tools/mutate.py [--only ID ...] [--jobs N] [--timeout S] [--list]`` (``make mutate``)
reads the mutations of ``tools/mutations.toml``. Each one names a file (or a glob of files), the
exact original text, the mutated text, the pytest node ids that should fail under it, and a
one-line reason. For each mutation the script

1. copies the files git tracks, or would track (``git ls-files --cached --others
   --exclude-standard``, as they are in the working tree), to a scratch folder outside the
   working tree, which it never modifies;
2. replaces the original text by the mutated text, which must occur exactly once in the files
   named (else the mutation is reported ``not found`` or ``ambiguous``: the line moved or
   changed, and the list needs updating);
3. lays the package out as it installs (``[tool.setuptools.package-dir]``: ``geo/`` as
   ``lifecircle.geo`` …) in a flat ``site/lifecircle`` tree of that copy, puts it first on
   ``PYTHONPATH`` (ahead of the editable install of the real tree), checks in the test process
   itself that ``lifecircle`` and its subpackages are imported from the scratch copy, and runs
   the listed tests there.

Before any mutation the listed tests run once on an unmutated copy: they must pass, or the
results would mean nothing (exit 2). A mutation is ``killed`` when a listed test fails,
``SURVIVED`` when they all pass; the table says which. Exit status: 0 when every mutation was
killed, 1 when any survived, was not found or its tests could not run, 2 on a bad list or a
failing baseline. At most ``--jobs`` (default 2) mutations run at a time.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTATIONS = ROOT / "tools" / "mutations.toml"

#: Run in the child before pytest: the package must come from the scratch copy, not the venv's
#: editable install of the working tree. Exit status 99 says it did not.
_CHILD = """\
import importlib, sys
from pathlib import Path
site = Path(sys.argv[1]).resolve()
for name in ("lifecircle", "lifecircle.geo", "lifecircle.analysis", "lifecircle.maps",
             "lifecircle.run", "lifecircle.data"):
    where = Path(importlib.import_module(name).__file__).resolve()
    if site not in where.parents:
        print(f"mutate: {name} was imported from {where}, not from {site}", file=sys.stderr)
        sys.exit(99)
import pytest
sys.exit(pytest.main(sys.argv[2:]))
"""
_NOT_SCRATCH = 99


@dataclass(frozen=True)
class Mutation:
    """One entry of the mutation list."""

    id: str
    file: str  # a path relative to the repository root, or a glob of such paths
    original: str
    mutated: str
    tests: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Outcome:
    """What became of one mutation."""

    mutation: Mutation
    status: str  # killed, SURVIVED, not found, ambiguous, error
    where: str  # the file mutated, with the line number
    detail: str
    seconds: float


def load_mutations(path: Path) -> list[Mutation]:
    """Read ``[[mutation]]`` tables from ``path``; raise ValueError naming what is wrong."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    out: list[Mutation] = []
    seen: set[str] = set()
    keys = ("id", "file", "original", "mutated", "tests", "why")
    for k, entry in enumerate(data.get("mutation", []), start=1):
        missing = [key for key in keys if not entry.get(key)]
        if missing:
            raise ValueError(f"{path.name}: mutation {k} lacks {', '.join(missing)}")
        if entry["id"] in seen:
            raise ValueError(f"{path.name}: mutation id {entry['id']!r} appears twice")
        if entry["original"] == entry["mutated"]:
            raise ValueError(f"{path.name}: mutation {entry['id']!r} changes nothing")
        seen.add(entry["id"])
        out.append(
            Mutation(
                id=entry["id"],
                file=entry["file"],
                original=entry["original"],
                mutated=entry["mutated"],
                tests=tuple(entry["tests"]),
                why=entry["why"],
            )
        )
    if not out:
        raise ValueError(f"{path.name}: no [[mutation]] entries")
    return out


def tracked_files(root: Path) -> list[str]:
    """The files of the working tree git tracks or would track (not ignored), relative, posix.

    New files not yet added (a test just written) come along; ignored ones (``.venv``, build
    outputs) do not.
    """
    res = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
        text=False,
    )
    names = [n for n in res.stdout.decode("utf-8").split("\0") if n]
    return [n for n in names if (root / n).is_file()]


def package_dirs(root: Path) -> dict[str, str]:
    """``[tool.setuptools.package-dir]``: package name → source folder ("" for the root)."""
    with (root / "pyproject.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return dict(data["tool"]["setuptools"].get("package-dir", {"": "."}))


def installed_path(rel: str, mapping: dict[str, str]) -> str | None:
    """Where tracked file ``rel`` lands in the installed layout (``None``: not in the package).

    The longest source folder holding the file wins, as setuptools maps it.
    """
    best: tuple[int, str] | None = None
    for package, folder in mapping.items():
        prefix = folder.strip("/") + "/" if folder not in ("", ".") else ""
        if rel.startswith(prefix) and (best is None or len(prefix) > best[0]):
            target = package.replace(".", "/")
            best = (len(prefix), (target + "/" if target else "") + rel[len(prefix) :])
    if best is None:
        return None
    dest = best[1]
    return dest if dest.startswith("lifecircle/") else None


def copy_tree(root: Path, files: list[str], dest: Path) -> None:
    """Copy ``files`` (relative to ``root``) to ``dest``; lay the package out in ``dest/site``."""
    mapping = package_dirs(root)
    for rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / rel, target)
    for rel in files:
        inst = installed_path(rel, mapping)
        if inst is not None:
            target = dest / "site" / inst
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(dest / rel, target)


def find_target(m: Mutation, files: list[str], tree: Path) -> tuple[str | None, str]:
    """The one file of ``m.file`` holding ``m.original`` once; else ``None`` and why not."""
    named = [f for f in files if fnmatch.fnmatchcase(f, m.file)]
    if not named:
        return None, f"not found: no tracked file matches {m.file!r}"
    hits = [(f, (tree / f).read_text(encoding="utf-8").count(m.original)) for f in named]
    hits = [(f, c) for f, c in hits if c]
    if not hits:
        return None, f"not found: the original text is in none of {m.file!r} (moved or changed?)"
    if len(hits) > 1 or hits[0][1] > 1:
        where = ", ".join(f"{f} ×{c}" for f, c in hits)
        return None, f"ambiguous: the original text occurs more than once ({where})"
    return hits[0][0], ""


def run_tests(tree: Path, tests: tuple[str, ...], timeout_s: float) -> tuple[int | None, str]:
    """Run ``tests`` in ``tree`` with its ``site`` first on the path; (exit status, output tail)."""
    site = tree / "site"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [env.get("PYTHONPATH")])])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("LIFECIRCLE_DEBUG", None)
    cmd = [sys.executable, "-c", _CHILD, str(site), "-q", "-x", "-p", "no:cacheprovider"]
    cmd += ["-o", "addopts=", "--no-header", *tests]
    try:
        res = subprocess.run(
            cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=timeout_s
        )
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout_s:.0f} s"
    out = (res.stdout + res.stderr).strip().splitlines()
    return res.returncode, "\n".join(out[-15:])


def _last_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def check(m: Mutation, files: list[str], scratch: Path, timeout_s: float) -> Outcome:
    """Apply ``m`` to a fresh copy in ``scratch`` and run its tests."""
    t0 = time.perf_counter()
    tree = Path(tempfile.mkdtemp(prefix=f"{m.id}-", dir=scratch))
    copy_tree(ROOT, files, tree)
    target, why_not = find_target(m, files, tree)
    if target is None:
        status = why_not.split(":", 1)[0]
        return Outcome(m, status, m.file, why_not, time.perf_counter() - t0)
    text = (tree / target).read_text(encoding="utf-8")
    line = text[: text.index(m.original)].count("\n") + 1
    mutated = text.replace(m.original, m.mutated, 1)
    inst = installed_path(target, package_dirs(ROOT))
    for path in [tree / target] + ([tree / "site" / inst] if inst else []):
        path.write_text(mutated, encoding="utf-8")
    code, tail = run_tests(tree, m.tests, timeout_s)
    shutil.rmtree(tree, ignore_errors=True)
    where = f"{target}:{line}"
    elapsed = time.perf_counter() - t0
    if code is None:
        return Outcome(m, "killed", where, tail, elapsed)
    if code == _NOT_SCRATCH:
        return Outcome(m, "error", where, _last_line(tail), elapsed)
    if code == 0:
        return Outcome(m, "SURVIVED", where, "every listed test passed", elapsed)
    if code == 1:
        failed = [ln for ln in tail.splitlines() if ln.startswith("FAILED")]
        return Outcome(m, "killed", where, failed[0] if failed else _last_line(tail), elapsed)
    return Outcome(m, "error", where, f"pytest exit {code}: {_last_line(tail)}", elapsed)


def baseline(mutations: list[Mutation], files: list[str], scratch: Path, timeout_s: float) -> str:
    """Run every listed test on an unmutated copy; return '' when they pass, else the output."""
    tree = scratch / "baseline"
    copy_tree(ROOT, files, tree)
    tests = tuple(dict.fromkeys(t for m in mutations for t in m.tests))
    code, tail = run_tests(tree, tests, timeout_s * max(1, len(mutations) // 2))
    shutil.rmtree(tree, ignore_errors=True)
    return "" if code == 0 else f"exit {code}\n{tail}"


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the mutations, print the table; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], help="run this mutation id only")
    parser.add_argument("--jobs", type=int, default=2, help="mutations at a time (default 2)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per mutation")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run")
    args = parser.parse_args(argv)
    try:
        mutations = load_mutations(MUTATIONS)
    except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
        print(f"mutate: {exc}", file=sys.stderr)
        return 2
    if args.only:
        unknown = sorted(set(args.only) - {m.id for m in mutations})
        if unknown:
            print(f"mutate: unknown mutation ids: {', '.join(unknown)}", file=sys.stderr)
            return 2
        mutations = [m for m in mutations if m.id in args.only]
    if args.list:
        for m in mutations:
            print(f"{m.id}: {m.file}: {m.why}")
        return 0
    files = tracked_files(ROOT)
    scratch = Path(tempfile.mkdtemp(prefix="lifecircle-mutate-"))
    try:
        if not args.no_baseline:
            print(f"baseline: the listed tests on an unmutated copy ({scratch})", flush=True)
            failed = baseline(mutations, files, scratch, args.timeout)
            if failed:
                print(f"mutate: the listed tests fail without any mutation:\n{failed}")
                return 2
        outcomes: list[Outcome] = []
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(check, m, files, scratch, args.timeout) for m in mutations]
            for fut in futures:
                o = fut.result()
                outcomes.append(o)
                print(f"{o.status:9} {o.mutation.id} ({o.seconds:.0f} s)", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print()
    width = max(len(o.mutation.id) for o in outcomes)
    print(f"{'status':9}  {'mutation':{width}}  where / detail")
    for o in outcomes:
        print(f"{o.status:9}  {o.mutation.id:{width}}  {o.where}")
        print(f"{'':9}  {'':{width}}  {o.detail}")
    bad = [o for o in outcomes if o.status != "killed"]
    print(f"\n{len(outcomes) - len(bad)} of {len(outcomes)} mutations killed", end="")
    print("." if not bad else f"; not killed: {', '.join(o.mutation.id for o in bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
