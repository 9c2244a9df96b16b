"""Parse time: lifecircle's OSM XML walk-network loader against osmnx.graph_from_xml.

Files: (a) the demo county's ``data/demo/streets.osm`` when present, (b) a synthetic ~15 MB OSM
XML town (a jittered street grid with curved streets, footways, private compound roads, buildings
and shop nodes, with the attributes a real OSM export carries), written to a temporary folder.

Run ``python bench/bench_parse.py [--quick]``; ``--quick`` uses a ~3 MB synthetic town. The table
is printed and written to ``bench/results/parse.md``. Timings are the best of ``--repeat`` runs
(cache off); osmnx runs with its defaults (``simplify=True``, ``retain_all=False``).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lifecircle.geo.netload import load_network  # noqa: E402

HIGHWAYS = [
    "residential",
    "residential",
    "service",
    "tertiary",
    "secondary",
    "primary",
    "unclassified",
]
NAMES = ["人民路", "解放路", "建设路", "中山路", "新华街", "文化路", "滨江路", "光明巷"]


def synth_osm(path: Path, *, n: int, seed: int = 0) -> None:
    """Write an ``n`` × ``n`` block town near 107.9°E 31.1°N as OSM XML (seeded)."""
    rng = np.random.default_rng(seed)
    lon0, lat0 = 107.9, 31.1
    dlat = 100.0 / 111_320.0
    dlon = dlat / math.cos(math.radians(lat0))
    next_id = [1]
    node_lines: list[str] = []
    way_lines: list[str] = []

    def node(lon: float, lat: float, tags: dict[str, str] | None = None) -> int:
        nid = next_id[0]
        next_id[0] += 1
        head = (
            f'  <node id="{nid}" visible="true" version="{rng.integers(1, 9)}" '
            f'changeset="{rng.integers(10**7, 9 * 10**7)}" timestamp="2024-0{rng.integers(1, 9)}-1'
            f'{rng.integers(0, 9)}T08:00:00Z" user="mapper{rng.integers(1, 500)}" '
            f'uid="{rng.integers(1, 10**6)}" lat="{lat:.7f}" lon="{lon:.7f}"'
        )
        if tags:
            node_lines.append(head + ">")
            node_lines.extend(f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items())
            node_lines.append("  </node>")
        else:
            node_lines.append(head + "/>")
        return nid

    def way(refs: list[int], tags: dict[str, str]) -> None:
        wid = next_id[0]
        next_id[0] += 1
        way_lines.append(
            f'  <way id="{wid}" visible="true" version="{rng.integers(1, 9)}" '
            f'changeset="{rng.integers(10**7, 9 * 10**7)}" timestamp="2024-03-01T08:00:00Z" '
            f'user="mapper{rng.integers(1, 500)}" uid="{rng.integers(1, 10**6)}">'
        )
        way_lines.extend(f'    <nd ref="{r}"/>' for r in refs)
        way_lines.extend(f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items())
        way_lines.append("  </way>")

    jitter = rng.normal(0, 0.08, size=(n + 1, n + 1, 2))
    grid = np.empty((n + 1, n + 1), dtype=np.int64)
    for i in range(n + 1):
        for j in range(n + 1):
            grid[i, j] = node(
                lon0 + (j + jitter[i, j, 0]) * dlon, lat0 + (i + jitter[i, j, 1]) * dlat
            )
    coords = {
        int(grid[i, j]): (lon0 + (j + jitter[i, j, 0]) * dlon, lat0 + (i + jitter[i, j, 1]) * dlat)
        for i in range(n + 1)
        for j in range(n + 1)
    }

    def street(a: int, b: int) -> list[int]:
        (x0, y0), (x1, y1) = coords[a], coords[b]
        bend = rng.normal(0, 0.05)
        mids = []
        for t in (0.2, 0.4, 0.6, 0.8):
            mids.append(
                node(x0 + t * (x1 - x0) - bend * (y1 - y0), y0 + t * (y1 - y0) + bend * (x1 - x0))
            )
        return [a, *mids]

    for i in range(n + 1):  # east-west streets, one way per row
        refs: list[int] = []
        for j in range(n):
            refs += street(int(grid[i, j]), int(grid[i, j + 1]))
        refs.append(int(grid[i, n]))
        hw = HIGHWAYS[int(rng.integers(len(HIGHWAYS)))]
        tags = {"highway": hw, "name": NAMES[i % len(NAMES)], "surface": "asphalt", "lanes": "2"}
        if rng.random() < 0.2:
            tags["oneway"] = "yes"
        way(refs, tags)
    for j in range(n + 1):  # north-south streets
        refs = []
        for i in range(n):
            refs += street(int(grid[i, j]), int(grid[i + 1, j]))
        refs.append(int(grid[n, j]))
        way(refs, {"highway": HIGHWAYS[int(rng.integers(len(HIGHWAYS)))], "name": NAMES[j % 8]})
    for i in range(n):  # blocks: a footway or private compound road, buildings, a shop
        for j in range(n):
            (x0, y0), (x1, y1) = coords[int(grid[i, j])], coords[int(grid[i + 1, j + 1])]
            if rng.random() < 0.5:
                tags = (
                    {"highway": "footway"}
                    if rng.random() < 0.6
                    else {"highway": "service", "access": "private", "service": "driveway"}
                )
                way(
                    [
                        int(grid[i, j]),
                        node(0.5 * (x0 + x1), 0.5 * (y0 + y1)),
                        int(grid[i + 1, j + 1]),
                    ],
                    tags,
                )
            for _ in range(2):
                cx = x0 + rng.uniform(0.2, 0.8) * (x1 - x0)
                cy = y0 + rng.uniform(0.2, 0.8) * (y1 - y0)
                w, h = 0.08 * dlon, 0.06 * dlat
                ring = [node(cx, cy), node(cx + w, cy), node(cx + w, cy + h), node(cx, cy + h)]
                way([*ring, ring[0]], {"building": "residential", "building:levels": "6"})
            if rng.random() < 0.3:
                node(
                    x0 + 0.1 * (x1 - x0),
                    y0 + 0.1 * (y1 - y0),
                    {"shop": "supermarket", "name": "超市"},
                )

    with open(path, "w", encoding="utf-8") as f:
        f.write("<?xml version='1.0' encoding='UTF-8'?>\n")
        f.write(
            '<osm version="0.6" generator="lifecircle bench" timestamp="2024-06-01T00:00:00Z">\n'
        )
        f.write(f'  <bounds minlat="{lat0}" minlon="{lon0}" maxlat="{lat0 + (n + 1) * dlat:.7f}" ')
        f.write(f'maxlon="{lon0 + (n + 1) * dlon:.7f}"/>\n')
        f.write("\n".join(node_lines) + "\n")
        f.write("\n".join(way_lines) + "\n")
        f.write("</osm>\n")


def synth_of_size(folder: Path, target_mb: float) -> Path:
    """Write a synthetic town whose file is about ``target_mb`` megabytes."""
    probe = folder / "probe.osm"
    synth_osm(probe, n=20)
    per_block = probe.stat().st_size / 21**2
    n = max(4, round(math.sqrt(target_mb * 1e6 / per_block)) - 1)
    path = folder / f"town_{target_mb:g}mb.osm"
    synth_osm(path, n=n)
    probe.unlink()
    return path


def best_of(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """Return the shortest of ``repeat`` timings (s) and the last result."""
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a ~3 MB synthetic town")
    parser.add_argument("--repeat", type=int, default=3, help="runs of our loader (best kept)")
    parser.add_argument("--no-osmnx", action="store_true", help="skip the osmnx timings")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    import osmnx as ox

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        demo = ROOT / "data" / "demo" / "streets.osm"
        if demo.is_file():
            files.append(("demo streets.osm", demo))
        target = 3.0 if args.quick else 15.0
        files.append((f"synthetic town ({target:g} MB)", synth_of_size(Path(tmp), target)))
        for label, path in files:
            ours_s, graph = best_of(partial(load_network, path, cache=False), args.repeat)
            cache_dir = Path(tmp) / "cache"
            load_network(path, cache_dir=cache_dir)
            hit_s, _ = best_of(partial(load_network, path, cache_dir=cache_dir), args.repeat)
            if args.no_osmnx:
                ox_s = math.nan
            else:
                ox_s, _ = best_of(partial(ox.graph_from_xml, path), 1)
            mb = path.stat().st_size / 1e6
            rows.append((label, mb, graph.n_nodes, graph.n_edges, ours_s, hit_s, ox_s))
            print(f"{label}: ours {ours_s:.2f} s, osmnx {ox_s:.2f} s", file=sys.stderr)

    lines = [
        "# OSM XML → walk graph: parse time",
        "",
        f"Python {platform.python_version()}, osmnx {ox.__version__}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs; ours = best of {args.repeat} with the cache off, and with a "
        "cache hit (hash the file, read the .npz); osmnx.graph_from_xml with its defaults, 1 run.",
        "Nodes and edges are ours (every vertex a node, every segment an edge).",
        "",
        "| file | size MB | nodes | edges | ours s | ours, cached s | osmnx s | osmnx / ours |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, mb, n_nodes, n_edges, ours_s, hit_s, ox_s in rows:
        lines.append(
            f"| {label} | {mb:.1f} | {n_nodes:,} | {n_edges:,} | {ours_s:.2f} | {hit_s:.3f} | "
            f"{ox_s:.2f} | {ox_s / ours_s:.1f}× |"
        )
    table = "\n".join(lines) + "\n"
    print(table)
    out = ROOT / "bench" / "results" / "parse.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
