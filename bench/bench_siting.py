"""Siting side by side: lifecircle (sparse pairs + HiGHS) against spopt + CBC.

Instances are seeded random points in metres; coverage is within a fixed radius and the cost is
the Euclidean distance. Both solvers get the same cost matrix (ours as sparse pairs).

    python bench/bench_siting.py            # full sizes (spopt's p-median may take ~100 s)
    python bench/bench_siting.py --quick    # smaller sizes, for a quick check
    python bench/bench_siting.py --hard     # also MCLP 2,000 × 300 at r = 500 m (dense overlap)

Writes bench/results/siting.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pulp
import scipy
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp
from spopt.locate import MCLP, PMedian

from lifecircle.analysis.siting import mclp, p_median

RESULTS = Path(__file__).parent / "results" / "siting.md"


@dataclass(frozen=True)
class Row:
    name: str
    ours_s: float
    ours_obj: float
    ours_method: str
    ours_gap: float
    peer: str
    peer_s: float | None
    peer_obj: float | None

    @property
    def same(self) -> str:
        if self.peer_obj is None:
            return "—"
        ok = abs(self.ours_obj - self.peer_obj) <= 1e-6 * max(1.0, abs(self.peer_obj))
        return "yes" if ok else "no"

    @property
    def speedup(self) -> str:
        return "—" if self.peer_s is None else f"{self.peer_s / self.ours_s:.0f}×"


def points(seed: int, n_demand: int, n_cand: int, side_m: float):
    rng = np.random.default_rng(seed)
    dem = rng.uniform(0, side_m, (n_demand, 2))
    cand = rng.uniform(0, side_m, (n_cand, 2))
    weight = rng.integers(1, 200, n_demand).astype(float)
    return dem, cand, weight


def dense_cost(dem: np.ndarray, cand: np.ndarray) -> np.ndarray:
    return np.hypot(dem[:, None, 0] - cand[None, :, 0], dem[:, None, 1] - cand[None, :, 1])


def sparse_pairs(dem: np.ndarray, cand: np.ndarray, radius_m: float):
    """Pairs within the radius without a dense matrix (what the engine's catchments give)."""
    tree = scipy.spatial.cKDTree(dem)
    coo = tree.sparse_distance_matrix(
        scipy.spatial.cKDTree(cand), radius_m, output_type="coo_matrix"
    )
    return coo.col.astype(np.int64), coo.row.astype(np.int64), coo.data


def scipy_milp_mclp(c, d, weight, n_cand: int, p: int) -> tuple[float, float]:
    """The same sparse MCLP built through scipy.optimize.milp, for the build-path comparison."""
    t0 = time.perf_counter()
    ids, dd = np.unique(d, return_inverse=True)
    m = ids.size
    a = sp.csr_array(
        (
            np.concatenate([np.ones(m), -np.ones(c.size)]),
            (np.concatenate([np.arange(m), dd]), np.concatenate([n_cand + np.arange(m), c])),
        ),
        shape=(m, n_cand + m),
    )
    card = sp.csr_array(np.concatenate([np.ones(n_cand), np.zeros(m)])[None, :])
    res = milp(
        -np.concatenate([np.zeros(n_cand), weight[ids]]),
        constraints=[LinearConstraint(a, -np.inf, 0), LinearConstraint(card, p, p)],
        integrality=np.concatenate([np.ones(n_cand), np.zeros(m)]),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 1e-9},
    )
    return time.perf_counter() - t0, -float(res.fun)


def bench_mclp(n_demand: int, n_cand: int, p: int, radius_m: float, side_m: float) -> list[Row]:
    dem, cand, weight = points(1, n_demand, n_cand, side_m)
    c, d, _ = sparse_pairs(dem, cand, radius_m)
    t0 = time.perf_counter()
    ours = mclp(pair_candidate=c, pair_demand=d, weight=weight, n_candidates=n_cand, n_sites=p)
    ours_s = time.perf_counter() - t0
    cost = dense_cost(dem, cand)
    t0 = time.perf_counter()
    ref = MCLP.from_cost_matrix(cost, weight, service_radius=radius_m, p_facilities=p)
    ref = ref.solve(pulp.PULP_CBC_CMD(msg=False))
    peer_s = time.perf_counter() - t0
    name = f"MCLP {n_demand:,} × {n_cand} p={p} r={radius_m:.0f} m"
    rows = [
        Row(
            name,
            ours_s,
            ours.objective,
            ours.method,
            ours.gap,
            "spopt + CBC",
            peer_s,
            float(ref.problem.objective.value()),
        ),
    ]
    sp_s, sp_obj = scipy_milp_mclp(c, d, weight, n_cand, p)
    rows.append(
        Row(
            name + " (build via scipy.optimize.milp)",
            sp_s,
            sp_obj,
            "scipy-milp",
            0.0,
            "spopt + CBC",
            peer_s,
            float(ref.problem.objective.value()),
        )
    )
    return rows


