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

from lifecircle.maps.figlabels import FIG_LABELS
from lifecircle.vocab import LANGS

_LABELS: dict[str, tuple[str, str]] = {
    # map layers
    "communities": ("社区达标情况", "Communities"),
    "stations": ("社区综合服务站", "Community service stations"),
    "facilities": ("设施（按类别）", "Facilities by category"),
    "isochrones": ("步行等时圈", "Walking isochrones"),
    "time_isochrones": ("步行时间等时圈", "Walking-time isochrones"),
    "time_isochrones_legend": (
        "按各类设施服务人群的步速，计坡度与台阶，从家到设施",
        "at the pace of the group each category serves, slope and steps included, home to facility",
    ),
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
    "needs_internet": ("需联网", "needs internet"),
    "compounds": ("封闭小区", "Gated compounds"),
    "gates": ("小区出入口", "Compound gates"),
    "compound": ("小区", "Compound"),
    "gate": ("出入口", "Gate"),
    "compounds_legend": ("封闭小区与出入口", "Gated compounds and gates"),
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
    "network_share": ("覆盖率（路网，占计入人口）", "Coverage (network, of people counted)"),
    "straight_line_share": (
        "覆盖率（直线，占计入人口）",
        "Coverage (straight line, of people counted)",
    ),
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
    "persons_per_cell": ("每格人数，格网 {size} m", "persons per cell of {size} m"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # workbook columns, community types and station tiers
    "row": ("行号", "Row"),
    "workers": ("社区工作者（人）", "Community workers"),
    "social_orgs": ("社会组织（个）", "Social organisations"),
    "volunteers": ("志愿者（人）", "Volunteers"),
    "activity_floor_area_m2": ("居民活动用房面积（m²）", "Residents' activity floor area (m²)"),
    "elderly": ("老年人（人）", "Older people"),
    "children": ("儿童（人）", "Children"),
    "capacity": ("容量", "Capacity"),
    "area_per_100hh_result": ("每百户面积评价", "Per-100-household floor area"),
    "area_per_100hh_source": ("每百户面积依据", "Source of the per-100-household norm"),
    "community_size_min": ("社区规模下限（户）", "Community size minimum (households)"),
    "community_size_max": ("社区规模上限（户）", "Community size maximum (households)"),
    "social_orgs_result": ("社会组织数", "Social organisations"),
    "social_orgs_per_10k_result": ("每万人社会组织数", "Social organisations per 10,000"),
    "workers_result": ("每万人社区工作者", "Workers per 10,000 residents"),
    "volunteers_result": ("志愿者占比", "Volunteer share"),
    "activity_share_result": ("活动用房占比", "Activity floor-area share"),
    "facility_min_area_m2": ("设施最小面积（m²）", "Facility minimum size (m²)"),
    "facility_min_area_result": ("设施规模", "Facility size"),
    "station_min_area_source": ("站点面积依据", "Source of the station minimum"),
    "candidate_name": ("候选点名称", "Candidate name"),
    "max_floor_area_m2": ("可建建筑面积（m²）", "Buildable floor area (m²)"),
    "completeness_col": ("完整度 {level}", "Completeness {level}"),
    "uncovered_col": ("未覆盖人口 {level}", "Population not covered {level}"),
    "kind_urban": ("城市社区", "urban community"),
    "kind_town": ("镇区社区", "town community"),
    "kind_rural": ("农村社区", "rural community"),
    "tier_street_center": ("街道（乡镇）综合服务中心", "street / town service centre"),
    "tier_urban_station": ("城市社区综合服务站", "urban community service station"),
    "tier_village_station": ("村（社区）综合服务站", "village service station"),
    "m2_per_100hh": ("m²/百户", "m² per 100 households"),
    "station_size_legend": ("圆大小 = 建筑面积", "Circle size = floor area"),
    "threshold_line": ("标准线", "Threshold"),
    "community": ("社区", "community"),
    "station": ("站点", "station"),
    # report
    "report_title": ("15分钟生活圈评估报告", "15-minute life-circle assessment"),
    "profile": ("标准配置", "Norm profile"),
    "generated": ("生成日期", "Generated"),
    # the cover, the printed pages, the static map figure and report.pdf
    "organization": ("编制单位", "Prepared by"),
    "cover_project": ("项目", "Project"),
    "page_of": ("第 {n} 页 / 共 {m} 页", "Page {n} of {m}"),
    "table_no": ("表 {n}", "Table {n}"),
    "figure_no": ("图 {n}", "Figure {n}"),
    "sec_map": ("结果总图", "Results map"),
    "map_caption": (
        "各社区每百户建筑面积达标情况、社区综合服务站与建议新增设施点",
        "Communities by the per-100-household floor-area norm, community service stations and "
        "proposed sites",
    ),
    "north": ("北", "N"),
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
    "total_population": ("计入人口", "Population counted"),
    "completeness": (
        "全部必配设施覆盖（完整度，占计入人口）",
        "Reach every required facility (completeness, of people counted)",
    ),
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
    "issues_by_kind": (
        "共 {n} 条数据问题，按类型归并为 {k} 类；每类给出条数、涉及人口与示例编号。"
        "完整清单（每条一行）见 issues.csv 与 report.xlsx 的 issues 表。",
        "{n} data problems in {k} kinds; each kind with its count, the population affected and "
        "example ids. The full list, one row per problem: issues.csv and the issues sheet of "
        "report.xlsx.",
    ),
    "issue_count": ("条数", "Count"),
    "population_affected": ("涉及人口", "Population affected"),
    "examples": ("示例编号", "Example ids"),
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
    "provenance": ("数据来源与可复核信息", "Provenance"),
    "provenance_text": (
        "下列文件的 SHA-256 校验值可用 sha256sum（Windows：certutil -hashfile 文件 SHA256）"
        "复核：值相同即为同一文件。",
        "Check a file with sha256sum (Windows: certutil -hashfile FILE SHA256): the same value "
        "means the same file.",
    ),
    "tool_version": ("软件版本", "Tool version"),
    "profile_sha256": ("标准配置校验值（SHA-256）", "Profile hash (SHA-256)"),
    "input_role": ("用途", "Role"),
    "input_file": ("文件", "File"),
    "size_bytes": ("大小（字节）", "Size (bytes)"),
    "parameters": ("运行参数", "Parameters"),
    "walk_levels": ("各圈层步行距离", "Walking distance per level"),
    "walk_speed": ("步行速度", "Walking speed"),
    "figures_used": ("所用标准指标", "Norm figures used"),
    "osm_credit": (
        "路网 © OpenStreetMap 贡献者（ODbL）",
        "Streets © OpenStreetMap contributors (ODbL)",
    ),
    "synthetic_credit": ("合成数据，仅供演示", "Synthetic data, for demonstration only"),
    "life_circle": ("15分钟生活圈", "15-minute life circle"),
    # scenarios
    "sec_scenarios": ("情景方案对比", "Scenarios"),
    "scenario": ("情景", "Scenario"),
    "scenario_layer": ("情景", "Scenario"),
    "scenario_intro": (
        "每个情景在现状基础上增设、关闭设施或调整其建筑面积，其余输入不变；"
        "覆盖率为统计人口中步行可达的比例，新增/失去覆盖人口按各类设施本级生活圈距离计。",
        "Each scenario adds, closes or resizes facilities and keeps every other input; shares are "
        "of the counted population; people gained or lost are counted at each category's own "
        "life-circle distance.",
    ),
    "scenario_changes": (
        "设施变化：新增 {added} 处，关闭 {closed} 处，调整面积 {resized} 处。",
        "Facilities: {added} added, {closed} closed, {resized} resized.",
    ),
    "scenario_no_coverage_change": ("各类设施覆盖率均无变化。", "No category's coverage changes."),
    "scenario_no_community_change": (
        "没有社区的每百户面积结果发生变化。",
        "No community's floor-area result changes.",
    ),
    "share_before": ("现状覆盖率", "Share before"),
    "share_after": ("情景覆盖率", "Share after"),
    "share_delta": ("变化（百分点）", "Change (points)"),
    "newly_covered": ("新增覆盖人口", "Newly covered people"),
    "no_longer_covered": ("失去覆盖人口", "People no longer covered"),
    "gained_layer": ("新增覆盖人口", "Newly covered people"),
    "lost_layer": ("失去覆盖人口", "People no longer covered"),
    "changed_facilities": ("变化的设施", "Changed facilities"),
    "change": ("变化", "Change"),
    "change_added": ("新增", "added"),
    "change_closed": ("关闭", "closed"),
    "change_resized": ("调整面积", "resized"),
    "before": ("现状", "Before"),
    "after": ("情景", "After"),
    "floor_area_before": ("现状建筑面积（m²）", "Floor area before (m²)"),
    "floor_area_after": ("情景建筑面积（m²）", "Floor area after (m²)"),
    "area_before": ("现状每百户面积（m²）", "m² per 100 households before"),
    "area_after": ("情景每百户面积（m²）", "m² per 100 households after"),
    "shortfall_before": ("现状缺口（m²）", "Shortfall before (m²)"),
    "shortfall_after": ("情景缺口（m²）", "Shortfall after (m²)"),
    "result_before": ("现状结果", "Result before"),
    "result_after": ("情景结果", "Result after"),
    "norm_counts_change": ("规范检查", "Norm check"),
    "passed_before_after": ("达标（现状 → 情景）", "Passed (before → after)"),
    "failed_before_after": ("不达标（现状 → 情景）", "Failed (before → after)"),
    "scenario_no_norm_change": ("规范检查结果均无变化。", "No norm check's counts change."),
    "check_social_orgs": ("社会组织数量", "Social organisations"),
    "check_social_orgs_per_10k": ("每万人社会组织数", "Social organisations per 10,000 residents"),
    "check_workers": ("每万人社区工作者数", "Community workers per 10,000 residents"),
    "check_volunteers": ("注册志愿者占居民比例", "Registered volunteers' share of residents"),
    "check_activity_share": ("居民活动用房占比", "Residents' activity space share"),
    "check_facility_min_area": ("设施最小建筑面积", "Facility minimum floor area"),
    "print_hint": ("可直接打印为 A4", "Prints on A4"),
    "m_unit": ("米", "m"),
    "m_per_min": ("米/分钟", "m/min"),
    "m_per_s": ("米/秒", "m/s"),
    "minutes_n": ("{n}分钟", "{n} min"),
    "people": ("人", "people"),
    "of_total": ("占", "of"),
    # walking time
    "sec_walking": (
        "步行时间：坡度、台阶与人群步速",
        "Walking time: slope, steps and each group's pace",
    ),
    "walking_none": ("本次未计算步行时间。", "Walking time was not computed."),
    "walking_facts": (
        "步行时间按各类设施服务人群的平地步速计算：{speeds}；{slope}；台阶用时 ×{steps}。"
        "路网中台阶 {n_steps} 段；位于高程数据以外（按平地计）{n_flat} 段。",
        "Walking time is at the flat-ground pace of the group each category serves: {speeds}; "
        "{slope}; steps take {steps}× the time. The network has {n_steps} segments of steps; "
        "{n_flat} segments lie off the elevation model and are walked as flat ground.",
    ),
    "walking_slope_tobler": (
        "坡度按 Tobler 步行函数计算（高程数据 {dem}），上坡与下坡分别计算，时间为从家到设施",
        "slope by Tobler's hiking function (elevation from {dem}), uphill and downhill apart, "
        "timed from home to the facility",
    ),
    "walking_slope_flat": ("不计坡度（无高程数据）", "no slope (no elevation model)"),
    "walking_note": (
        "规范备案口径仍为步行距离（300/500/1000 米，见“各类设施步行覆盖率”）；步行时间为补充口径，"
        "按各类设施服务人群（老年人、儿童或全体居民）的人口加权。"
        "“坡度与台阶影响”＝含坡度与台阶的覆盖率 − 同一步速在平地上的覆盖率。",
        "The filed figure remains the walking distance (300 / 500 / 1,000 m, see the coverage "
        "section); walking time is a second measure, weighted by the people of the group each "
        "category serves (the elderly, children or every resident). 'Effect of slope and steps' "
        "= coverage with slope and steps − coverage at the same pace on flat ground.",
    ),
    "walking_group": ("服务人群", "Group served"),
    "walking_map_layer": (
        "坡度与台阶削减步行可达的社区",
        "Where slope and steps cut walking reach",
    ),
    "walking_map_legend": (
        "坡度与台阶使某类设施步行时间覆盖率下降 10 个百分点以上",
        "slope and steps cut a category's time coverage by 10 points or more",
    ),
    "walking_map_tip": (
        "服务人群步行时间覆盖率：平地 → 计坡度与台阶",
        "time coverage of the group served: flat ground → with slope and steps",
    ),
    "walking_map_more": ("另有 {n} 项", "{n} more"),
    "walking_map_isochrones": (
        "地图的“步行时间等时圈”图层（每类设施一层，打开时隐藏）绘出 {minutes}内可步行到达该类"
        "设施的范围，按其服务人群的步速（{paces}），计坡度与台阶。",
        "The map's 'Walking-time isochrones' layers (one per category, hidden at opening) draw "
        "the areas from which a facility of the category is reached within {minutes}, at the "
        "pace of the group it serves ({paces}), slope and steps included.",
    ),
    "distance_share": ("距离口径覆盖率（全体居民）", "By distance (all residents)"),
    "time_share": ("时间口径覆盖率（服务人群）", "By walking time (group served)"),
    "flat_time_share": ("同步速平地覆盖率", "Same pace on flat ground"),
    "hill_effect": ("坡度与台阶影响（百分点）", "Effect of slope and steps (points)"),
    "hill_callouts": (
        "坡度与台阶使覆盖率下降 10 个百分点以上的社区",
        "Communities where slope and steps cut coverage by 10 points or more",
    ),
    "hill_callouts_none": (
        "没有社区因坡度与台阶使覆盖率下降 10 个百分点以上。",
        "In no community do slope and steps cut coverage by 10 points or more.",
    ),
    "hill_callouts_more": (
        "另有 {n} 项未列出，见 results.gpkg 的 communities 图层（tcov_ 列）。",
        "{n} more not listed: see the tcov_ columns of the communities layer in results.gpkg.",
    ),
    "community_col": ("社区", "Community"),
    "time_min_header": ("{name} 步行时间（分钟）", "{name} walking time (min)"),
    "tcov_header": ("{name} {level}步行时间覆盖率", "{name} {level} walking-time coverage"),
    "walk_rules_text": (
        "步行路网按 OpenStreetMap 在中国的惯例：cycleway（非机动车道）不计入步行，除非标注 "
        "foot=yes/designated；标注 access 或 foot 为 no/private 的 barrier 节点（门、栏杆、"
        "围栏等）不可通行，出入口图层中的门点可将其打开；台阶（highway=steps）可通行，"
        "步行时间按台阶系数加长。",
        "The walk network follows OpenStreetMap's conventions for China: a cycleway is not "
        "walked unless tagged foot=yes/designated; barrier nodes (gates, bollards, fences …) "
        "with access or foot = no/private cannot be passed unless a point of the gates layer "
        "opens them; steps (highway=steps) are walked, their time lengthened by the steps "
        "factor.",
    ),
    # xlsx
    "summary_item": ("项目", "Item"),
    "summary_value": ("数值", "Value"),
}
_LABELS.update(FIG_LABELS)  # the figures' labels and definitions

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


def minutes_label(minutes: float, lang: str) -> str:
    """A walking-time level for display: ``5分钟`` / ``5 min`` (``7.5分钟`` for 7.5 minutes).

    >>> minutes_label(7.5, "zh"), minutes_label(10.0, "en")
    ('7.5分钟', '10 min')
    """
    return label("minutes_n", lang).format(n=f"{minutes:g}")


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


#: Norm check id → the label key of its name.
_CHECK_LABELS = {
    "area_per_100hh": "area_per_100hh_m2",
    "station_min_area": "station_min_area_m2",
    "community_size": "community_size_result",
}


def check_label(check: str, lang: str) -> str:
    """The display name of a norm check (``area_per_100hh`` …); unknown checks unchanged."""
    for key in (_CHECK_LABELS.get(check, check), f"check_{check}"):
        if has_label(key):
            return label(key, lang)
    return check


def kind_label(kind: object, lang: str) -> str:
    """The display name of a community type (``urban`` → ``城市社区``); others unchanged.

    >>> kind_label("rural", "zh"), kind_label("town", "en")
    ('农村社区', 'town community')
    """
    text = "" if is_missing(kind) else str(kind)
    return label(f"kind_{text}", lang) if has_label(f"kind_{text}") else text


def tier_label(tier: object, lang: str) -> str:
    """The display name of a station tier (``urban_station`` → ``城市社区综合服务站``); a missing
    tier is ``–``, another unchanged.

    >>> tier_label("village_station", "zh"), tier_label(None, "en")
    ('村（社区）综合服务站', '–')
    """
    if is_missing(tier):
        return "–"
    text = str(tier)
    return label(f"tier_{text}", lang) if has_label(f"tier_{text}") else text
