"""Every user-facing string of the map and the report, in Chinese and English, in one place.

The report (``lifecircle.maps.report``) and the charts read their labels from here too, so a
wording change or a new language touches one file.

Examples
--------
>>> label("communities", "en")
'Communities'
>>> level_label("15min", "zh")
'15分钟'
"""

from __future__ import annotations

import html

import pandas as pd

from lifecircle.vocab import LANGS

_LABELS: dict[str, tuple[str, str]] = {
    # map layers
    "communities": ("社区达标情况", "Communities"),
    "stations": ("社区综合服务站", "Community service stations"),
    "facilities": ("设施（按类别）", "Facilities by category"),
    "isochrones": ("步行等时圈", "Walking isochrones"),
    "uncovered": ("未覆盖人口", "Population not covered"),
    "sites": ("建议新增设施点", "Proposed sites"),
    "site_catchments": ("建议设施服务范围", "Catchments of proposed sites"),
    "streets": ("步行路网", "Walk network"),
    # map furniture
    "legend": ("图例", "Legend"),
    "fullscreen": ("全屏", "Full screen"),
    "exit_fullscreen": ("退出全屏", "Exit full screen"),
    "no_basemap": ("无底图", "No basemap"),
    "tianditu_missing": (
        "未设置环境变量 TIANDITU_KEY，天地图底图已跳过",
        "TIANDITU_KEY is not set: the Tianditu basemap was skipped",
    ),
    "gcj02_note": (
        "底图为 GCJ-02 坐标，专题图层已偏移对齐",
        "GCJ-02 basemap: overlays shifted to line up",
    ),
    "basemap_osm": ("OpenStreetMap", "OpenStreetMap"),
    "basemap_light": ("浅色底图", "Light basemap"),
    "basemap_tianditu": ("天地图", "Tianditu"),
    "basemap_tianditu_labels": ("天地图注记", "Tianditu labels"),
    "basemap_amap": ("高德地图", "Amap"),
    "basemap_custom": ("底图", "Basemap"),
    "data_credit": ("数据", "Data"),
    # results and fields
    "pass": ("达标", "Pass"),
    "fail": ("不达标", "Fail"),
    "passed": ("达标", "Passed"),
    "failed": ("不达标", "Failed"),
    "not_provided": ("无标准/无数据", "No norm or data"),
    "name": ("名称", "Name"),
    "id": ("编号", "ID"),
    "kind": ("类型", "Kind"),
    "street": ("街道/乡镇", "Street / town"),
    "households": ("户数", "Households"),
    "population": ("人口", "Population"),
    "category": ("设施类别", "Category"),
    "category_name": ("类别名称", "Category name"),
    "floor_area_m2": ("建筑面积（m²）", "Floor area (m²)"),
    "service_floor_area_m2": ("服务设施建筑面积（m²）", "Service floor area (m²)"),
    "area_per_100hh_m2": ("每百户建筑面积（m²）", "Floor area per 100 households (m²)"),
    "area_per_100hh_required_m2": ("每百户面积标准（m²）", "Required per 100 households (m²)"),
    "area_per_100hh_pass": ("每百户面积达标", "Per-100-household norm met"),
    "area_per_100hh_shortfall_m2": ("面积缺口（m²）", "Floor-area shortfall (m²)"),
    "reachable_area_per_100hh_m2": (
        "步行可达每百户面积（m²）",
        "Reachable floor area per 100 households (m²)",
    ),
    "community_size_result": ("社区规模", "Community size"),
    "community_id": ("所属社区", "Community"),
    "snap_dist_m": ("接入路网距离（m）", "Distance to network (m)"),
    "served_households": ("服务户数", "Households served"),
    "required_floor_area_m2": ("需要建筑面积（m²）", "Required floor area (m²)"),
    "tier": ("层级", "Tier"),
    "station_min_area_m2": ("站点最小面积（m²）", "Station minimum size (m²)"),
    "station_min_area_result": ("站点规模", "Station size"),
    "threshold": ("标准", "Threshold"),
    "shortfall": ("缺口", "Shortfall"),
    "source": ("依据", "Source"),
    "status": ("状态", "Status"),
    "value": ("数值", "Value"),
    "unit": ("单位", "Unit"),
    "result": ("结果", "Result"),
    "check": ("检查项", "Check"),
    "subject": ("对象", "Subject"),
    "key": ("指标", "Key"),
    "label": ("说明", "Figure"),
    "level": ("圈层", "Level"),
    "distance_m": ("步行距离（m）", "Walking distance (m)"),
    "network_share": ("覆盖率（路网）", "Coverage (network)"),
    "straight_line_share": ("覆盖率（直线）", "Coverage (straight line)"),
    "population_covered": ("覆盖人口", "Population covered"),
    "required": ("标准要求", "Required"),
    "rank": ("序号", "Rank"),
    "candidate_id": ("候选点编号", "Candidate"),
    "newly_covered_population": ("新增覆盖人口", "Newly covered population"),
    "lon": ("经度", "Longitude"),
    "lat": ("纬度", "Latitude"),
    "layer": ("图层", "Layer"),
    "row_id": ("要素编号", "Row id"),
    "problem": ("问题", "Problem"),
    "action": ("处理", "Action"),
    "item": ("项目", "Item"),
    "missing_categories": ("缺少的设施", "Missing facilities"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "m2_per_100hh": ("m²/百户", "m² per 100 households"),
    "station_size_legend": ("圆大小 = 建筑面积", "Circle size = floor area"),
    "threshold_line": ("标准线", "Threshold"),
    "community": ("社区", "community"),
    "station": ("站点", "station"),
    # report
    "report_title": ("15分钟生活圈评估报告", "15-minute life-circle assessment"),
    "profile": ("标准配置", "Norm profile"),
    "generated": ("生成日期", "Generated"),
    "contents": ("目录", "Contents"),
    "sec_headline": ("主要结论", "Headline figures"),
    "sec_coverage": ("各类设施步行覆盖率", "Walking coverage by facility category"),
    "sec_communities": ("各社区达标情况", "Compliance per community"),
    "sec_area_chart": ("每百户建筑面积分布", "Floor area per 100 households"),
    "sec_stations": ("社区综合服务站", "Community service stations"),
    "sec_sites": ("建议新增设施点", "Proposed sites"),
    "sec_issues": ("数据问题", "Data problems"),
    "sec_methods": ("方法与依据", "Methods and sources"),
    "headline_item": ("指标", "Measure"),
    "headline_value": ("结果", "Result"),
    "headline_target": ("目标", "Target"),
    "total_population": ("总人口", "Total population"),
    "completeness": ("全部必配设施覆盖（完整度）", "Reach every required facility (completeness)"),
    "communities_passing": ("达标社区", "Communities passing"),
    "stations_passing": ("达标站点", "Stations passing"),
    "total_shortfall": ("每百户面积总缺口", "Total floor-area shortfall"),
    "data_issue_count": ("数据问题", "Data problems"),
    "coverage_chart_title": ("各类设施覆盖率（路网步行）", "Coverage per category (network walk)"),
    "community_chart_title": (
        "各社区每百户建筑面积",
        "Floor area per 100 households, by community",
    ),
    "histogram_title": ("每百户建筑面积分布", "Distribution of floor area per 100 households"),
    "count_communities": ("社区数", "Communities"),
    "target": ("目标", "Target"),
    "none_rows": ("无", "None"),
    "no_sites": ("本次未进行选址。", "No siting was run."),
    "no_issues": ("未发现数据问题。", "No data problems were found."),
    "network_source": ("路网来源", "Network source"),
    "network_date": ("路网日期", "Network date"),
    "network_size": ("路网规模", "Network size"),
    "nodes_edges": ("{n} 个节点，{e} 条路段", "{n} nodes, {e} edges"),
    "metric_crs": ("计算坐标系", "Analysis CRS"),
    "max_snap": ("最大接入距离", "Largest snapping distance"),
    "snapping_text": (
        "人口点和设施点吸附到最近的路段（而非节点），直线接入距离计入步行距离；"
        "超过最大接入距离的点列入数据问题，不参与计算。",
        "Demand points and facilities are snapped to the nearest street edge (not node) and the "
        "straight access leg is added to the walking distance; points farther than the largest "
        "snapping distance are listed as data problems and left out.",
    ),
    "walk_levels": ("各圈层步行距离", "Walking distance per level"),
    "walk_speed": ("步行速度", "Walking speed"),
    "figures_used": ("所用标准指标", "Norm figures used"),
    "status_legend": (
        "状态：P = 已发布标准原文核实；S = 二手资料；B = 基于原文推算；"
        "U = 未核实（unconfirmed），使用前请核对原文。",
        "Status: P = checked in the published norm; S = secondary source; B = derived from the "
        "published text; U = unconfirmed: check the original before relying on it.",
    ),
    "osm_credit": (
        "路网 © OpenStreetMap 贡献者（ODbL）",
        "Streets © OpenStreetMap contributors (ODbL)",
    ),
    "synthetic_credit": ("合成数据，仅供演示", "Synthetic data, for demonstration only"),
    "life_circle": ("15分钟生活圈", "15-minute life circle"),
    "print_hint": ("可直接打印为 A4", "Prints on A4"),
    "m_unit": ("米", "m"),
    "m_per_min": ("米/分钟", "m/min"),
    "people": ("人", "people"),
    "of_total": ("占", "of"),
    # xlsx
    "summary_item": ("项目", "Item"),
    "summary_value": ("数值", "Value"),
}

_LEVELS: dict[str, tuple[str, str]] = {
    "5min": ("5分钟", "5 min"),
    "10min": ("10分钟", "10 min"),
    "15min": ("15分钟", "15 min"),
}


def _index(lang: str) -> int:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return LANGS.index(lang)


def label(key: str, lang: str) -> str:
    """Return the UI string ``key`` in ``lang`` (``"zh"`` or ``"en"``).

    Raises
    ------
    KeyError
        If ``key`` is not a known label.
    ValueError
        If ``lang`` is not one of zh, en.
    """
    return _LABELS[key][_index(lang)]


def has_label(key: str) -> bool:
    """Return True when ``key`` has a translation."""
    return key in _LABELS


def level_label(level: str, lang: str) -> str:
    """Return the display name of a life-circle level (``"5min"`` → ``"5分钟"`` / ``"5 min"``).

    Unknown levels are returned unchanged.
    """
    pair = _LEVELS.get(level)
    return pair[_index(lang)] if pair else level


def result_label(result: object, lang: str) -> str:
    """Return the display name of a norm result (passed / failed / not_provided, or a bool)."""
    if isinstance(result, bool):
        return label("pass" if result else "fail", lang)
    text = "" if result is None else str(result)
    if text in ("passed", "failed", "not_provided"):
        return label(text, lang)
    if text.lower() in ("true", "false"):
        return label("pass" if text.lower() == "true" else "fail", lang)
    return text


def data_credit(*, osm: bool, synthetic: bool, lang: str) -> str:
    """The data credit of the map and the report: synthetic streets, OSM streets, or nothing.

    >>> data_credit(osm=False, synthetic=True, lang="en")
    'Synthetic data, for demonstration only'
    """
    parts = []
    if synthetic:
        parts.append(label("synthetic_credit", lang))
    if osm:
        parts.append(label("osm_credit", lang))
    return " · ".join(parts)


def escape_html(value: object) -> str:
    """User data as HTML text: None → empty, anything else ``str``, escaped (quotes too)."""
    return html.escape("" if value is None else str(value), quote=True)


def is_missing(value: object) -> bool:
    """True for None, NaN, NaT and pandas' NA; False for anything else, lists included."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False
