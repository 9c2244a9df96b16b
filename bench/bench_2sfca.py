"""2SFCA side by side: lifecircle.analysis.supply.two_step_fca against PySAL access.

Both get the same sparse facility–demand pairs (distances in metres) and the same cutoff;
access runs ``Access.two_stage_fca`` with ``weights.step_fn({cutoff: 1})``. The pairs are built
before timing and are not part of either figure.

Cases:
- the demo county (data/demo): demand = population raster cells, households = population / 2.62;
  supply = community_service_station floor areas; pair distances = straight line × 1.3 (a
  simple detour factor: this benchmark times the 2SFCA step, not the walking engine);
- a 100k-node grid (317 × 317, 25 m spacing), demand at every node, 200 stations, pair
  distances by scipy Dijkstra on the grid graph, cutoff 500 m.

    python bench/bench_2sfca.py            # full sizes
    python bench/bench_2sfca.py --quick    # a 40k-node grid, one access run

Writes bench/results/2sfca.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from lifecircle.analysis.profiles import load_profile
from lifecircle.analysis.supply import two_step_fca

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
RESULTS = Path(__file__).parent / "results" / "2sfca.md"
PERSONS_PER_HOUSEHOLD = 2.62


@dataclass(frozen=True)
class Case:
    name: str
    n_demand: int
    n_facilities: int
    n_pairs: int
    cutoff_m: float
    supply: np.ndarray
    households: np.ndarray
    pf: np.ndarray
    pdm: np.ndarray
    dist: np.ndarray


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times = []
    out: object = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def run_access(case: Case) -> np.ndarray:
    from access import Access, weights

    demand = pd.DataFrame({"did": np.arange(case.n_demand), "hh": case.households})
    supply = pd.DataFrame({"sid": np.arange(case.n_facilities), "area": case.supply})
    cost = pd.DataFrame({"origin": case.pdm, "dest": case.pf, "cost": case.dist})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = Access(
            demand_df=demand,
            demand_index="did",
            demand_value="hh",
            supply_df=supply,
            supply_index="sid",
            supply_value="area",
            cost_df=cost,
            cost_origin="origin",
            cost_dest="dest",
            cost_name="cost",
        )
        out = model.two_stage_fca(
            name="fca", max_cost=case.cutoff_m, weight_fn=weights.step_fn({case.cutoff_m: 1})
        )
    return np.asarray(out["fca_area"].reindex(np.arange(case.n_demand)).fillna(0.0), dtype=float)


def run_ours(case: Case) -> np.ndarray:
    result = two_step_fca(
        supply_m2=case.supply,
        demand_households=case.households,
        pair_facility=case.pf,
        pair_demand=case.pdm,
        pair_dist_m=case.dist,
        cutoff_m=case.cutoff_m,
    )
    return result.demand_ratio_per_100hh_m2 / 100.0


def demo_case() -> Case | None:
    """The demo county, or None when data/demo is not there."""
    if not (DEMO / "facilities.csv").is_file() or not (DEMO / "population.tif").is_file():
        return None
    import rasterio
    from pyproj import Transformer

    from lifecircle.geo.chinacrs import gcj02_to_wgs84

    profile = load_profile(DEMO / "profile.toml")
    fac = pd.read_csv(DEMO / "facilities.csv", encoding="gb18030")
    cats = fac["类别"].map(lambda v: profile.category_id(str(v)))
    fac = fac[cats == "community_service_station"]
    with rasterio.open(DEMO / "population.tif") as src:
        pop = src.read(1).astype(float)
        rows, cols = np.nonzero(pop > 0)
        xs, ys = rasterio.transform.xy(src.transform, rows, cols)
        crs = src.crs
    lon, lat = gcj02_to_wgs84(fac["经度"].to_numpy(float), fac["纬度"].to_numpy(float))
    fx, fy = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    demand_xy = np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])
    fac_xy = np.column_stack([fx, fy])
    cutoff = profile.categories["community_service_station"].distance_m.value
    detour = 1.3
    pairs = cKDTree(fac_xy).sparse_distance_matrix(
        cKDTree(demand_xy), cutoff * 1.5 / detour, output_type="coo_matrix"
    )
    return Case(
        name="demo county (示例县)",
        n_demand=len(demand_xy),
        n_facilities=len(fac_xy),
        n_pairs=pairs.nnz,
        cutoff_m=cutoff,
        supply=fac["建筑面积"].to_numpy(float),
        households=pop[rows, cols] / PERSONS_PER_HOUSEHOLD,
        pf=pairs.row.astype(np.int64),
        pdm=pairs.col.astype(np.int64),
        dist=pairs.data * detour,
    )


def grid_case(side: int, n_facilities: int, cutoff_m: float, seed: int = 0) -> Case:
    """A side × side grid with 25 m edges; pairs by Dijkstra from each station, up to 1.5×cutoff."""
    spacing = 25.0
    n = side * side
    idx = np.arange(n).reshape(side, side)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    graph = sp.coo_matrix((np.full(len(u), spacing), (u, v)), shape=(n, n)).tocsr()
    rng = np.random.default_rng(seed)
    stations = rng.choice(n, n_facilities, replace=False)
    pf_parts, pd_parts, d_parts = [], [], []
    for start in range(0, n_facilities, 50):
        block = stations[start : start + 50]
        dist = dijkstra(graph, directed=False, indices=block, limit=1.5 * cutoff_m)
        fi, di = np.nonzero(np.isfinite(dist))
        pf_parts.append(fi + start)
        pd_parts.append(di)
        d_parts.append(dist[fi, di])
    pf = np.concatenate(pf_parts).astype(np.int64)
    return Case(
        name=f"grid {side}×{side} ({n // 1000}k nodes)",
        n_demand=n,
        n_facilities=n_facilities,
        n_pairs=len(pf),
        cutoff_m=cutoff_m,
        supply=rng.uniform(100.0, 1500.0, n_facilities),
        households=rng.integers(0, 40, n).astype(float),
        pf=pf,
        pdm=np.concatenate(pd_parts).astype(np.int64),
        dist=np.concatenate(d_parts),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller grid, one access run")
    args = parser.parse_args()
    cases = []
    demo = demo_case()
    if demo is not None:
        cases.append(demo)
    side = 200 if args.quick else 317
    cases.append(grid_case(side, 200, 500.0))
    peer_repeat = 1 if args.quick else 3
    lines = [
        "## 2SFCA on floor area (lifecircle vs PySAL access)",
        "",
        "Same sparse facility–demand pairs and cutoff for both; access runs `two_stage_fca` with",
        "`weights.step_fn({cutoff: 1})`. Pair building is not timed. Demo pairs: straight",
        "line × 1.3 (a detour factor; this times the 2SFCA step, not the walking engine); grid",
        "pairs: scipy Dijkstra on 25 m edges. Times are medians.",
        "",
        "| case | demand | stations | pairs | cutoff | lifecircle | access | speed-up "
        "| max abs diff |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for case in cases:
        ours_s, ours = timed(partial(run_ours, case), 7)
        peer_s, peer = timed(partial(run_access, case), peer_repeat)
        diff = float(np.max(np.abs(np.asarray(ours) - np.asarray(peer))))
        lines.append(
            f"| {case.name} | {case.n_demand:,} | {case.n_facilities} | {case.n_pairs:,} | "
            f"{case.cutoff_m:g} m | {ours_s * 1e3:.1f} ms | {peer_s * 1e3:.0f} ms | "
            f"{peer_s / ours_s:.0f}× | {diff:.1e} |"
        )
        print(lines[-1], flush=True)
    if demo is None:
        lines += ["", "The demo county (data/demo) was not present; only the grid ran."]
    lines += [
        "",
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}"
        + (" (quick run)" if args.quick else ""),
    ]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
