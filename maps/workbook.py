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
from lifecircle.maps.filing import keep_text, save_workbook
from lifecircle.maps.labels import (
    check_label,
    has_label,
    is_missing as _na,
    label,
    level_label,
    result_label,
)
from lifecircle.maps.report import _category_name
from lifecircle.maps.scenarioreport import scenarios_sheet
from lifecircle.vocab import LEVELS, TIME_COVERAGE_PREFIX, TIME_PREFIX

logger = logging.getLogger(__name__)

__all__ = ["SHEETS", "write_report_xlsx"]

SHEETS = ("summary", "communities", "facilities", "coverage", "siting", "issues")


# --------------------------------------------------------------------------------------------
# xlsx


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


def _summary_rows(results: RunResults) -> list[tuple[str, Any]]:
    lang = results.lang
    rows: list[tuple[str, Any]] = [(label("total_population", lang), results.population_total)]
    for lev, share in results.completeness.items():
        rows.append((f"{label('completeness', lang)} {level_label(lev, lang)}", share))
    for cat, levels in results.coverage_shares().items():
        for level, share in levels.items():
            rows.append((f"{_category_name(results, cat)} {level_label(level, lang)}", share))
    for check, counts in results.norm_counts.items():
        for k, n in counts.items():
            rows.append((f"{check_label(check, lang)} · {result_label(k, lang)}", n))
    rows.append((label("data_issue_count", lang), len(results.issues)))
    return rows


def write_report_xlsx(results: RunResults, path: Path) -> None:
    """Write ``report.xlsx`` with the sheets summary, communities, facilities, coverage, siting
    and issues, and scenarios when the run has any.

    Headers follow ``results.lang``; numbers are stored as numbers; each sheet's header row is
    frozen and its columns are sized to their content.

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

    lang = results.lang
    frames: dict[str, pd.DataFrame] = {
        "summary": pd.DataFrame(_summary_rows(results), columns=["summary_item", "summary_value"]),
        "communities": _plain(results.communities),
        "facilities": _plain(results.facilities),
        "coverage": pd.DataFrame(results.coverage),
        "siting": _plain(results.sites),
        "issues": pd.DataFrame(results.issues),
        "scenarios": scenarios_sheet(results),
    }
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF2F6")
    for name in SHEETS + (("scenarios",) if results.scenarios else ()):
        frame = frames[name]
        ws = wb.create_sheet(name)
        headers = [_header(str(c), lang, results) for c in frame.columns]
        ws.append(headers)
        for cell in ws[1]:
            cell.font = bold
            cell.fill = fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in frame.itertuples(index=False):
            ws.append([_cell(v) for v in row])
        keep_text(ws)
        ws.freeze_panes = "A2"
        for j, col in enumerate(frame.columns, start=1):
            texts = [headers[j - 1]] + [str(v) for v in frame[col].head(200)]
            width = max(_display_width(t) for t in texts)
            ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)
            if frame[col].dtype.kind == "f":
                share = str(col).startswith(("cov_", TIME_COVERAGE_PREFIX, "share_"))
                share |= str(col).endswith("_share")
                for cell in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell[0].number_format = "0.0%" if share else "#,##0.0"
    save_workbook(wb, path)
    logger.info("wrote %s", path)


def _display_width(text: str) -> int:
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
