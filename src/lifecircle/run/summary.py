"""summary.json: built once, from the run's typed results, when the outputs are written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lifecircle import __version__
from lifecircle.analysis.results import RunResults


def build_summary(results: RunResults, timings_s: Mapping[str, float]) -> dict[str, Any]:
    """The content of ``summary.json`` (see the output contract in the README).

    Parameters
    ----------
    results
        The run's results.
    timings_s
        Seconds per step, every step of the run including the outputs, and ``total``.
    """
    coverage = {
        cat: {level: round(share, 6) for level, share in levels.items()}
        for cat, levels in results.coverage_shares().items()
    }
    sites = [
        {
            "rank": int(r.rank),
            "category": str(r.category),
            "candidate_id": str(r.candidate_id),
            "newly_covered_population": round(float(r.newly_covered_population), 1),
            "required_floor_area_m2": round(float(r.required_floor_area_m2), 1),
        }
        for r in results.sites.itertuples()
    ]
    solution = results.siting_solution
    return {
        "project": results.project_name,
        "profile": results.methods.profile_id,
        "lifecircle_version": __version__,
        "population_total": round(results.population_total, 1),
        "coverage": coverage,
        "completeness": {k: round(float(v), 6) for k, v in results.completeness.items()},
        "norms": {k: {kk: int(vv) for kk, vv in v.items()} for k, v in results.norm_counts.items()},
        "siting": sites,
        "siting_solution": None
        if solution is None
        else {
            "problem": solution.problem,
            "objective": float(solution.objective),
            "bound": float(solution.bound),
            "gap": float(solution.gap),
            "exact": bool(solution.exact),
            "method": solution.method,
        },
        "data_issues": len(results.issues),
        "timings_s": {k: round(float(v), 4) for k, v in timings_s.items()},
    }
