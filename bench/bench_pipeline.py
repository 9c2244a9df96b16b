"""Whole demo run, every output, timed per step (target: ≤ 15 s on 2 cores).

Usage: ``python bench/bench_pipeline.py [--quick]``. Runs ``lifecircle demo`` twice — once
without the network cache (cold: the OSM XML is parsed) and once with a warm cache — and writes
the per-step timings from ``summary.json`` to ``bench/results/pipeline.md``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from lifecircle.cli import main as cli_main

HERE = Path(__file__).resolve().parent


def _run(out: Path, *, cache: bool) -> tuple[float, dict[str, float]]:
    args = ["-q", "demo", "--out", str(out)] + ([] if cache else ["--no-cache"])
    t0 = time.perf_counter()
    rc = cli_main(args)
    wall = time.perf_counter() - t0
    if rc != 0:
        raise SystemExit(f"lifecircle demo failed with exit status {rc}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return wall, summary["timings_s"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="accepted for symmetry; same run")
    parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cold_wall, cold = _run(Path(tmp) / "cold", cache=False)
        _run(Path(tmp) / "prime", cache=True)
        warm_wall, warm = _run(Path(tmp) / "warm", cache=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    steps = [k for k in cold if k != "total"]
    lines = [
        "## Whole demo run (`lifecircle demo`, every output)",
        "",
        "Target (DESIGN.md): ≤ 15 s on 2 cores. No peer tool does the whole job; the steps show",
        "where the time goes. Cold = network parsed from OSM XML; warm = network from the cache.",
        "",
        "| step | cold run (s) | warm cache (s) |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {s} | {cold[s]:.2f} | {warm.get(s, float('nan')):.2f} |" for s in steps]
    lines += [
        f"| **total (summary.json)** | **{cold['total']:.2f}** | **{warm['total']:.2f}** |",
        f"| wall clock incl. imports of the CLI call | {cold_wall:.2f} | {warm_wall:.2f} |",
        "",
        f"Peak resident memory of the benchmark process: {peak_mb:.0f} MB.",
        "",
    ]
    text = "\n".join(lines)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "pipeline.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
