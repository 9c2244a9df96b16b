"""The texts of the data problems, in Chinese and English, written once.

A data problem is recorded with a message code and its parameters (numbers, ids, the user's own
names); :func:`render` writes its problem and action in the reader's language, and
:func:`layer_name` the layer it was found in. ``issues.csv``, the ``issues`` sheet of
``report.xlsx``, ``report.html`` and ``lifecircle check`` all render from here.

A template is a :meth:`str.format` string over the parameters. A parameter named in
:data:`ROW_PARAMS` is the user's row number (or None) and is written as `` (row 4)`` /
``（第 4 行）``, or as nothing when the layer has no row numbers.

Examples
--------
>>> render("snap_too_far", {"distance_m": 494.0, "max_snap_m": 300.0}, "en")[0]
'nearest street is 494 m away, more than max_snap_m = 300 m'
>>> render("snap_too_far", {"distance_m": 494.0, "max_snap_m": 300.0}, "zh")[0]
'最近的道路在 494 米外，超过最大吸附距离 300 米'
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """One kind of data problem: what is wrong and what was done, in both languages."""

    problem_zh: str
    action_zh: str
    problem_en: str
    action_en: str

    def texts(self, lang: str) -> tuple[str, str]:
        """The (problem, action) templates in ``lang``."""
        if lang == "en":
            return self.problem_en, self.action_en
        return self.problem_zh, self.action_zh


#: Parameters holding the user's row number (int or None), written as "(row N)".
ROW_PARAMS = ("row", "other_row")

#: Layer (or step) names as a reader sees them: (zh, en).
LAYERS: dict[str, tuple[str, str]] = {
    "communities": ("社区", "communities"),
    "facilities": ("设施", "facilities"),
    "population": ("人口", "population"),
    "demand": ("需求点", "demand points"),
    "network": ("路网", "street network"),
    "candidates": ("候选点", "candidate sites"),
    "compounds": ("封闭小区", "compounds"),
    "gates": ("小区出入口", "gates"),
    "walking": ("步行", "walking"),
    "dem": ("高程", "elevation (DEM)"),
    "report": ("报告", "report"),
}

M = Message
MESSAGES: dict[str, Message] = {
    # --- outputs
    "pdf_no_cjk_font": M(
        "未找到含中文字形的字体，未生成 report.pdf",
        "安装中文字体（Windows 自带微软雅黑；Linux 安装 fonts-noto-cjk），或将环境变量 "
        "LIFECIRCLE_CJK_FONT 设为字体文件路径后重新运行；其余输出已正常生成",
        "no font with Chinese glyphs was found, so report.pdf was not written",
        "install a Chinese font (Windows has Microsoft YaHei; on Linux install fonts-noto-cjk) "
        "or set LIFECIRCLE_CJK_FONT to a font file and run again; every other output was written",
    ),
    # --- snapping to the street network
    "snap_too_far": M(
        "最近的道路在 {distance_m:,.0f} 米外，超过最大吸附距离 {max_snap_m:g} 米",
        "未接入路网；不计入覆盖率的分母",
        "nearest street is {distance_m:,.0f} m away, more than max_snap_m = {max_snap_m:g} m",
        "not snapped; excluded from coverage denominators",
    ),
    "snap_no_street": M(
        "附近没有允许步行的道路（最大吸附距离 {max_snap_m:g} 米）",
        "未接入路网；不计入覆盖率的分母",
        "nearest street is not available (no street allowed), more than max_snap_m = "
        "{max_snap_m:g} m",
        "not snapped; excluded from coverage denominators",
    ),
    "snap_fragment": M(
        "位于与主路网断开的路网碎片上（{nodes} 个节点，{length_km:.1f} 千米）",
        "在该碎片内计算距离",
        "on a network fragment of {nodes} nodes / {length_km:.1f} km cut off from the main network",
        "distances computed within the fragment",
    ),
    # --- layers as read
    "crs_overridden": M(
        "文件坐标系 {file_crs} 被声明的 {declared_crs} 取代",
        "采用声明的坐标系",
        "file CRS {file_crs} overridden by the declared {declared_crs}",
        "used the declared CRS",
    ),
    "polygon_invalid": M(
        "多边形无效（{reason}）",
        "已自动修复",
        "invalid polygon ({reason})",
        "repaired (shapely.make_valid)",
    ),
    "households_missing": M(
        "未给出户数",
        "不参与按户计算的指标",
        "households not given",
        "excluded from per-household norms",
    ),
    "name_empty": M("名称为空", "以行号代替", "name is empty", "used the row number"),
    "facility_polygon": M(
        "设施以面绘制",
        "取面内一点（代表点）",
        "facility drawn as a polygon",
        "used a point inside it (representative point)",
    ),
    "file_many_layers": M(
        "{file} 有 {count} 个图层（{layers}），读取了第一个",
        '用 layer = "<图层名>" 指定其他图层',
        "{file} has {count} layers ({layers}); read the first",
        'set layer = "<name>" to choose another',
    ),
    "population_value_missing": M("没有人口数值", "按 0 计", "no population value", "counted as 0"),
    # --- the street network
    "road_without_line": M(
        "道路记录没有线几何", "未使用", "road row without a line geometry", "left out"
    ),
    "road_class_misspelt": M(
        "{file} 中没有 {field} = {value!r} 的道路（不步行的道路等级）；是否应为 {near!r}？",
        "{value!r} 未排除任何道路：{near!r} 的道路仍可步行；请改正不步行的道路等级",
        "no line of {file} has {field} = {value!r} (walkable.exclude_class); did you mean "
        "{near!r}?",
        "nothing left out for {value!r}: lines of {near!r} are walked on; correct the value in "
        "walkable.exclude_class",
    ),
    "road_foot_unknown": M(
        "{file}：列 {field!r} 有既非“是”也非“否”的值：{values}",
        "这些道路按道路等级规则处理",
        "{file}: column {field!r} has values that are neither yes nor no: {values}",
        "those lines follow the class rules",
    ),
    "osm_highway_unknown": M(
        "未知的道路类型 {highway!r}",
        "不视为可步行；若有人步行，请改标（如 highway=footway）",
        "unknown highway value {highway!r}",
        "not treated as walkable; retag it (e.g. highway=footway) if people walk there",
    ),
    "osm_nodes_missing": M(
        "道路引用了文件中缺少的 {missing} 个节点（在数据范围边缘被截断？）",
        "连到缺少节点的路段未使用",
        "way references {missing} node(s) missing from the file (cut off at the edge of the "
        "extract?)",
        "segments to the missing nodes left out",
    ),
    "dem_flat": M(
        "{segments} 个路段（{km:.1f} 千米）在高程数据 {dem} 范围外或无数据处",
        "按平地步行（那里的步行时间不计坡度）",
        "{segments} street segments ({km:.1f} km) lie outside the DEM {dem} or on its nodata cells",
        "walked as flat ground (walking time without slope there)",
    ),
    # --- compounds and gates
    "gate_compound_unknown": M(
        "出入口所属小区编号不存在",
        "忽略该出入口",
        "compound_id names no compound",
        "gate ignored",
    ),
    "gate_compound_index": M(
        "小区序号 {index} 不在 {count} 个小区之内",
        "忽略该出入口",
        "compound index {index} is not one of the {count} compounds",
        "gate ignored",
    ),
    "compound_without_gate": M(
        "小区没有出入口",
        "居民无法到达街道路网",
        "compound has no gate",
        "residents cannot reach the street network",
    ),
    "gate_off_boundary": M(
        "出入口距其小区边界 {distance_m:.0f} 米（超过容差 {tolerance_m:g} 米）",
        "按原位置使用",
        "gate is {distance_m:.0f} m from its compound's boundary (more than gate_tolerance_m = "
        "{tolerance_m:g} m)",
        "used as given",
    ),
    "gate_no_street": M(
        "小区外没有可连接该出入口的街道",
        "忽略该出入口",
        "no street outside the compounds to connect the gate to",
        "gate ignored",
    ),
    # --- facilities and communities
    "category_unknown": M(
        "类别“{raw}”{row}不是配置“{profile_zh}”的类别（可用：{valid_zh}）",
        "不参与分析；请改正该值，或在配置中将其加为别名",
        "category '{raw}'{row} is not a category of profile {profile_en} (valid: {valid_en})",
        "excluded from the analysis; fix the value or add it as an alias in a profile",
    ),
    "category_absent": M(
        "没有“{name_zh}”类设施",
        "该类设施覆盖率为 0",
        "no facility of category {name_en}",
        "coverage of this category is 0",
    ),
    "facility_duplicated": M(
        "重复记录{row}：名称“{name}”、类别和位置与 {other_id}{other_row} 相同",
        "只计一次；请删除重复记录，若是另一处设施请改正其位置",
        "duplicated row{row}: same name '{name}', category and position as {other_id}{other_row}",
        "left out (counted once); delete the copy, or move it if it is another facility",
    ),
    "station_without_area": M(
        "服务站“{name}”{row}没有建筑面积",
        "不评价其面积及所在社区每百户面积（未提供）；请填写建筑面积",
        "station '{name}'{row} has no floor area",
        "its size and its community's floor area per 100 households are not judged "
        "(not_provided); fill in floor_area_m2",
    ),
    "facility_outside": M(
        "“{name}”{row}不在任何社区范围内",
        "保留：服务步行可达的居民；请核对其坐标",
        "'{name}'{row} lies outside every community polygon",
        "kept: it serves whoever lives within walking distance; check its coordinates",
    ),
    "station_community_unknown": M(
        "所属社区编号 {raw!r} 不在社区图层中",
        "改按位置确定所属社区",
        "community_id {raw!r} is not in the communities layer",
        "assigned by location instead",
    ),
    "station_outside": M(
        "服务站不在任何社区范围内",
        "不计入任何社区的面积",
        "station lies outside every community polygon",
        "not counted in any community's floor area",
    ),
    "communities_overlap": M(
        "社区 {id}{row}与社区 {other_id}{other_row}重叠 {area_m2:,.0f} m²（占较小者 {share:.0%}）",
        "按原样保留；请修正边界，使每处只属于一个社区",
        "community {id}{row} overlaps community {other_id}{other_row} by {area_m2:,.0f} m² "
        "({share:.0%} of the smaller)",
        "kept as drawn; fix the boundaries so that every place belongs to one community",
    ),
    "population_estimated": M(
        "未给出人口",
        "按户数 × 每户 {pph:g} 人估算",
        "population not given",
        "estimated as households × {pph:g} persons per household",
    ),
    # --- the population layer
    "population_layer_missing": M(
        "未提供人口图层",
        "各社区人口按 100 米网格均匀分布在其范围内",
        "no population layer given",
        "each community's population spread evenly over its area on a 100 m grid",
    ),
    "population_layer_empty": M(
        "{file}：没有人口大于 0 的栅格或要素（全为无数据、0 或空）",
        "各社区人口按 100 米网格均匀分布在其范围内",
        "{file}: no cell or feature has a population > 0 (all nodata, 0 or empty)",
        "each community's population spread evenly over its area on a 100 m grid",
    ),
    "population_outside": M(
        "{points} 个人口点（{people:,.0f} 人）不在任何社区范围内",
        "计入总体覆盖率；不计入任何社区",
        "{points} populated points ({people:,.0f} people) lie outside every community polygon",
        "kept in overall coverage; not counted in any community",
    ),
    "population_mismatch": M(
        "人口图层在社区 {id} 内有 {layer_total:,.0f} 人，社区图层记为 {stated:,.0f} 人",
        "覆盖率采用人口图层；请核对哪一个是现状",
        "population layer puts {layer_total:.0f} people in community {id}, the communities "
        "layer says {stated:.0f}",
        "coverage uses the population layer; check which is current",
    ),
    # --- walking groups
    "group_pace_missing": M(
        "步行设置中没有人群“{name_zh}”的步速",
        "按成人步速 {speed_mps:g} 米/秒步行",
        "no walking pace for the group {group} in [walking.groups]",
        "walks at the adult pace, walking.speed_mps = {speed_mps:g} m/s",
    ),
    "group_count_missing": M(
        "{count} 个社区没有人群“{name_zh}”的人数（{sample}）；可在社区图层中给出该列",
        "按人口的 {share:.1%} 估计（{whence_zh}）",
        "no count of the group {group} for {count} communities ({sample}); give it with "
        'fields = {{ {group} = "<column>" }}',
        "assumed {share:.1%} of the population ({whence_en})",
    ),
    "group_count_too_large": M(
        "人群“{name_zh}”的人数大于人口",
        "按全部人口计",
        "count of the group {group} is larger than the population",
        "taken as the whole population",
    ),
    # --- siting
    "candidate_too_small": M(
        "最大建筑面积小于“{name_zh}”所需的 {min_area_m2:,.0f} m²（{source}）",
        "不参与选址",
        "maximum floor area is below the minimum of {min_area_m2:,.0f} m² for {name_en}",
        "not considered for siting",
    ),
    "candidates_generated": M(
        "未提供候选点图层：在未覆盖地区的路网上生成 {count} 个候选点，间距 {spacing_m:,.0f} 米",
        "作为选址候选点",
        "no candidates layer: {count} candidate points generated on the network in uncovered "
        "areas, {spacing_m:.0f} m apart",
        "used as siting candidates",
    ),
}
del M


def layer_name(layer: str, lang: str) -> str:
    """The layer's name as a reader sees it; a name not in :data:`LAYERS` unchanged.

    Examples
    --------
    >>> layer_name("communities", "zh"), layer_name("network", "en")
    ('社区', 'street network')
    """
    names = LAYERS.get(layer)
    if names is None:
        return layer
    return names[1] if lang == "en" else names[0]


def _row_phrase(value: object, lang: str) -> str:
    if value is None or value == "":
        return ""
    return f" (row {value})" if lang == "en" else f"（第 {value} 行）"


def render(code: str, params: Mapping[str, object], lang: str) -> tuple[str, str]:
    """The problem and the action of a data problem in ``lang``.

    Parameters
    ----------
    code
        A key of :data:`MESSAGES`.
    params
        The values its templates name (numbers in the units the template gives: m, km, m², …).
    lang
        ``"zh"`` or ``"en"``.

    Raises
    ------
    KeyError
        When ``code`` is not a message code or a template names a missing parameter.
    """
    values = dict(params)
    for name in ROW_PARAMS:
        values[name] = _row_phrase(values.get(name), lang)
    problem, action = MESSAGES[code].texts(lang)
    return problem.format(**values), action.format(**values)


def fields(code: str) -> set[str]:
    """The parameter names the templates of ``code`` use (in either language)."""
    names: set[str] = set()
    for text in MESSAGES[code].texts("zh") + MESSAGES[code].texts("en"):
        names.update(f for _, f, _, _ in string.Formatter().parse(text) if f)
    return names - set(ROW_PARAMS)


#: A source's leading id (``wengan_2023 瓮安县…``): lower-case letters, digits and ``_``, ending
#: in a year, then a space.
_SOURCE_ID = re.compile(r"^[a-z][a-z0-9_]*_\d{4}\s+")


def source_title(source: str) -> str:
    """A norm's source as a reader sees it: the document's title, without the profile's id.

    Examples
    --------
    >>> source_title("wengan_2023 瓮安县贯彻落实……实施方案")
    '瓮安县贯彻落实……实施方案'
    >>> source_title("GB 50180-2018 附录B")
    'GB 50180-2018 附录B'
    """
    return _SOURCE_ID.sub("", str(source), count=1)
