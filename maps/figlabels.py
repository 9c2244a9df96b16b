"""The labels and definitions of the report's figures: what each figure is, said where it is shown.

Part of the one label table of :mod:`lifecircle.maps.labels` (which merges :data:`FIG_LABELS`
into it): population supplied / counted / left out, siting objectives, completeness, households
served, "no standard", and the one definition of the evidence statuses P / S / B / U that the
report, ``lifecircle profiles show`` and the README all use.
"""

from __future__ import annotations

from lifecircle.vocab import STATUSES

#: The one definition of each evidence status of a norm figure, (Chinese, English).
STATUS_MEANINGS: dict[str, tuple[str, str]] = {
    "P": ("已在官方原文中核实", "read in an official text"),
    "S": (
        "已在二手文本（转载、规范汇编、新闻）中核实",
        "read in a secondary text (reprint, code, news)",
    ),
    "B": ("引自地方政策文件，未复核原文", "quoted from a local policy document, not re-read"),
    "U": (
        "未经证实（凭记忆或推断），使用前须核对原文",
        "unconfirmed (from memory or inferred): verify before enforcing",
    ),
}
assert tuple(STATUS_MEANINGS) == STATUSES

FIG_LABELS: dict[str, tuple[str, str]] = {
    # population supplied / counted / left out
    "population_supplied": ("提供人口", "Population supplied"),
    "population_counted": ("计入人口", "Population counted"),
    "population_left_out": ("未计入人口", "Population left out"),
    "left_out_far_from_network": ("未计入：距路网过远", "Left out: too far from the streets"),
    "population_no_value": ("无人口值", "No population value"),
    "no_value_communities": (
        "无人口值的社区（人数未知，未计入）",
        "Communities without a population value (people unknown, not counted)",
    ),
    "outside_communities": (
        "计入总体、不在任何社区内的人口",
        "Counted overall, in no community",
    ),
    "population_note": (
        "提供人口为人口图层（无人口图层时按社区人口均摊）给出的人数；计入人口为能接入步行路网"
        "（距最近道路不超过最大接入距离 {snap} 米）的人口点人数，是本报告所有覆盖率、完整度的分母"
        "（“占计入人口”）；未计入人口按原因列出（距路网过远）。",
        "Population supplied: the people the population layer gives (without one, each "
        "community's population spread over its area). Population counted: the people of the "
        "points that reach the walk network (within the largest snapping distance, {snap} m); "
        "every coverage share and completeness in this report is a share of it. People left out "
        "are listed with the reason (too far from the streets).",
    ),
    # shares
    "share_of_counted": ("占计入人口", "of the population counted"),
    # norm checks without a threshold
    "no_standard": ("无标准", "No standard"),
    "no_data": ("无数据", "No data"),
    "no_standard_count": ("无标准 {n}", "no standard: {n}"),
    "no_standard_note": (
        "“无标准”表示所用标准配置对该项（如该类站点的最小建筑面积）未给出标准值，不计入达标或不达标。",
        "“No standard”: the profile gives no threshold for the check (e.g. no minimum floor area "
        "for the station's tier); it counts as neither passed nor failed.",
    ),
    # definitions
    "completeness_def": (
        "完整度：计入人口中，在本圈层每一类必配设施各自的服务距离内都能步行到达的人口所占比例。"
        "圈层之间不累加，每个圈层只看本圈层的必配设施（5分钟 {n5} 类、10分钟 {n10} 类、15分钟 "
        "{n15} 类）；缺任何一类，该处人口即不计入完整，因此要求类别更多的15分钟完整度可能低于"
        "10分钟完整度。",
        "Completeness: the share of the population counted that reaches, within each category's "
        "own walking distance, every category the level requires. Levels are not cumulative: "
        "each level counts its own required categories only (5 min: {n5}, 10 min: {n10}, "
        "15 min: {n15}); missing any one of them leaves a person out, so the 15-minute figure, "
        "which requires more categories, can be below the 10-minute one.",
    ),
    "served_households_def": (
        "服务户数：以该站点为步行距离最近的同类设施、且步行距离不超过该类设施服务距离的计入人口户数"
        "之和；每个人口点的户数 = 其人口 ÷ 所在社区户均人口（无社区数据时取 {pph} 人/户）。",
        "Households served: the households of the counted demand points whose nearest facility "
        "of the category along the streets is this one, within the category's walking distance; "
        "a point's households = its population ÷ its community's persons per household "
        "({pph} where the community gives none).",
    ),
    "status_legend_head": ("依据状态：", "Evidence status: "),
    # siting
    "walking_saved_km_person": ("减少步行量（人·公里）", "Walking saved (person·km)"),
    "siting_problem_mclp": ("最大覆盖选址", "Maximal covering"),
    "siting_problem_lscp": ("最少设施全覆盖选址", "Set covering"),
    "siting_problem_p_median": ("P中值选址", "p-median"),
    "siting_objective_mclp": (
        "{name}：在给定新增站点数下，使新增覆盖人口总数最大。",
        "{name}: with the given number of new sites, cover as many more people as possible.",
    ),
    "siting_objective_lscp": (
        "{name}：用最少的新增站点使覆盖率达到目标。",
        "{name}: reach the target coverage with as few new sites as possible.",
    ),
    "siting_objective_p_median": (
        "{name}：在给定新增站点数下，使全部计入人口到最近同类设施的步行距离总和（人·公里）最小。"
        "“减少步行量”为该点在排序在前的站点与现有设施基础上，使步行距离总和减少的人·公里数；"
        "步行可达范围内没有任何同类设施的人口按服务距离计，对这部分人口为减少量的下限。",
        "{name}: with the given number of new sites, minimise the total walking distance of the "
        "population counted to the nearest facility of the category (person·km). “Walking "
        "saved”: the person·km by which the site, given the existing facilities and the sites "
        "ranked before it, lowers that total; people with no facility of the category they can "
        "walk to count at the category's distance, a lower bound for them.",
    ),
    "newly_covered_def": (
        "新增覆盖人口：在现有设施和排序在前的建议站点基础上，因该站点而新进入该类设施服务距离"
        "（{dist} 米）内的计入人口；各站点之和不超过原未覆盖人口。",
        "Newly covered population: the counted people brought within the category's walking "
        "distance ({dist} m) by this site, given the existing facilities and the sites ranked "
        "before it; the sites' figures sum to at most the people not covered before.",
    ),
    "site_served_def": (
        "建议站点的服务户数：新增覆盖人口中以该站点为最近建议站点的户数；需要建筑面积按其计算。",
        "A proposed site's households served: the households of its newly covered people for "
        "whom it is the nearest proposed site; its required floor area follows from them.",
    ),
    "siting_goal_mclp": (
        "最大覆盖：新增覆盖人口总数最大",
        "maximal covering: the most people newly covered in total",
    ),
    "siting_goal_lscp": (
        "全覆盖：以最少站点使覆盖率达到目标",
        "set covering: the target coverage with the fewest sites",
    ),
    "siting_goal_p_median": (
        "P中值：全部计入人口的步行距离总和最小",
        "p-median: the least total walking distance of everyone counted",
    ),
    "site_served_def_p_median": (
        "建议站点的服务户数：步行到该站点比到现有设施和其他建议站点都近（且在服务距离内）的户数；"
        "需要建筑面积按其计算。",
        "A proposed site's households served: the households (within the category's distance) "
        "nearer to it than to any existing facility or other proposed site; its required floor "
        "area follows from them.",
    ),
    "definition": ("说明", "Definition"),
    "site_popup_def": (
        "新增覆盖人口：在现有设施和排序在前的站点之外，因本站点新进入服务距离内的人数。",
        "Newly covered population: the people brought within the category's distance by this "
        "site, beyond the existing facilities and the sites ranked before it.",
    ),
    "site_popup_def_p_median": (
        "减少步行量：本站点使全部计入人口的步行距离总和减少的人·公里数。",
        "Walking saved: the person·km by which this site lowers the total walking distance of "
        "everyone counted.",
    ),
    "siting_remaining_title": (
        "建议站点建成后各社区仍未覆盖人口",
        "People still not covered per community after the proposed sites",
    ),
    "uncovered_before_sites_population": ("建设前未覆盖人口", "Not covered before"),
    "uncovered_after_sites_population": ("建成后仍未覆盖人口", "Still not covered after"),
    "siting_remaining_note": (
        "{category}：各社区计入人口中，现有设施与建议站点建成后仍在 {dist} 米服务距离外的人口，"
        "按其从多到少排列。选址模型追求全县总体的目标（{goal}），"
        "因此站点优先布设在未覆盖人口集中、一处可覆盖更多人的地方；某社区剩余的未覆盖人口可能"
        "不在任何候选点的服务距离内，或人数太少、不足以让一个站点优先于别处。",
        "{category}: per community, the counted people still beyond the {dist} m walking "
        "distance once the existing facilities and the proposed sites are built, most first. The "
        "siting model pursues a county-wide objective ({goal}), so sites go where uncovered "
        "people cluster and one site reaches many; a community's remaining people may lie "
        "beyond every candidate's reach, or be too few for a site there to beat one elsewhere.",
    ),
}


def status_legend(lang: str) -> str:
    """The evidence statuses P / S / B / U with their one definition, in ``lang``.

    >>> status_legend("en").startswith("Evidence status: P = read in an official text; ")
    True
    """
    i = 0 if lang == "zh" else 1
    sep = "；" if i == 0 else "; "
    head = FIG_LABELS["status_legend_head"][i]
    return head + sep.join(f"{k} = {v[i]}" for k, v in STATUS_MEANINGS.items())
