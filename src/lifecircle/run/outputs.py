"""The outputs writer: map.html, report.html, report.xlsx, results.gpkg, summary.json, issues.csv.

Every file is first written to a temporary folder inside the output folder and moved into place
only when all of them are complete, all together (:mod:`lifecircle.run.outfolder`), so a failed
run, or a file held open by Excel or QGIS, leaves the previous outputs untouched and no
half-written file. The files carry no timestamp but the run date (:mod:`lifecircle.maps.filing`):
two runs on the same inputs give the same bytes, except the seconds in summary.json's
``timings_s``.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from lifecircle.analysis.results import RunResults
from lifecircle.dataissues import issues_table
from lifecircle.issuetexts import render
from lifecircle.maps.cjkfont import find_cjk_font
from lifecircle.maps.filing import csv_safe, gdal_run_date
from lifecircle.maps.labels import data_credit, label
from lifecircle.maps.pdfreport import write_report_pdf
from lifecircle.maps.report import render_report_html
from lifecircle.maps.webmap import build_map, save_map
from lifecircle.maps.workbook import write_report_xlsx
from lifecircle.project import MapSpec
from lifecircle.run.outfolder import make_temp_folder, replace_all
from lifecircle.run.summary import build_summary
from lifecircle.run.timer import Count, Progress, StepTimer

#: Output name → file name, in the order they are moved into place.
OUTPUT_FILES = {
    "map": "map.html",
    "report": "report.html",
    "report_xlsx": "report.xlsx",
    "results": "results.gpkg",
    "summary": "summary.json",
    "issues": "issues.csv",
}

#: The PDF of the report, written when asked for (``[report] pdf`` or ``--pdf``).
PDF_FILE = "report.pdf"

#: The folder of the scenarios' own outputs, one subfolder each.
SCENARIOS_FOLDER = "scenarios"

#: The layers of results.gpkg and the frames of the results they hold.
GPKG_LAYERS = ("demand", "communities", "facilities", "isochrones", "sites")
#: The layers written only when the run has them (walking-time isochrones: with ``[walking]``).
GPKG_OPTIONAL_LAYERS = ("isochrones_time",)


def frame_for_gpkg(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Plain column types GeoPackage takes: bools as 0/1, text as str, non-finite floats as NULL."""
    out = gdf.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        series = out[col]
        if pd.api.types.is_bool_dtype(series):
            out[col] = series.astype("float64").where(series.notna()).astype("Int8")
        elif pd.api.types.is_float_dtype(series):
            out[col] = series.where(np.isfinite(series.to_numpy(dtype=float)))
        elif not pd.api.types.is_numeric_dtype(series):
            out[col] = series.map(
                lambda v: (
                    None
                    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                    else str(v)
                )
            ).astype(object)
    return out


def _write_map(
    results: RunResults, path: Path, map_spec: MapSpec, count: Count | None = None
) -> None:
    lang = results.lang
    m = results.methods
    required = results.communities["area_per_100hh_required_m2"].dropna()
    folium_map = build_map(
        communities=results.communities,
        facilities=results.facilities,
        isochrones=results.isochrones,
        uncovered=results.uncovered,
        sites=results.sites,
        site_catchments=results.site_catchments,
        streets=results.streets,
        title=f"{results.project_name} · {label('life_circle', lang)}",
        subtitle=m.profile_name,
        lang=lang,
        basemap=map_spec.basemap,
        offline=map_spec.offline,
        tile_url=map_spec.tile_url,
        compounds=results.compounds,
        gates=results.gates,
        tile_attribution=map_spec.tile_attribution,
        threshold_m2_per_100hh=float(required.iloc[0]) if len(required) else None,
        category_names=results.category_names,
        attribution=data_credit(osm=m.osm_credit, synthetic=m.synthetic, lang=lang),
        count=count,
        scenarios=results.scenarios,
        time_callouts=results.time_callouts,
        isochrones_time=results.isochrones_time,
        walking=m.walking,
    )
    save_map(folium_map, path)


def results_crs(results: RunResults, crs: CRS | None = None) -> CRS:
    """The CRS of results.gpkg: ``crs`` (``[output] crs``) when given, else the CRS the
    communities were read in (CGCS2000 lon/lat where they were GCJ-02 or BD-09), else WGS84."""
    if crs is not None:
        return crs
    return results.communities_crs or CRS.from_epsg(4326)


