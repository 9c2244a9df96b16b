"""Ten scenarios in one run against ten separate runs, on the generated county.

Usage: ``python bench/bench_scenarios.py [--nodes N] [--quick]`` (default: the county seat's
size, about 100 k street nodes, ``bench/county.py``; ``--quick``: 20 k nodes).

Each scenario closes three facilities of one of the county's eight categories and enlarges one
community service station (scenario k: category k mod 8), as a bureau compares options. Measured,
each in a fresh process with the network cache off:

- the baseline run alone (``lifecircle run``, every output);
- the same run with the ten ``[[scenarios]]`` (every output, ten scenario folders and the
  comparison);
- ten separate runs, each on input files edited by hand to one scenario's change.

The figure that matters: what the ten scenarios add to one run, against the ten separate runs.
Writes ``bench/results/scenarios.md`` and prints it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_county import _lifecircle  # noqa: E402
from county import CATEGORIES, make_county  # noqa: E402

RESULTS = HERE / "results" / "scenarios.md"
N_SCENARIOS = 10


def _changes(facilities: pd.DataFrame) -> list[tuple[str, list[str], str, float]]:
    """Per scenario: its name, the ids it closes, the station it resizes and the new area."""
    stations = facilities.loc[facilities["category"] == "community_service_station", "id"]
    out = []
    for k in range(N_SCENARIOS):
        cat = list(CATEGORIES)[k % len(CATEGORIES)]
        ids = facilities.loc[facilities["category"] == cat, "id"].tolist()
        closed = ids[3 * (k // len(CATEGORIES)) : 3 * (k // len(CATEGORIES)) + 3]
        resized = str(stations.iloc[-(k + 1)])
        out.append((f"方案{k + 1:02d}", closed, resized, 1200.0))
    return out


def _scenario_tables(changes: list[tuple[str, list[str], str, float]]) -> str:
    return "".join(
        f'\n[[scenarios]]\nname = "{name}"\nclose = {closed!r}\nfloor_area = {{ {fid} = {area} }}\n'
        for name, closed, fid, area in changes
    ).replace("'", '"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="a 20 k-node county")
    args = parser.parse_args()
    if args.quick:
        args.nodes = 20_000
    with tempfile.TemporaryDirectory() as tmp:
        base = make_county(Path(tmp) / "county", nodes=args.nodes)
        folder = base.parent
        facilities = pd.read_csv(folder / "facilities.csv", dtype={"id": str})
        changes = _changes(facilities)
        alone, _ = _lifecircle(["run", str(base), "--out", f"{tmp}/alone", "--no-cache"])
        with_scen = folder / "with_scenarios.toml"
        with_scen.write_text(
            base.read_text(encoding="utf-8") + _scenario_tables(changes), encoding="utf-8"
        )
        together, peak = _lifecircle(
            ["run", str(with_scen), "--out", f"{tmp}/together", "--no-cache"]
        )
        separate = []
        for name, closed, fid, area in changes:
            edited = Path(tmp) / name
            shutil.copytree(folder, edited)
            frame = facilities[~facilities["id"].isin(closed)].copy()
            frame.loc[frame["id"] == fid, "floor_area_m2"] = area
            frame.to_csv(edited / "facilities.csv", index=False)
            wall, _ = _lifecircle(
                ["run", str(edited / "project.toml"), "--out", f"{edited}/out", "--no-cache"]
            )
            separate.append(wall)
    added = together - alone
    lines = [
        f"## Scenarios: {N_SCENARIOS} in one run against {N_SCENARIOS} separate runs",
        "",
        f"`python bench/bench_scenarios.py{' --quick' if args.quick else ''}`. Generated county, "
        f"{args.nodes:,} nodes: {N_SCENARIOS} scenarios "
        "(three facilities closed, one station resized each); every run writes every output, "
        "in a fresh process with the network cache off.",
        "",
        "| | seconds |",
        "| --- | ---: |",
        f"| one run, no scenarios | {alone:.1f} |",
        f"| one run with {N_SCENARIOS} scenarios (peak {peak:,.0f} MB) | {together:.1f} |",
        f"| what the {N_SCENARIOS} scenarios add | {added:.1f} |",
        f"| {N_SCENARIOS} separate runs on edited files | {sum(separate):.1f} |",
        f"| **separate runs ÷ what scenarios add** | **{sum(separate) / max(added, 1e-9):.1f}×** |",
    ]
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