def bench_p_median(n_demand: int, n_cand: int, p: int, side_m: float) -> Row:
    dem, cand, weight = points(2, n_demand, n_cand, side_m)
    cost = dense_cost(dem, cand)
    d, c = np.nonzero(np.isfinite(cost))
    t0 = time.perf_counter()
    ours = p_median(
        pair_candidate=c,
        pair_demand=d,
        pair_dist_m=cost[d, c],
        weight=weight,
        n_candidates=n_cand,
        n_sites=p,
    )
    ours_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = PMedian.from_cost_matrix(cost, weight, p_facilities=p).solve(pulp.PULP_CBC_CMD(msg=False))
    peer_s = time.perf_counter() - t0
    return Row(
        f"p-median {n_demand:,} × {n_cand} p={p} (dense costs)",
        ours_s,
        ours.objective,
        ours.method,
        ours.gap,
        "spopt + CBC",
        peer_s,
        float(ref.problem.objective.value()),
    )


def bench_county(n_demand: int, n_cand: int, p: int, radius_m: float, side_m: float) -> Row:
    dem, cand, weight = points(3, n_demand, n_cand, side_m)
    c, d, _ = sparse_pairs(dem, cand, radius_m)
    t0 = time.perf_counter()
    ours = mclp(
        pair_candidate=c,
        pair_demand=d,
        weight=weight,
        n_candidates=n_cand,
        n_sites=p,
        time_limit_s=60.0,
    )
    ours_s = time.perf_counter() - t0
    return Row(
        f"county MCLP {n_demand:,} × {n_cand:,} p={p} r={radius_m:.0f} m ({c.size:,} pairs)",
        ours_s,
        ours.objective,
        ours.method,
        ours.gap,
        "(ours only)",
        None,
        None,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller instances")
    ap.add_argument(
        "--hard", action="store_true", help="add MCLP 2,000 × 300 with r = 500 m (CBC ≈ 2 min)"
    )
    args = ap.parse_args()
    if args.quick:
        rows = bench_mclp(500, 100, 10, 500.0, 5000.0)
        rows.append(bench_p_median(150, 60, 10, 5000.0))
        rows.append(bench_county(10_000, 500, 30, 500.0, 10_000.0))
    else:
        rows = bench_mclp(2000, 300, 30, 300.0, 5000.0)
        if args.hard:
            rows += bench_mclp(2000, 300, 30, 500.0, 5000.0)[:1]
        rows.append(bench_p_median(500, 300, 30, 5000.0))
        rows.append(bench_county(50_000, 2000, 100, 500.0, 20_000.0))
    lines = [
        "# Siting: lifecircle (sparse pairs + HiGHS) vs spopt + CBC",
        "",
        f"{'Quick sizes' if args.quick else 'Full sizes'}; seeded uniform random points in a "
        "square "
        "(side 5 km, county 20 km), Euclidean costs, coverage within the radius. "
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"scipy {scipy.__version__}, pulp {pulp.__version__}.",
        "",
        "| instance | ours s | ours objective | method | gap | peer | peer s | peer objective "
        "| same objective | speed-up |",
        "| --- | ---: | ---: | --- | ---: | --- | ---: | ---: | --- | ---: |",
    ]
    for r in rows:
        peer_s = "—" if r.peer_s is None else f"{r.peer_s:.2f}"
        peer_obj = "—" if r.peer_obj is None else f"{r.peer_obj:,.1f}"
        lines.append(
            f"| {r.name} | {r.ours_s:.2f} | {r.ours_obj:,.1f} | {r.ours_method} | {r.ours_gap:.2e} "
            f"| {r.peer} | {peer_s} | {peer_obj} | {r.same} | {r.speedup} |"
        )
    text = "\n".join(lines) + "\n"
    for r in rows:
        sys.stdout.write(
            f"{r.name}: ours {r.ours_s:.2f} s, peer {r.peer_s} s, same objective: {r.same}\n"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0 if all(r.same in ("yes", "—") for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
