"""Run every side-by-side benchmark and rewrite BENCHMARKS.md from their results.

Usage: ``python bench/run_all.py [--quick] [--only NAME ...]``; ``make bench`` runs them all.
Each ``bench/bench_*.py`` writes a markdown section to ``bench/results/<name>.md``; this script
runs them one after another (never in parallel, so they do not disturb each other's timings) and
joins the sections, with the machine and the command, into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ORDER = ["parse", "engine", "2sfca", "siting", "pipeline", "county", "scenarios"]


def speed_check() -> str:
    """Two fixed workloads (best of 5), to compare the machine's speed between runs."""
    import numpy as np
    import shapely

    rng = np.random.default_rng(0)
    values = rng.random(2_000_000)
    lines = shapely.multilinestrings(shapely.linestrings(rng.uniform(0, 3000, (150, 2, 2))))
    t_sort, t_buf = np.inf, np.inf
    for _ in range(5):
        t0 = time.perf_counter()
        np.sort(values)
        t_sort = min(t_sort, time.perf_counter() - t0)
        t0 = time.perf_counter()
        shapely.buffer(lines, 12.5, quad_segs=3)
        t_buf = min(t_buf, time.perf_counter() - t0)
    return (
        f"numpy sort of 2 M floats {t_sort * 1e3:.1f} ms, "
        f"GEOS buffer of 150 segments {t_buf * 1e3:.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument(
        "--only", nargs="*", metavar="NAME", help="run only these (e.g. siting), keep the others"
    )
    args = parser.parse_args()
    (HERE / "results").mkdir(exist_ok=True)
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only is not None:
        scripts = [p for p in scripts if p.stem.removeprefix("bench_") in args.only]
    failed = []
    checks = [f"before the run: {speed_check()}"]
    for script in scripts:
        cmd = [sys.executable, str(script)] + (["--quick"] if args.quick else [])
        print(f"== {script.name}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call(cmd, cwd=ROOT)
        print(f"   {script.name}: exit {rc} in {time.perf_counter() - t0:.0f} s", flush=True)
        if rc != 0:
            failed.append(script.name)
        checks.append(f"after {script.stem.removeprefix('bench_')}: {speed_check()}")
    sections = []
    names = sorted(
        (p for p in (HERE / "results").glob("*.md")),
        key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else len(ORDER), p.stem),
    )
    for path in names:
        text = path.read_text(encoding="utf-8").strip()
        if text.startswith("# "):  # every section sits under the page title
            text = "#" + text
        sections.append(text)
    cpu = platform.processor() or platform.machine()
    header = [
        "# Benchmarks",
        "",
        "Measured side by side with the peer tools in one run, on one machine; figures are",
        "ratios of wall-clock times on the same inputs (higher = lifecircle faster).",
        "",
        f"- command: `make bench` (`python bench/run_all.py{' --quick' if args.quick else ''}`)"
        + (f"; sections {', '.join(args.only)} re-run since with `--only`" if args.only else ""),
        f"- date: {datetime.now(tz=UTC).date().isoformat()}",
        f"- machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}",
        "- speed check (two fixed workloads, best of 5 each; on a shared virtual machine they "
        "vary within and between runs, so compare ratios within a section):",
        *(f"  - {c}" for c in checks),
        "",
    ]
    if failed:
        header += [f"- scripts that failed in this run: {', '.join(failed)}", ""]
    body = "\n".join(header) + "\n" + "\n\n".join(sections) + "\n"
    (ROOT / "BENCHMARKS.md").write_text(body, encoding="utf-8")
    print("wrote BENCHMARKS.md")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
