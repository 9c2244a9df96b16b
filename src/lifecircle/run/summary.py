"""summary.json: built once, from the run's typed results, when the outputs are written."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from lifecircle import __version__
from lifecircle.analysis.compare import summary_entry
from lifecircle.analysis.results import RunResults
from lifecircle.run.provenance import provenance_dict


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
            "walking_saved_km_person": _rounded(getattr(r, "walking_saved_km_person", None), 3),
        }
        for r in results.sites.itertuples()
    ]
    solution = results.siting_solution
    account = results.population_account
    return {
        "project": results.project_name,
        "profile": results.methods.profile_id,
        "lifecircle_version": __version__,
        "population_total": round(results.population_total, 1),
        "population_supplied": None if account is None else round(account.supplied, 1),
        "population_counted": round(results.population_total, 1),
        "population_left_out": None
        if account is None
        else {reason: round(people, 1) for reason, people in account.left_out.items()},
        "population_outside_communities": None
        if account is None
        else round(account.outside_communities, 1),
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
            "objective_unit": _OBJECTIVE_UNIT[solution.problem],
        },
        "time_coverage": _time_coverage(results),
        "data_issues": len(results.issues),
        "provenance": None if results.provenance is None else provenance_dict(results.provenance),
        "scenarios": {c.name: summary_entry(c) for c in results.scenarios},
        "timings_s": {k: round(float(v), 4) for k, v in timings_s.items()},
    }


#: The unit of each siting problem's objective, as summary.json states it.
_OBJECTIVE_UNIT = {
    "mclp": "people newly covered",
    "lscp": "sites",
    "p_median": "person·m of walking (total, existing facilities included)",
}


def _rounded(value: object, digits: int) -> float | None:
    """``value`` rounded, or None where it is missing (NaN)."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else round(number, digits)


def _time_coverage(results: RunResults) -> dict[str, dict[str, dict[str, object]]]:
    """Per category and time level: the group served and the share (0–1) of its people within
    the minutes, slope and steps included, and on flat ground; ``{}`` without walking times."""
    out: dict[str, dict[str, dict[str, object]]] = {}
    for r in results.time_coverage.to_dict("records"):
        out.setdefault(str(r["category"]), {})[str(r["level"])] = {
            "group": str(r["group"]),
            "minutes": float(r["minutes"]),
            "share": round(float(r["time_share"]), 6),
            "flat_share": round(float(r["flat_time_share"]), 6),
        }
    return out
