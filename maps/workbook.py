"""The planning workbook ``report.xlsx``: the run's tables, one sheet each.

Examples
--------
>>> write_report_xlsx(results, Path("out/report.xlsx"))  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifecircle.analysis.results import RunResults
from lifecircle.dataissues import ISSUE_COLUMNS, issues_table
from lifecircle.issuetexts import source_title
from lifecircle.maps.filing import keep_text, save_workbook
from lifecircle.maps.labels import (
    check_label,
    has_label,
    is_missing as _na,
    kind_label,
    label,
    level_label,
    result_label,
    tier_label,
)
from lifecircle.maps.report import _category_name
from lifecircle.maps.scenarioreport import scenarios_sheet
from lifecircle.vocab import LEVELS, TIME_COVERAGE_PREFIX, TIME_PREFIX

logger = logging.getLogger(__name__)

__all__ = ["SHEETS", "write_report_xlsx"]

SHEETS = ("summary", "communities", "facilities", "coverage", "siting", "issues")


# --------------------------------------------------------------------------------------------
# xlsx


#: The number format of each kind of column, decided once for every sheet.
NUMBER_FORMATS: dict[str, str] = {
    "share": "0.0%",
    "people": "#,##0",
    "area_m2": "#,##0.0",
    "distance_m": "#,##0",
    "coordinate": "0.000000",
    "minutes": "0.0",
    "points": "+0.0;-0.0;0.0",
    "number": "#,##0.0",
    "text": "@",
}

#: Columns of people, households and other counts (shown as whole numbers).
_PEOPLE = {
    "population",
    "households",
    "served_households",
    "population_covered",
    "newly_covered_population",
    "newly_covered",
    "no_longer_covered",
    "workers",
    "social_orgs",
    "volunteers",
    "elderly",
    "children",
    "rank",
    "row",
    "community_size_min",
    "community_size_max",
    "capacity",
}
#: Columns never shown in the workbook: the raw value behind a translated one, or an internal
#: flag (results.gpkg keeps them).
_HIDDEN = {"category_raw", "counted"}


def column_kind(column: str) -> str:
    """The kind of a column (a key of :data:`NUMBER_FORMATS`), from its name.

    Examples
    --------
    >>> column_kind("cov_kindergarten_5min"), column_kind("lon"), column_kind("floor_area_m2")
    ('share', 'coordinate', 'area_m2')
    >>> column_kind("snap_dist_m"), column_kind("uncovered_population_10min")
    ('distance_m', 'people')
    >>> column_kind("population_left_out"), column_kind("share_delta")
    ('people', 'points')
    """
    if column in ("lon", "lat"):
        return "coordinate"
    if column == "share_delta":
        return "points"
    if (
        column.startswith(("cov_", TIME_COVERAGE_PREFIX, "share_", "completeness_"))
        or column.endswith("_share")
        or column == "summary_share"
    ):
        return "share"
    if (
        column in _PEOPLE
        or column.startswith(("uncovered_population_", "population_", "left_out_"))
        or column.endswith("_population")
    ):
        return "people"
    if column.endswith("_m2"):
        return "area_m2"
    if column.endswith("_m") or column.startswith("dist_m_"):
        return "distance_m"
    if column.startswith(TIME_PREFIX):
        return "minutes"
    return "number"


def _translate(column: str, value: object, lang: str, results: RunResults) -> object:
    """A cell's value as the reader reads it: names for ids, results and levels in ``lang``."""
    if _na(value):
        return None
    if column == "kind":
        return kind_label(value, lang)
    if column == "tier":
        return tier_label(value, lang)
    if column.endswith(("_result", "_pass")):
        return result_label(value, lang)
    if column == "category":
        return _category_name(results, str(value))
    if column == "level":
        return level_label(str(value), lang)
    if column.endswith("source"):
        return source_title(str(value))
    if isinstance(value, bool | np.bool_):
        return label("yes" if value else "no", lang)
    return value


