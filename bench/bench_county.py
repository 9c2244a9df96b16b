"""Whole runs at county scale: `lifecircle run` on generated counties, next to the demo.

Usage: ``python bench/bench_county.py [--quick]`` (``--quick`` skips the 1 M-node county).

For the demo county (``lifecircle demo``), the generated county of a county seat's size
(``bench/county.py``: about 100 k street nodes, 50 k populated 100 m cells, 100 communities,
8 categories × 150 facilities) and, without ``--quick``, a generated county of about 1 M nodes,
each run once in a fresh process with the network cache off: the seconds of every step (from
``summary.json``), the wall clock of the command, its peak resident memory (the child process's
``ru_maxrss``), the size of ``map.html``, and the time headless Chromium needs to open the map:
from navigation to the moment every layer shown at opening is drawn (the page sets
``window.lcReady`` two animation frames after adding them and records ``performance.now()``
in ``window.lcReadyMs``). Writes ``bench/results/county.md`` and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from county import make_county  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@dataclass
class Run:
    """The figures of one whole run."""

    name: str
    wall_s: float = 0.0
    peak_mb: float = 0.0
    map_mb: float = 0.0
    open_s: float | None = None
    steps: dict[str, float] = field(default_factory=dict)
    size: str = ""
    load: float = 0.0  # the machine's 1-minute load average when the run started


def _lifecircle(args: list[str]) -> tuple[float, float]:
    """Run ``lifecircle ARGS`` in a child process; return its wall clock (s) and peak RSS (MB)."""
    cmd = [sys.executable, "-m", "lifecircle", "-q", *args]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with status {status}")
    return wall, usage.ru_maxrss / 1024.0


def open_time_s(page: Path) -> float | None:
    """Seconds from navigation until the map's opening layers are drawn (None: no Chromium)."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    with tempfile.TemporaryDirectory() as profile:
        for flag in (
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1280,860",
            f"--user-data-dir={profile}",
        ):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        try:
            driver.set_page_load_timeout(300)
            driver.get(page.resolve().as_uri())
            deadline = time.perf_counter() + 300
            while not driver.execute_script("return window.lcReady === true"):
                if time.perf_counter() > deadline:
                    return None
                time.sleep(0.05)
            return float(driver.execute_script("return window.lcReadyMs")) / 1000.0
        finally:
            driver.quit()


def measure(name: str, args: list[str], out: Path, size: str) -> Run:
    """One run of ``lifecircle ARGS`` writing to ``out``, and its map opened in Chromium."""
    load = os.getloadavg()[0]
    wall, peak = _lifecircle(args)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    page = out / "map.html"
    return Run(
        name=name,
        wall_s=wall,
        peak_mb=peak,
        map_mb=page.stat().st_size / 1e6,
        open_s=open_time_s(page),
        steps=dict(summary["timings_s"]),
        size=size,
        load=load,
    )


def _fmt(value: float | None, fmt: str = ".2f") -> str:
    return "—" if value is None else format(value, fmt)


def table(runs: list[Run]) -> list[str]:
    """The markdown table: steps, then the whole run's figures, one column per run."""
    steps = [s for s in runs[0].steps if s != "total"]
    for run in runs[1:]:
        steps += [s for s in run.steps if s != "total" and s not in steps]
    lines = [
        "| | " + " | ".join(r.name for r in runs) + " |",
        "| --- |" + " ---: |" * len(runs),
        "| size | " + " | ".join(r.size for r in runs) + " |",
    ]
    lines += [
        f"| {s} (s) | " + " | ".join(_fmt(r.steps.get(s)) for r in runs) + " |" for s in steps
    ]
    rows = [
        ("**total, summary.json (s)**", [f"**{_fmt(r.steps.get('total'))}**" for r in runs]),
        ("wall clock of the command (s)", [_fmt(r.wall_s) for r in runs]),
        ("peak memory of the run (MB)", [_fmt(r.peak_mb, ",.0f") for r in runs]),
        ("`map.html` (MB)", [_fmt(r.map_mb) for r in runs]),
        ("headless Chromium: open, opening layers drawn (s)", [_fmt(r.open_s) for r in runs]),
        ("load average of the machine at the start", [_fmt(r.load) for r in runs]),
    ]
    lines += [f"| {k} | " + " | ".join(v) + " |" for k, v in rows]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the 1 M-node county")
    args = parser.parse_args()
    runs = []
    gen_s = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        demo_out = root / "demo-out"
        runs.append(
            measure("demo county", ["demo", "--out", str(demo_out), "--no-cache"], demo_out, "demo")
        )
        sizes = [("county", 100_000)] + ([] if args.quick else [("county-1m", 1_000_000)])
        for name, nodes in sizes:
            folder = root / name
            t0 = time.perf_counter()
            project = make_county(folder, nodes=nodes)
            gen_s[name] = time.perf_counter() - t0
            out = folder / "out"
            label = "generated county" if nodes == 100_000 else "generated county, 1 M nodes"
            size = f"{round(nodes**0.5) ** 2:,} nodes"
            runs.append(measure(label, ["run", str(project), "--no-cache"], out, size))
    runs[0].size = "demo (示例县)"
    demo, county = runs[0], runs[1]
    lines = [
        "## Whole runs at county scale (`lifecircle run`, every output)",
        "",
        "Each run once, in a fresh process, network cache off (the OSM XML is parsed). The "
        "generated counties come from `bench/county.py` (seeded; about 100 k street nodes, "
        "50 k populated 100 m cells, 100 communities, 8 categories × 150 facilities, siting "
        "5 elderly day-care centres; the 1 M-node one ten times that) and are not committed: "
        f"making them took {', '.join(f'{v:.1f} s' for v in gen_s.values())}. "
        "Open time = navigation to the page flagging its opening layers drawn "
        "(`window.lcReadyMs`), headless Chromium, 1280 × 860.",
        "",
        *table(runs),
        "",
        "Targets (DESIGN.md): demo ≤ 5 s; generated county ≤ 30 s, `map.html` ≤ 15 MB, "
        "≤ 2 GB peak, opens in ≤ 5 s. "
        f"Measured: demo {_fmt(demo.steps.get('total'))} s; county "
        f"{_fmt(county.steps.get('total'))} s, {_fmt(county.map_mb)} MB, "
        f"{_fmt(county.peak_mb, ',.0f')} MB peak, opens in {_fmt(county.open_s)} s.",
        "",
    ]
    text = "\n".join(lines)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "county.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
