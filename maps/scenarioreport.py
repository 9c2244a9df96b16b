"""The report's scenarios section and the workbook's scenarios sheet.

Per scenario: what it changes, the coverage it moves (share before and after, people newly
within or no longer within reach), the norm counts before and after, the communities whose
floor-area results change, and the facilities added, closed or resized.
"""

from __future__ import annotations

import pandas as pd

from lifecircle.analysis.results import Comparison, RunResults
from lifecircle.maps.htmlparts import num, pct, points, result, table
from lifecircle.maps.labels import check_label, escape_html, label, level_label

#: Columns of the workbook's scenarios sheet (label keys), one row per scenario, category, level.
SHEET_COLUMNS = (
    "scenario",
    "category",
    "level",
    "distance_m",
    "share_before",
    "share_after",
    "share_delta",
    "newly_covered",
    "no_longer_covered",
)


def _coverage(c: Comparison, lang: str) -> str:
    moved = c.changed_coverage()
    if moved.empty:
        return f"<p>{escape_html(label('scenario_no_coverage_change', lang))}</p>"
    rows = [
        [
            escape_html(r["category_name"]),
            escape_html(level_label(str(r["level"]), lang)),
            num(r["distance_m"], 0),
            pct(r["share_before"]),
            pct(r["share_after"]),
            points(r["share_delta"]),
            num(r["newly_covered_population"], 0),
            num(r["no_longer_covered_population"], 0),
        ]
        for r in moved.to_dict("records")
    ]
    keys = SHEET_COLUMNS[1:]  # the sheet's columns but the scenario's name
    return table([label(k, lang) for k in keys], rows, numeric={2, 3, 4, 5, 6, 7})


def _norms(c: Comparison, lang: str) -> str:
    rows = []
    for check, after in c.norm_counts.items():
        before = c.norm_counts_before.get(check, {})
        if {k: int(v) for k, v in before.items()} == {k: int(v) for k, v in after.items()}:
            continue
        rows.append(
            [
                escape_html(check_label(check, lang)),
                f"{int(before.get('passed', 0))} → {int(after.get('passed', 0))}",
                f"{int(before.get('failed', 0))} → {int(after.get('failed', 0))}",
            ]
        )
    if not rows:
        return f"<p>{escape_html(label('scenario_no_norm_change', lang))}</p>"
    keys = ["norm_counts_change", "passed_before_after", "failed_before_after"]
    return table([label(k, lang) for k in keys], rows, numeric={1, 2})


def _communities(c: Comparison, lang: str) -> str:
    if c.communities.empty:
        return f"<p>{escape_html(label('scenario_no_community_change', lang))}</p>"
    rows = [
        [
            escape_html(r["id"]),
            escape_html(r["name"]),
            num(r.get("area_per_100hh_m2_before")),
            num(r.get("area_per_100hh_m2_after")),
            num(r.get("area_per_100hh_shortfall_m2_before")),
            num(r.get("area_per_100hh_shortfall_m2_after")),
            result(r.get("area_per_100hh_result_before"), lang),
            result(r.get("area_per_100hh_result_after"), lang),
        ]
        for r in c.communities.to_dict("records")
    ]
    keys = [
        "id",
        "name",
        "area_before",
        "area_after",
        "shortfall_before",
        "shortfall_after",
        "result_before",
        "result_after",
    ]
    return table([label(k, lang) for k in keys], rows, numeric={2, 3, 4, 5})


def _facilities(c: Comparison, lang: str) -> str:
    rows = [
        [
            escape_html(r["id"]),
            escape_html(r["name"]),
            escape_html(r["category_name"]),
            escape_html(label(f"change_{r['change']}", lang)),
            num(r["floor_area_before_m2"]),
            num(r["floor_area_after_m2"]),
        ]
        for r in c.facilities.drop(columns="geometry").to_dict("records")
    ]
    keys = ["id", "name", "category", "change", "floor_area_before", "floor_area_after"]
    return table([label(k, lang) for k in keys], rows, numeric={4, 5})


def scenarios_html(results: RunResults) -> str:
    """The scenarios section's content (empty when the run has no scenarios)."""
    lang = results.lang
    parts = [f'<p class="note">{escape_html(label("scenario_intro", lang))}</p>']
    for c in results.scenarios:
        counts = c.facilities["change"].value_counts() if len(c.facilities) else pd.Series()
        changes = label("scenario_changes", lang).format(
            added=int(counts.get("added", 0)),
            closed=int(counts.get("closed", 0)),
            resized=int(counts.get("resized", 0)),
        )
        parts.append(
            f"<h3>{escape_html(label('scenario', lang))}：{escape_html(c.name)}</h3>"
            f"<p>{escape_html(changes)}</p>"
            + _coverage(c, lang)
            + _norms(c, lang)
            + _communities(c, lang)
            + (_facilities(c, lang) if len(c.facilities) else "")
        )
    return "".join(parts) if results.scenarios else ""


def scenarios_sheet(results: RunResults) -> pd.DataFrame:
    """Every scenario × category × level: shares (0–1) before and after, people gained and lost.

    The columns are the label keys of :data:`SHEET_COLUMNS`; shares stay fractions for the
    workbook's percentage format, the change is in percentage points (after − before, × 100).
    """
    frames = []
    for c in results.scenarios:
        cov = c.coverage
        frames.append(
            pd.DataFrame(
                {
                    "scenario": c.name,
                    "category": cov["category_name"].to_numpy(),
                    "level": [level_label(str(v), results.lang) for v in cov["level"]],
                    "distance_m": cov["distance_m"].to_numpy(),
                    "share_before": cov["share_before"].to_numpy(),
                    "share_after": cov["share_after"].to_numpy(),
                    "share_delta": cov["share_delta"].to_numpy() * 100.0,  # percentage points
                    "newly_covered": cov["newly_covered_population"].to_numpy(),
                    "no_longer_covered": cov["no_longer_covered_population"].to_numpy(),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=list(SHEET_COLUMNS))
    return pd.concat(frames, ignore_index=True)