def _shown(frame: pd.DataFrame, lang: str, results: RunResults) -> pd.DataFrame:
    """The columns a reader gets, values translated: those with a label in ``lang`` (the
    category's name replaces the category id's column)."""
    keep = [
        c
        for c in frame.columns
        if c not in _HIDDEN
        and not (c == "category_name" and "category" in frame.columns)
        and _header(str(c), lang, results) != str(c)
    ]
    out = pd.DataFrame(frame[keep])
    for c in keep:
        if out[c].dtype.kind not in "fiuc":
            values = [_translate(str(c), v, lang, results) for v in out[c]]
            out[c] = pd.Series(values, index=out.index, dtype=object)
    return out


def _header(column: str, lang: str, results: RunResults) -> str:
    if has_label(column):
        return label(column, lang)
    if column.startswith("cov_"):
        rest = column[4:]
        for lev in LEVELS:
            if rest.endswith("_" + lev):
                cat = rest[: -len(lev) - 1]
                name = _category_name(results, cat)
                return f"{name} {level_label(lev, lang)}" + (
                    "覆盖率" if lang == "zh" else " coverage"
                )
    if column.startswith(TIME_COVERAGE_PREFIX):
        cat, _, minutes = column[len(TIME_COVERAGE_PREFIX) :].rpartition("_")
        name = _category_name(results, cat)
        return label("tcov_header", lang).format(name=name, level=level_label(minutes, lang))
    if column.startswith(TIME_PREFIX):
        name = _category_name(results, column[len(TIME_PREFIX) :])
        return label("time_min_header", lang).format(name=name)
    for lev in LEVELS:
        if column == f"completeness_{lev}":
            return label("completeness_col", lang).format(level=level_label(lev, lang))
        if column == f"uncovered_population_{lev}":
            return label("uncovered_col", lang).format(level=level_label(lev, lang))
    if column.startswith("dist_m_"):
        name = _category_name(results, column[7:])
        return f"{name} 步行距离（m）" if lang == "zh" else f"{name} walking distance (m)"
    return column


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(frame.drop(columns=["geometry"], errors="ignore"))
    geom = getattr(frame, "geometry", None) if "geometry" in frame.columns else None
    if geom is not None and len(frame):
        pts = geom.representative_point()
        out["lon"] = pts.x.round(6).to_numpy()
        out["lat"] = pts.y.round(6).to_numpy()
    return out


def _summary_rows(results: RunResults) -> list[tuple[str, Any, str]]:
    """(item, value, kind of value) per row of the summary sheet."""
    lang = results.lang
    acc = results.population_account
    rows: list[tuple[str, Any, str]] = []
    if acc is not None:
        rows.append((label("population_supplied", lang), acc.supplied, "people"))
    rows.append((label("population_counted", lang), results.population_total, "people"))
    if acc is not None:
        for reason, people in acc.left_out.items():
            rows.append((label(f"left_out_{reason}", lang), people, "people"))
        if acc.no_value_communities:
            rows.append((label("no_value_communities", lang), acc.no_value_communities, "people"))
        if acc.outside_communities > 0:
            rows.append((label("outside_communities", lang), acc.outside_communities, "people"))
    for lev, share in results.completeness.items():
        rows.append((f"{label('completeness', lang)} {level_label(lev, lang)}", share, "share"))
    for cat, levels in results.coverage_shares().items():
        for level, share in levels.items():
            name = f"{_category_name(results, cat)} {level_label(level, lang)}"
            rows.append((name, share, "share"))
    for check, counts in results.norm_counts.items():
        for k, n in counts.items():
            rows.append((f"{check_label(check, lang)} · {result_label(k, lang)}", n, "people"))
    rows.append((label("data_issue_count", lang), len(results.issues), "people"))
    return rows