def _write_data(results: RunResults, folder: Path, crs: CRS | None = None) -> None:
    """results.gpkg (in :func:`results_crs`) and issues.csv of a run (or a scenario) into
    ``folder``."""
    gpkg = folder / OUTPUT_FILES["results"]
    target = results_crs(results, crs)
    with gdal_run_date():
        for name in GPKG_LAYERS + GPKG_OPTIONAL_LAYERS:
            layer = getattr(results, name)
            if layer is None:
                continue
            frame = frame_for_gpkg(layer)
            if frame.crs is not None and not frame.crs.equals(target):
                frame = frame.to_crs(target)
            frame.to_file(gpkg, layer=name, driver="GPKG", engine="pyogrio")
    issues = issues_table(results.issues, results.lang)
    issues.map(csv_safe).to_csv(folder / OUTPUT_FILES["issues"], index=False, encoding="utf-8-sig")


def _write_summary(results: RunResults, folder: Path, timings_s: Mapping[str, float]) -> None:
    (folder / OUTPUT_FILES["summary"]).write_text(
        json.dumps(build_summary(results, timings_s), ensure_ascii=False, indent=2),
        encoding="utf-8",
    )


def _write_scenarios(
    scenarios: Mapping[str, RunResults], folder: Path, crs: CRS | None = None
) -> None:
    """Each scenario's summary.json, results.gpkg and issues.csv in ``scenarios/<folder>/``."""
    for name, results in scenarios.items():
        sub = folder / SCENARIOS_FOLDER / name
        sub.mkdir(parents=True)
        _write_data(results, sub, crs)
        _write_summary(results, sub, results.timings_s)


def no_pdf_issue(results: RunResults) -> RunResults:
    """``results`` with one more data problem: report.pdf could not be made (no CJK font)."""
    problem, action = render("pdf_no_cjk_font", {}, results.lang)
    row = {
        "layer": "report",
        "row_id": PDF_FILE,
        "problem": problem,
        "action": action,
        "code": "pdf_no_cjk_font",
    }
    issues = pd.concat([results.issues, pd.DataFrame([row])], ignore_index=True)
    return replace(results, issues=issues)


def write_outputs(
    results: RunResults,
    out_dir: Path,
    *,
    map_spec: MapSpec | None = None,
    pdf: bool = False,
    progress: Progress | None = None,
    started_s: float | None = None,
    scenarios: Mapping[str, RunResults] | None = None,
    output_crs: CRS | None = None,
) -> dict[str, Path]:
    """Write the output folder atomically: every file goes to a temporary folder first.

    Parameters
    ----------
    results
        The run's results.
    out_dir
        The output folder (created when missing).
    map_spec
        The ``[map]`` options (basemap, offline Leaflet, custom tiles); default: no basemap.
    progress
        Told when the map and report steps start and end.
    pdf
        Also write ``report.pdf`` from report.html. Without a font with Chinese glyphs it is
        not written: the run goes on and says why in issues.csv, the report and summary.json
        (a data problem of the layer 报告 / report) and in the returned files (no ``report_pdf``).
    started_s
        ``time.perf_counter()`` at the start of the run, for the total in summary.json;
        without it the total is the sum of the steps.
    scenarios
        Scenario folder name → the scenario's results, written to ``scenarios/<name>/``; the
        comparison with the run is in ``results.scenarios``. Without scenarios an earlier
        run's ``scenarios/`` folder is removed with the other outputs replaced.
    output_crs
        The CRS of results.gpkg (``[output] crs``); default: the CRS the communities were read
        in (:func:`results_crs`). The map is always drawn in EPSG:4326.

    Returns
    -------
    dict
        Output name (``map``, ``report``, ``report_xlsx``, ``results``, ``summary``, ``issues``,
        and ``report_pdf`` when written) → final path.
    """
    font = find_cjk_font() if pdf else None
    if pdf and font is None:
        results = no_pdf_issue(results)
    timer = StepTimer(progress)
    tmp = make_temp_folder(out_dir)
    try:
        with timer.step("map") as count:
            _write_map(results, tmp / OUTPUT_FILES["map"], map_spec or MapSpec(), count)
        with timer.step("report") as count:
            html = render_report_html(results)
            (tmp / OUTPUT_FILES["report"]).write_text(html, encoding="utf-8")
            if font is not None:
                write_report_pdf(html, tmp / PDF_FILE, lang=results.lang, font=font)
            count(1, 4)
            write_report_xlsx(results, tmp / OUTPUT_FILES["report_xlsx"])
            count(2, 4)
            _write_data(results, tmp, output_crs)
            count(3, 4)
            _write_scenarios(scenarios or {}, tmp, output_crs)
            count(4, 4)
        timings = dict(results.timings_s) | timer.timings_s
        timings["total"] = (
            time.perf_counter() - started_s if started_s is not None else sum(timings.values())
        )
        _write_summary(results, tmp, timings)
        replace_all(tmp, out_dir, [*OUTPUT_FILES.values(), PDF_FILE, SCENARIOS_FOLDER])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    files = {key: out_dir / name for key, name in OUTPUT_FILES.items()}
    if font is not None:
        files["report_pdf"] = out_dir / PDF_FILE
    return files
