"""The planning report: ``report.html`` (self-contained, prints on A4) and ``report.xlsx``.

``report.html`` has no external resource: CSS is inline and the charts are inline SVG
(:mod:`lifecircle.maps.charts`), so it opens on an office intranet and files as a PDF from
the browser's print dialog. Every string from user data is HTML-escaped. Labels come from
:mod:`lifecircle.maps.labels`, in the run's language.

Examples
--------
>>> page = render_report_html(results)  # doctest: +SKIP
>>> Path("out/report.html").write_text(page, encoding="utf-8")  # doctest: +SKIP
>>> write_report_xlsx(results, Path("out/report.xlsx"))  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifecircle.analysis.results import RunResults
from lifecircle.maps.charts import grouped_bar_svg, histogram_svg, horizontal_bar_svg
from lifecircle.maps.filing import keep_text, save_workbook
from lifecircle.maps.htmlparts import num as _num, pct as _pct, result as _result, table as _table
from lifecircle.maps.issuesummary import IssueKind, issue_kinds
from lifecircle.maps.labels import (
    check_label,
    data_credit,
    escape_html as _e,
    has_label,
    is_missing as _na,
    label,
    level_label,
    result_label,
)
from lifecircle.maps.provenance import provenance_html
from lifecircle.maps.reportprint import cover_html, map_figure_html, number_items, print_css
from lifecircle.maps.scenarioreport import scenarios_html, scenarios_sheet
from lifecircle.maps.walkreport import walking_html
from lifecircle.vocab import LEVELS, STATION, TIME_COVERAGE_PREFIX, TIME_PREFIX

logger = logging.getLogger(__name__)

__all__ = ["SHEETS", "render_report_html", "write_report_xlsx"]

SHEETS = ("summary", "communities", "facilities", "coverage", "siting", "issues")

_CSS = """
@page { size: A4; margin: 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Source Han Sans SC",
  "Helvetica Neue", Arial, sans-serif; color: #1f2933; margin: 0 auto; max-width: 980px;
  padding: 24px 28px; font-size: 13.5px; line-height: 1.55; background: #fff; }
header { border-bottom: 3px solid #1d4e89; margin-bottom: 18px; padding-bottom: 10px; }
header h1 { margin: 0; font-size: 24px; color: #1d2b3a; }
header .sub { color: #52606d; margin-top: 4px; }
header .credit { color: #8a4b08; font-size: 12px; margin-top: 4px; }
h2 { font-size: 17px; color: #1d4e89; border-left: 4px solid #1d4e89; padding-left: 8px;
  margin: 26px 0 10px; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 12.5px; }
th, td { border: 1px solid #d5dbe1; padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: #eef2f6; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; }
.pass { color: #1a7f3c; font-weight: 600; }
.fail { color: #c2410c; font-weight: 600; }
.na { color: #7b8794; }
.status { display: inline-block; min-width: 16px; padding: 0 4px; border-radius: 3px;
  font-size: 11px; font-weight: 700; text-align: center; color: #fff; background: #52606d; }
.status.U { background: #c2410c; }
.status.P { background: #1a7f3c; }
.chart { margin: 8px 0 16px; break-inside: avoid; }
.note { color: #52606d; font-size: 12px; }
nav ol { columns: 2; margin: 0; padding-left: 20px; }
@media print { body { padding: 0; max-width: none; font-size: 11.5px; } nav { display: none; }
  h2 { margin-top: 16px; } a { color: inherit; text-decoration: none; } }
"""


def _status(value: object) -> str:
    s = "" if _na(value) else str(value)
    return f'<span class="status {_e(s)}">{_e(s)}</span>' if s else ""


def _credit(results: RunResults) -> str:
    m = results.methods
    return data_credit(osm=m.osm_credit, synthetic=m.synthetic, lang=results.lang)


def _threshold(results: RunResults) -> float | None:
    col = results.communities.get("area_per_100hh_required_m2")
    if col is not None:
        vals = pd.to_numeric(col, errors="coerce").dropna()
        if len(vals):
            return float(vals.median())
    rows = results.figures.loc[results.figures["key"].astype(str) == "area_per_100hh"]
    return float(rows["value"].iloc[0]) if len(rows) else None


def _category_name(results: RunResults, category: str) -> str:
    cov = results.coverage
    if len(cov) and "category_name" in cov:
        hit = cov.loc[cov["category"].astype(str) == category, "category_name"]
        if len(hit) and not _na(hit.iloc[0]):
            return str(hit.iloc[0])
    fac = results.facilities
    if len(fac) and "category_name" in fac:
        hit = fac.loc[fac["category"].astype(str) == category, "category_name"]
        if len(hit) and not _na(hit.iloc[0]):
            return str(hit.iloc[0])
    return category


# --------------------------------------------------------------------------------------------
# sections


def _headline(results: RunResults) -> str:
    lang = results.lang
    rows: list[list[str]] = []
    total = results.population_total
    rows.append([_e(label("total_population", lang)), _num(total, 0), ""])
    for lev in LEVELS:
        share = results.completeness.get(lev)
        rows.append(
            [
                f"{_e(label('completeness', lang))} · {_e(level_label(lev, lang))}",
                _pct(share),
                "100%",
            ]
        )
    cov = results.coverage
    for _, r in cov.loc[
        cov.get("required", pd.Series(False, index=cov.index)).astype(bool)
    ].iterrows():
        rows.append(
            [
                f"{_e(r['category_name'])} · {_e(level_label(str(r['level']), lang))}"
                f"（{_num(r['distance_m'], 0)} m）",
                _pct(r["network_share"]),
                "100%",
            ]
        )
    norms = results.norm_counts
    for check, key in (
        ("area_per_100hh", "communities_passing"),
        ("community_size", "communities_passing"),
        ("station_min_area", "stations_passing"),
    ):
        counts = norms.get(check)
        if not counts:
            continue
        n = sum(int(counts.get(k, 0)) for k in ("passed", "failed", "not_provided"))
        name = f"{label(key, lang)} · {check_label(check, lang)}"
        target = f"{n}/{n}"
        rows.append([_e(name), f"{int(counts.get('passed', 0))}/{n}", target])
    shortfall = pd.to_numeric(
        results.communities.get("area_per_100hh_shortfall_m2", pd.Series(dtype=float)),
        errors="coerce",
    ).sum()
    rows.append([_e(label("total_shortfall", lang)), f"{_num(shortfall, 0)} m²", "0 m²"])
    rows.append(
        [
            _e(label("data_issue_count", lang)),
            _num(len(results.issues), 0),
            "0",
        ]
    )
    return _table(
        [
            label("headline_item", lang),
            label("headline_value", lang),
            label("headline_target", lang),
        ],
        rows,
        numeric={1, 2},
    )


def _coverage_section(results: RunResults) -> str:
    lang = results.lang
    cov = results.coverage
    if len(cov) == 0:
        return f"<p>{_e(label('none_rows', lang))}</p>"
    cats = list(dict.fromkeys(cov["category"].astype(str)))
    names = [_category_name(results, c) for c in cats]
    series: dict[str, list[float]] = {}
    targets: list[float | None] = []
    for lev in LEVELS:
        vals = []
        for c in cats:
            hit = cov.loc[(cov["category"].astype(str) == c) & (cov["level"].astype(str) == lev)]
            vals.append(float(hit["network_share"].iloc[0]) if len(hit) else math.nan)
        series[level_label(lev, lang)] = vals
    for c in cats:
        req = cov.loc[(cov["category"].astype(str) == c) & cov["required"].astype(bool)]
        targets.append(1.0 if len(req) else None)
    chart = grouped_bar_svg(
        labels=names,
        series=series,
        title=label("coverage_chart_title", lang),
        targets=targets,
        target_label=label("target", lang),
    )
    rows = [
        [
            _e(r["category_name"]),
            _e(level_label(str(r["level"]), lang)),
            _num(r["distance_m"], 0),
            _pct(r["network_share"]),
            _pct(r["straight_line_share"]),
            _num(r["population_covered"], 0),
            _e(label("yes" if bool(r["required"]) else "no", lang)),
        ]
        for _, r in cov.iterrows()
    ]
    cols = [
        "category_name",
        "level",
        "distance_m",
        "network_share",
        "straight_line_share",
        "population_covered",
        "required",
    ]
    table = _table([label(c, lang) for c in cols], rows, numeric={2, 3, 4, 5})
    return f'<div class="chart">{chart}</div>{table}'


def _communities_section(results: RunResults) -> str:
    lang = results.lang
    com = results.communities
    if len(com) == 0:
        return f"<p>{_e(label('none_rows', lang))}</p>"
    cols = [
        "id",
        "name",
        "kind",
        "households",
        "population",
        "service_floor_area_m2",
        "area_per_100hh_m2",
        "area_per_100hh_required_m2",
        "area_per_100hh_shortfall_m2",
        "area_per_100hh_pass",
        "reachable_area_per_100hh_m2",
        "community_size_result",
    ]
    cols = [c for c in cols if c in com.columns]
    numeric = {
        j
        for j, c in enumerate(cols)
        if c not in ("id", "name", "kind", "area_per_100hh_pass", "community_size_result")
    }
    rows = []
    for _, r in com.iterrows():
        row = []
        for c in cols:
            if c in ("area_per_100hh_pass", "community_size_result"):
                row.append(_result(r[c], lang))
            elif c in ("households", "population"):
                row.append(_num(r[c], 0))
            elif c in numeric_cols(cols, numeric):
                row.append(_num(r[c], 1))
            else:
                row.append(_e(r[c]))
        rows.append(row)
    return _table([label(c, lang) for c in cols], rows, numeric=numeric)


def numeric_cols(cols: list[str], numeric: set[int]) -> set[str]:
    """Names of the columns at the positions in ``numeric``."""
    return {cols[j] for j in numeric}


def _area_charts(results: RunResults) -> str:
    lang = results.lang
    com = results.communities
    if len(com) == 0 or "area_per_100hh_m2" not in com:
        return f"<p>{_e(label('none_rows', lang))}</p>"
    threshold = _threshold(results)
    values = pd.to_numeric(com["area_per_100hh_m2"], errors="coerce").to_numpy(dtype=float)
    names = [str(n) for n in com.get("name", com.get("id", pd.Series(range(len(com)))))]
    order = np.argsort(np.nan_to_num(values, nan=-1.0))[::-1]
    bars = horizontal_bar_svg(
        labels=[names[i] for i in order][:60],
        values=[float(values[i]) for i in order][:60],
        title=label("community_chart_title", lang),
        threshold=threshold,
        threshold_label=label("threshold_line", lang),
        unit=label("m2_per_100hh", lang),
    )
    hist = histogram_svg(
        values,
        threshold=threshold,
        title=label("histogram_title", lang),
        threshold_label=label("threshold_line", lang),
        x_label=label("m2_per_100hh", lang),
        y_label=label("count_communities", lang),
    )
    return f'<div class="chart">{bars}</div><div class="chart">{hist}</div>'


def _stations_section(results: RunResults) -> str:
    lang = results.lang
    fac = results.facilities
    if len(fac) == 0:
        return f"<p>{_e(label('none_rows', lang))}</p>"
    mask = fac["category"].astype(str).eq(STATION)
    if "station_min_area_result" in fac:
        mask |= fac["station_min_area_result"].notna()
    st = fac.loc[mask.to_numpy()]
    if len(st) == 0:
        return f"<p>{_e(label('none_rows', lang))}</p>"
    sources = results.compliance
    src_by_id: dict[str, tuple[str, str]] = {}
    if len(sources):
        sel = sources.loc[sources["check"].astype(str) == "station_min_area"]
        for _, r in sel.iterrows():
            src_by_id[str(r["id"])] = (str(r["source"]), str(r["status"]))
    cols = [
        "id",
        "name",
        "tier",
        "floor_area_m2",
        "station_min_area_m2",
        "station_min_area_result",
        "served_households",
        "required_floor_area_m2",
        "source",
    ]
    rows = []
    for _, r in st.iterrows():
        src, status = src_by_id.get(str(r.get("id")), ("", ""))
        rows.append(
            [
                _e(r.get("id")),
                _e(r.get("name")),
                _e(r.get("tier")) if not _na(r.get("tier")) else "–",
                _num(r.get("floor_area_m2")),
                _num(r.get("station_min_area_m2")),
                _result(r.get("station_min_area_result"), lang),
                _num(r.get("served_households"), 0),
                _num(r.get("required_floor_area_m2")),
                f"{_e(src)} {_status(status)}",
            ]
        )
    return _table([label(c, lang) for c in cols], rows, numeric={3, 4, 6, 7})


def _sites_section(results: RunResults) -> str:
    lang = results.lang
    sites = results.sites
    if len(sites) == 0:
        return f"<p>{_e(label('no_sites', lang))}</p>"
    cols = [
        "rank",
        "candidate_id",
        "category",
        "newly_covered_population",
        "required_floor_area_m2",
    ]
    rows = []
    for _, r in sites.sort_values("rank").iterrows():
        pt = r.geometry.representative_point() if r.geometry is not None else None
        rows.append(
            [
                _num(r.get("rank"), 0),
                _e(r.get("candidate_id")),
                _e(_category_name(results, str(r.get("category")))),
                _num(r.get("newly_covered_population"), 0),
                _num(r.get("required_floor_area_m2")),
                "–" if pt is None else f"{pt.x:.5f}",
                "–" if pt is None else f"{pt.y:.5f}",
            ]
        )
    headers = [label(c, lang) for c in cols] + [label("lon", lang), label("lat", lang)]
    return _table(headers, rows, numeric={0, 3, 4, 5, 6})


def _issue_row(kind: IssueKind) -> list[str]:
    """A kind of data problem as a table row; its example ids end in "…" when there are more."""
    more = "…" if kind.count > len(kind.examples) else ""
    examples = _e("、".join(kind.examples) + more) if kind.examples else "–"
    texts = [_e(kind.layer), _e(kind.problem), _e(kind.action)]
    return [*texts, _num(kind.count, 0), _num(kind.population, 0), examples]


def _issues_section(results: RunResults) -> str:
    """The data problems by kind (the full list is in issues.csv and the xlsx)."""
    lang = results.lang
    issues = results.issues
    if len(issues) == 0:
        return f"<p>{_e(label('no_issues', lang))}</p>"
    kinds = issue_kinds(issues, demand=results.demand, communities=results.communities)
    headers = ["layer", "problem", "action", "issue_count", "population_affected", "examples"]
    note = label("issues_by_kind", lang).format(n=f"{len(issues):,}", k=f"{len(kinds):,}")
    table = _table([label(c, lang) for c in headers], [_issue_row(k) for k in kinds], {3, 4})
    return f'<p class="note">{_e(note)}</p>{table}'


def _methods_section(results: RunResults) -> str:
    lang = results.lang
    m = results.methods
    unit_m = label("m_unit", lang)
    levels = "；".join(
        f"{level_label(k, lang)} {v:g} {unit_m}" for k, v in m.level_distances_m.items()
    )
    facts = [
        (label("network_source", lang), _e(m.network_source)),
        (label("network_date", lang), _e(m.network_date)),
        (
            label("network_size", lang),
            _e(label("nodes_edges", lang).format(n=f"{m.n_nodes:,}", e=f"{m.n_edges:,}")),
        ),
        (label("metric_crs", lang), _e(m.metric_crs)),
        (label("max_snap", lang), f"{m.max_snap_m:g} {_e(unit_m)}"),
        (label("walk_levels", lang), _e(levels)),
        (
            label("walk_speed", lang),
            f"{m.walk_speed_m_per_min:g} {_e(label('m_per_min', lang))}",
        ),
        (label("profile", lang), f"{_e(m.profile_name)}（{_e(m.profile_id)}）"),
    ]
    facts_html = _table([label("item", lang), label("value", lang)], [[_e(k), v] for k, v in facts])
    fig = results.figures
    fig_rows = [
        [
            _e(r.get("label")),
            _num(r.get("value"), 1),
            _e(r.get("unit")),
            _e(r.get("source")),
            _status(r.get("status")),
        ]
        for _, r in fig.iterrows()
    ]
    fig_html = _table(
        [label(c, lang) for c in ("label", "value", "unit", "source", "status")],
        fig_rows,
        numeric={1},
    )
    credit = _credit(results)
    return (
        facts_html
        + f'<p class="note">{_e(label("snapping_text", lang))}</p>'
        + f'<p class="note">{_e(label("walk_rules_text", lang))}</p>'
        + f"<h3>{_e(label('figures_used', lang))}</h3>"
        + fig_html
        + f'<p class="note">{_e(label("status_legend", lang))}</p>'
        + (f'<p class="note">{_e(credit)}</p>' if credit else "")
        + provenance_html(results.provenance, lang)
    )


def render_report_html(results: RunResults) -> str:
    """Return the whole planning report as one self-contained HTML page.

    Parameters
    ----------
    results
        The run to report on; its ``lang`` sets the language.

    Returns
    -------
    str
        HTML with inline CSS (A4 print rules) and inline SVG charts; no external resource.
        Sections have the ids ``headline``, ``map``, ``coverage``, ``walking``, ``communities``,
        ``area-chart``, ``stations``, ``sites``, ``issues``, ``scenarios`` (when the run has
        scenarios) and ``methods``.
    """
    lang = results.lang
    title = f"{results.project_name} · {label('report_title', lang)}"
    sections = [
        ("headline", "sec_headline", _headline(results)),
        ("map", "sec_map", map_figure_html(results)),
        ("coverage", "sec_coverage", _coverage_section(results)),
        ("walking", "sec_walking", walking_html(results)),
        ("communities", "sec_communities", _communities_section(results)),
        ("area-chart", "sec_area_chart", _area_charts(results)),
        ("stations", "sec_stations", _stations_section(results)),
        ("sites", "sec_sites", _sites_section(results)),
        ("issues", "sec_issues", _issues_section(results)),
        ("methods", "sec_methods", _methods_section(results)),
    ]
    if results.scenarios:
        sections.insert(-2, ("scenarios", "sec_scenarios", scenarios_html(results)))
    titled = number_items([(s, label(k, lang), c) for s, k, c in sections], lang)
    nav = "".join(f'<li><a href="#{sid}">{_e(name)}</a></li>' for sid, name, _ in titled)
    body = "".join(
        f'<section id="{sid}"><h2>{_e(name)}</h2>{content}</section>'
        for sid, name, content in titled
    )
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}{print_css(lang)}</style></head><body>"
        + cover_html(results, title)
        + f"<nav><b>{_e(label('contents', lang))}</b><ol>{nav}</ol></nav>"
        + body
        + "</body></html>\n"
    )


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
