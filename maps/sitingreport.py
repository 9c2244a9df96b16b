"""The report's section on proposed sites: what the siting problem optimises, each site's figures
with their definitions, and per community the people still not covered after the sites."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lifecircle.analysis.results import RunResults
from lifecircle.maps.htmlparts import num, table
from lifecircle.maps.labels import escape_html as _e, is_missing, label


def category_distance_m(results: RunResults, category: str) -> float | None:
    """The walking distance (m) of ``category`` in the profile the run used, if known."""
    fig = results.figures
    hit = fig.loc[fig["key"].astype(str) == f"categories.{category}", "value"]
    return float(hit.iloc[0]) if len(hit) else None


def _note(text: str) -> str:
    return f'<p class="note">{_e(text)}</p>'


def sites_html(results: RunResults, category_name: str) -> str:
    """The proposed sites with the problem's objective and the definitions of their figures.

    Parameters
    ----------
    results
        The run; its ``sites`` are not empty.
    category_name
        The display name of the siting category.
    """
    lang = results.lang
    sites = results.sites.sort_values("rank")
    category = str(sites["category"].iloc[0])
    dist = category_distance_m(results, category)
    solution = results.siting_solution
    problem = solution.problem if solution is not None else "mclp"
    name = label(f"siting_problem_{problem}", lang)
    saved = problem == "p_median" and "walking_saved_km_person" in sites
    named = (
        "candidate_name" in sites and sites["candidate_name"].fillna("").astype(str).ne("").any()
    )
    capacity = "max_floor_area_m2" in sites and sites["max_floor_area_m2"].notna().any()
    cols = ["rank", "candidate_id"] + (["candidate_name"] if named else [])
    cols += ["category", "newly_covered_population"]
    cols += ["walking_saved_km_person"] if saved else []
    cols += ["served_households", "required_floor_area_m2"]
    cols += ["max_floor_area_m2"] if capacity else []
    rows = []
    for _, r in sites.iterrows():
        pt = r.geometry.representative_point() if r.geometry is not None else None
        row = [num(r.get("rank"), 0), _e(r.get("candidate_id"))]
        row += [_e(r.get("candidate_name") or "")] if named else []
        row += [_e(category_name), num(r.get("newly_covered_population"), 0)]
        row += [num(r.get("walking_saved_km_person"), 1)] if saved else []
        row += [num(r.get("served_households"), 0), num(r.get("required_floor_area_m2"))]
        row += [num(r.get("max_floor_area_m2"))] if capacity else []
        row += ["–" if pt is None else f"{pt.x:.6f}", "–" if pt is None else f"{pt.y:.6f}"]
        rows.append(row)
    headers = [label(c, lang) for c in cols] + [label("lon", lang), label("lat", lang)]
    first_number = cols.index("newly_covered_population")
    numeric = {0, *range(first_number, len(headers))}
    dist_text = "–" if dist is None else f"{dist:g}"
    notes = [
        label(f"siting_objective_{problem}", lang).format(name=name),
        label("newly_covered_def", lang).format(dist=dist_text),
        label("site_served_def_p_median" if problem == "p_median" else "site_served_def", lang),
    ]
    return (
        "".join(_note(n) for n in notes)
        + table(headers, rows, numeric)
        + remaining_html(results, category_name, dist_text, problem)
    )


def remaining_html(
    results: RunResults, category_name: str, dist_text: str, problem: str = "mclp"
) -> str:
    """Per community, the people of the siting category still not covered after the sites, most
    first; empty when the communities do not carry the figure."""
    lang = results.lang
    com = results.communities
    after_col, before_col = "uncovered_after_sites_population", "uncovered_before_sites_population"
    if after_col not in com or before_col not in com or len(com) == 0:
        return ""
    after = pd.to_numeric(com[after_col], errors="coerce").to_numpy(dtype=float)
    before = pd.to_numeric(com[before_col], errors="coerce").to_numpy(dtype=float)
    order = np.lexsort((com["id"].astype(str).to_numpy(), -np.nan_to_num(after, nan=-1.0)))
    rows = []
    for i in order:
        r = com.iloc[i]
        rows.append(
            [
                _e(r.get("id")),
                _e("" if is_missing(r.get("name")) else r.get("name")),
                num(r.get("population"), 0),
                num(before[i], 0),
                num(after[i], 0),
            ]
        )
    cols = ["id", "name", "population_counted", before_col, after_col]
    note = label("siting_remaining_note", lang).format(
        category=category_name, dist=dist_text, goal=label(f"siting_goal_{problem}", lang)
    )
    return (
        f"<h3>{_e(label('siting_remaining_title', lang))}</h3>"
        + _note(note)
        + table([label(c, lang) for c in cols], rows, {2, 3, 4})
    )