def _sheets(results: RunResults) -> dict[str, tuple[pd.DataFrame, list[str], list[str]]]:
    """Each sheet: its frame (values as shown), its headers and the kind of each cell column."""
    lang = results.lang
    rows = _summary_rows(results)
    summary = pd.DataFrame([(r[0], r[1]) for r in rows], columns=["summary_item", "summary_value"])
    out = {
        "summary": (
            summary,
            [label("summary_item", lang), label("summary_value", lang)],
            ["text", "by_row"],
        )
    }
    frames = {
        "communities": _plain(results.communities),
        "facilities": _plain(results.facilities),
        "coverage": pd.DataFrame(results.coverage),
        "siting": _plain(results.sites),
    }
    for name, frame in frames.items():
        shown = _shown(frame, lang, results)
        headers = [_header(str(c), lang, results) for c in shown.columns]
        kinds = [
            column_kind(str(c)) if shown[c].dtype.kind in "fiu" else "text" for c in shown.columns
        ]
        out[name] = (shown, headers, kinds)
    issues = issues_table(results.issues, lang)
    headers = [label(c, lang) for c in ISSUE_COLUMNS]  # 图层 … / Layer, Row id, Problem, Action
    out["issues"] = (issues, headers, ["text"] * len(headers))
    scen = scenarios_sheet(results)
    out["scenarios"] = (
        scen,
        [_header(str(c), lang, results) for c in scen.columns],
        [column_kind(str(c)) if scen[c].dtype.kind in "fiu" else "text" for c in scen.columns],
    )
    out["_summary_kinds"] = (pd.DataFrame({"kind": [r[2] for r in rows]}), [], [])
    return out


def write_report_xlsx(results: RunResults, path: Path) -> None:
    """Write ``report.xlsx`` with the sheets summary, communities, facilities, coverage, siting
    and issues, and scenarios when the run has any.

    Headers and values (community types, station tiers, results, levels, category names) are
    in ``results.lang``; a column without a label in that language is not shown. Numbers are
    stored as numbers, each formatted by its kind of column (:data:`NUMBER_FORMATS`: shares as
    percentages, people as whole numbers, m² with one decimal, coordinates with six); each
    sheet's header row is frozen and filtered, and its columns sized to their content (a Chinese
    character counts twice).

    Parameters
    ----------
    results
        The run to write.
    path
        The file to write (overwritten).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheets = _sheets(results)
    summary_kinds = list(sheets.pop("_summary_kinds")[0]["kind"])
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF2F6")
    for name in SHEETS + (("scenarios",) if results.scenarios else ()):
        frame, headers, kinds = sheets[name]
        ws = wb.create_sheet(name)
        ws.append(headers)
        for cell in ws[1]:
            cell.font = bold
            cell.fill = fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in frame.itertuples(index=False):
            ws.append([_cell(v) for v in row])
        keep_text(ws)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(max(len(headers), 1))}{max(ws.max_row, 1)}"
        for j, col in enumerate(frame.columns, start=1):
            texts = [headers[j - 1]] + [_shown_text(v) for v in frame[col].head(200)]
            width = max(_display_width(t) for t in texts)
            ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)
            for i, cell in enumerate(ws.iter_rows(min_row=2, min_col=j, max_col=j)):
                kind = summary_kinds[i] if kinds[j - 1] == "by_row" else kinds[j - 1]
                if isinstance(cell[0].value, int | float) and not isinstance(cell[0].value, bool):
                    cell[0].number_format = NUMBER_FORMATS[kind]
    save_workbook(wb, path)
    logger.info("wrote %s", path)


def _shown_text(value: object) -> str:
    """A value as Excel shows it, roughly (for the column width)."""
    if isinstance(value, float):
        return f"{value:,.1f}"
    return "" if _na(value) else str(value)


def _display_width(text: str) -> int:
    """Excel width units of a text: a CJK or full-width character counts 2."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _cell(value: object) -> object:
    if _na(value):
        return None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, int | float | str):
        return value
    return str(value)
