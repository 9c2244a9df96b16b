"""The planning report ``report.html`` (self-contained, prints on A4); ``report.xlsx`` is
written by :mod:`lifecircle.maps.workbook`.

``report.html`` has no external resource: CSS is inline and the charts are inline SVG
(:mod:`lifecircle.maps.charts`), so it opens on an office intranet and files as a PDF from
the browser's print dialog. Every string from user data is HTML-escaped. Labels come from
:mod:`lifecircle.maps.labels`, in the run's language.

Examples
--------
>>> page = render_report_html(results)  # doctest: +SKIP
>>> Path("out/report.html").write_text(page, encoding="utf-8")  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd

from lifecircle.analysis.results import RunResults
from lifecircle.issuetexts import layer_name, source_title
from lifecircle.maps.charts import grouped_bar_svg, histogram_svg, horizontal_bar_svg
from lifecircle.maps.figlabels import status_legend
from lifecircle.maps.headline import (
    headline_notes as _headline_notes,
    judged as _judged,
    passing as _passing,
    persons_per_household as _persons_per_household,
    population_rows as _population_rows,
)
from lifecircle.maps.htmlparts import num as _num, pct as _pct, result as _result, table as _table
from lifecircle.maps.issuesummary import IssueKind, issue_kinds
from lifecircle.maps.labels import (
    check_label,
    data_credit,
    escape_html as _e,
    is_missing as _na,
    kind_label,
    label,
    level_label,
    tier_label,
)
from lifecircle.maps.provenance import provenance_html
from lifecircle.maps.reportprint import cover_html, map_figure_html, number_items, print_css
from lifecircle.maps.scenarioreport import scenarios_html
from lifecircle.maps.sitingreport import sites_html
from lifecircle.maps.walkreport import walking_html
from lifecircle.vocab import LEVELS, STATION

logger = logging.getLogger(__name__)

__all__ = ["render_report_html"]

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
    """The category's name as the profile gives it, else its id."""
    return results.category_names.get(category, category)


# --------------------------------------------------------------------------------------------
# sections


def _headline(results: RunResults) -> str:
    lang = results.lang
    rows: list[list[str]] = []
    rows.extend(_population_rows(results))
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
                + (" ({} m)" if lang == "en" else "（{} m）").format(_num(r["distance_m"], 0)),
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
        name = f"{label(key, lang)} · {check_label(check, lang)}"
        rows.append([_e(name), *_passing(results, check, counts)])
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
    table = _table(
        [
            label("headline_item", lang),
            label("headline_value", lang),
            label("headline_target", lang),
        ],
        rows,
        numeric={1, 2},
    )
    return table + "".join(f'<p class="note">{_e(n)}</p>' for n in _headline_notes(results))


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
        "population_supplied",
        "population",
        "population_left_out",
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
            if c == "area_per_100hh_pass":
                row.append(_judged(r[c], r.get("area_per_100hh_required_m2"), lang))
            elif c == "community_size_result":
                row.append(_result(r[c], lang))
            elif c == "population_supplied" and _flag(r.get("population_no_value")):
                row.append(f'<span class="na">{_e(label("population_no_value", lang))}</span>')
            elif c in ("households", "population", "population_supplied", "population_left_out"):
                row.append(_num(r[c], 0))
            elif c in numeric_cols(cols, numeric):
                row.append(_num(r[c], 1))
            else:
                row.append(_e(kind_label(r[c], lang) if c == "kind" else r[c]))
        rows.append(row)
    headers = [label("population_counted" if c == "population" else c, lang) for c in cols]
    return _table(headers, rows, numeric=numeric)


def _flag(value: object) -> bool:
    """A bool cell: True only where it holds true (missing is False)."""
    return not _na(value) and bool(value)


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
    refs: dict[tuple[str, str], int] = {}  # (source, status) → its number under the table
    for _, r in st.iterrows():
        src, status = src_by_id.get(str(r.get("id")), ("", ""))
        ref = refs.setdefault((src, status), len(refs) + 1) if src else None
        rows.append(
            [
                _e(r.get("id")),
                _e(r.get("name")),
                _e(tier_label(r.get("tier"), lang)),
                _num(r.get("floor_area_m2")),
                _num(r.get("station_min_area_m2")),
                _judged(r.get("station_min_area_result"), r.get("station_min_area_m2"), lang),
                _num(r.get("served_households"), 0),
                _num(r.get("required_floor_area_m2")),
                f"[{ref}]" if ref is not None else "",
            ]
        )
    table = _table([label(c, lang) for c in cols], rows, numeric={3, 4, 6, 7})
    pph = _persons_per_household(results)
    note = label("served_households_def", lang).format(pph=pph)
    cited = "".join(
        f"<li>[{k}] {_e(source_title(src))} {_status(status)}</li>"
        for (src, status), k in refs.items()
    )
    sources_note = f'<ul class="note sources">{cited}</ul>' if cited else ""
    return table + sources_note + f'<p class="note">{_e(note)}</p>'


def _sites_section(results: RunResults) -> str:
    sites = results.sites
    if len(sites) == 0:
        return f"<p>{_e(label('no_sites', results.lang))}</p>"
    return sites_html(results, _category_name(results, str(sites["category"].iloc[0])))


def _issue_row(kind: IssueKind, lang: str) -> list[str]:
    """A kind of data problem as a table row; its example ids end in "…" when there are more."""
    more = "…" if kind.count > len(kind.examples) else ""
    sep = ", " if lang == "en" else "、"
    examples = _e(sep.join(kind.examples) + more) if kind.examples else "–"
    texts = [_e(layer_name(kind.layer, lang)), _e(kind.problem), _e(kind.action)]
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
    table = _table([label(c, lang) for c in headers], [_issue_row(k, lang) for k in kinds], {3, 4})
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
        + f'<p class="note">{_e(status_legend(lang))}</p>'
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
