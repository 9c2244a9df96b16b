"""The project file (``project.toml``): reading and validating it into a frozen :class:`Project`.

Every problem in the file is collected first, then one :class:`~lifecircle.errors.ProjectError`
lists them all, each naming the key and, for a closed set, the valid values. Paths are relative to
the project file.

Examples
--------
>>> project = load_project("data/demo/project.toml")   # doctest: +SKIP
>>> project.layers["facilities"].crs
'gcj02'
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from lifecircle.errors import ProjectError
from lifecircle.geo.layers import LayerSpec
from lifecircle.geo.roadrules import ROAD_FIELDS, WALKABLE_KEYS, RoadRules
from lifecircle.outputspec import (
    OUTPUT_KEYS,
    REPORT_KEYS,
    OutputSpec,
    ReportSpec,
    read_output,
    read_report,
)
from lifecircle.tomlkeys import unknown_keys
from lifecircle.vocab import BASEMAPS, LANGS, SITING_PROBLEMS, Basemap, Lang, SitingProblem
from lifecircle.walkingspec import WALKING_KEYS, WalkingSpec, read_walking

LAYER_NAMES = ("communities", "facilities", "population", "candidates", "compounds", "gates")
REQUIRED_LAYERS = ("communities", "facilities")

_SECTIONS: dict[str, tuple[str, ...]] = {
    "project": (
        "name",
        "organization",
        "profile",
        "lang",
        "output",
        "persons_per_household",
        "synthetic",
    ),
    "network": ("path", "place", "max_snap_m", "cache", "fields", "walkable"),
    "siting": (
        "category",
        "new_sites",
        "problem",
        "target_share",
        "candidate_spacing_m",
        "time_limit_s",
    ),
    "map": ("basemap", "offline", "tile_url", "tile_attribution"),
    "output": OUTPUT_KEYS,
    "report": REPORT_KEYS,
    "layers": LAYER_NAMES,
    "scenarios": (),
    "walking": WALKING_KEYS,
}
_LAYER_KEYS = ("path", "fields", "crs", "encoding", "layer", "sheet", "header_row")
_SCENARIO_KEYS = ("name", "add", "close", "floor_area", "adopt_sites")

#: Persons per household, 2020 national census average (第七次全国人口普查: 2.62).
DEFAULT_PERSONS_PER_HOUSEHOLD = 2.62


@dataclass(frozen=True)
class NetworkSpec:
    """Where the street network comes from.

    Attributes
    ----------
    path
        The network file (absolute), or None when ``place`` is given.
    place
        A place name to download from OpenStreetMap (needs internet).
    max_snap_m
        Points farther than this from every street are not snapped (m).
    cache
        Whether the parsed network may be cached in the user's cache directory.
    rules
        A road-line layer's own columns (``fields``) and the classes nobody walks on
        (``walkable``).
    """

    path: Path | None
    place: str | None = None
    max_snap_m: float = 300.0
    cache: bool = True
    rules: RoadRules = field(default_factory=RoadRules)


@dataclass(frozen=True)
class SitingSpec:
    """The ``[siting]`` section: which category to site and how.

    Attributes
    ----------
    category
        The facility category id to site (e.g. ``elderly_day_care``).
    new_sites
        How many new sites to choose (MCLP, p-median).
    problem
        ``mclp`` (most newly covered people), ``lscp`` (fewest sites for a target share) or
        ``p_median`` (least total walking distance).
    target_share
        Coverage share to reach with LSCP (0–1).
    candidate_spacing_m
        Spacing of generated candidates when no candidates layer is given (m).
    time_limit_s
        Time budget of the exact solver before the greedy solution with a bound is used (s).
    """

    category: str
    new_sites: int = 5
    problem: SitingProblem = "mclp"
    target_share: float = 1.0
    candidate_spacing_m: float = 200.0
    time_limit_s: float = 60.0


@dataclass(frozen=True)
class MapSpec:
    """The ``[map]`` section.

    Attributes
    ----------
    basemap
        ``none``, ``osm``, ``light``, ``tianditu`` (key from ``TIANDITU_KEY``) or ``amap``.
    offline
        Inline Leaflet and its stylesheet (the default), so the map opens without internet;
        False links them from a CDN instead.
    tile_url, tile_attribution
        A custom tile server (e.g. an intranet one), used instead of ``basemap``.
    """

    basemap: Basemap = "none"
    offline: bool = True
    tile_url: str | None = None
    tile_attribution: str | None = None


@dataclass(frozen=True)
class ScenarioSpec:
    """One ``[[scenarios]]`` table: a change to the facilities, evaluated beside the baseline.

    Attributes
    ----------
    name
        Shown in the outputs.
    folder
        ``name`` made safe as a folder name on every system (``scenarios/<folder>/``).
    add
        Facilities to add, read like the facilities layer (whose ``fields``, ``crs``,
        ``encoding`` and ``sheet`` it takes unless it gives its own), or None.
    close
        Ids of facilities removed.
    floor_area
        New floor areas (m²) of existing facilities, by id.
    adopt_sites
        The run's proposed sites become facilities with their required floor area.
    """

    name: str
    folder: str
    add: LayerSpec | None = None
    close: tuple[str, ...] = ()
    floor_area: Mapping[str, float] = field(default_factory=dict)
    adopt_sites: bool = False


@dataclass(frozen=True)
class Project:
    """A validated project file.

    Attributes
    ----------
    path
        The project file (absolute).
    name
        The project's name, shown in the map title and the report.
    profile
        A built-in norm profile id or the absolute path of a profile TOML.
    lang
        Language of map and report.
    output
        Output folder (absolute).
    persons_per_household
        Used to turn households into residents where only one is known.
    network
        The street network.
    layers
        Layer specs by name (communities, facilities, and the optional ones).
    siting
        The ``[siting]`` section, if any.
    map
        The ``[map]`` section.
    output_spec
        The ``[output]`` section (the CRS of ``results.gpkg``).
    scenarios
        The ``[[scenarios]]`` tables, in file order.
    walking
        The ``[walking]`` table: paces, elevation model, slope and steps (defaults without it).
    synthetic
        ``[project] synthetic = true``: the project's data are synthetic (the embedded demo
        county), and the map and report say so. Default false: a project on real data is never
        stamped as synthetic, whatever its network's format.
    organization
        The ``[project] organization`` (编制单位) shown on the report's cover; empty if not given.
    report
        The ``[report]`` section (``pdf``).
    """

    path: Path
    name: str
    profile: str
    lang: Lang
    output: Path
    persons_per_household: float
    network: NetworkSpec
    layers: Mapping[str, LayerSpec]
    siting: SitingSpec | None = None
    map: MapSpec = field(default_factory=MapSpec)
    output_spec: OutputSpec = field(default_factory=OutputSpec)
    scenarios: tuple[ScenarioSpec, ...] = ()
    walking: WalkingSpec = field(default_factory=WalkingSpec)
    synthetic: bool = False
    organization: str = ""
    report: ReportSpec = field(default_factory=ReportSpec)


def _choice(value: Any, valid: tuple[str, ...], key: str, problems: list[str]) -> str:
    if value not in valid:
        problems.append(f"{key} = {value!r} is not valid; use one of: {', '.join(valid)}")
        return valid[0]
    return str(value)


def _number(
    value: Any, key: str, problems: list[str], *, low: float, high: float = float("inf")
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{key} = {value!r} must be a number")
        return low
    if not low <= value <= high:
        upper = "" if high == float("inf") else f" and ≤ {high}"
        problems.append(f"{key} = {value} must be ≥ {low}{upper}")
    return float(value)


def _road_rules(net: Mapping[str, Any], problems: list[str]) -> RoadRules:
    """``[network] fields`` and ``walkable``: a road-line layer's own columns and rules."""
    fields = net.get("fields", {})
    if not isinstance(fields, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in fields.items()
    ):
        problems.append(
            "[network] fields must map our names to the road layer's columns, e.g. "
            'fields = { class = "道路等级", foot = "人行" }'
        )
        fields = {}
    problems.extend(unknown_keys(fields, ROAD_FIELDS, "network.fields"))
    walkable = net.get("walkable", {})
    if not isinstance(walkable, dict):
        problems.append('[network] walkable must be a table, e.g. { exclude_class = ["高速公路"] }')
        walkable = {}
    problems.extend(unknown_keys(walkable, WALKABLE_KEYS, "network.walkable"))
    exclude = walkable.get("exclude_class", [])
    if not isinstance(exclude, list) or not all(isinstance(v, str) for v in exclude):
        problems.append(
            "network.walkable.exclude_class must be a list of road classes, e.g. "
            '["高速公路", "快速路"]'
        )
        exclude = []
    if exclude and "class" not in fields:
        problems.append(
            "network.walkable.exclude_class needs the road-class column: add "
            'class = "<column>" (e.g. "道路等级") to [network] fields'
        )
    return RoadRules(
        fields={k: v for k, v in fields.items() if k in ROAD_FIELDS}, exclude_class=tuple(exclude)
    )


def _escaped_path(path: str, key: str) -> list[str]:
    r"""A path whose backslashes TOML read as escapes (``"D:\new\table.shp"``: a line break and
    a tab) names no file: say how to write it."""
    if not any(ch in path for ch in "\n\t\r\b\f"):
        return []
    return [
        f"{key} = {path!r} holds a tab or line break: a Windows path in double quotes turns "
        '\\n, \\t … into them; write it with forward slashes ("D:/数据/社区.shp") or in '
        "single quotes ('D:\\数据\\社区.shp')"
    ]


def _backslash_hint(file: Path) -> str:
    """For a TOML error on a line with a backslash in double quotes: how to write a Windows path."""
    text = file.read_text(encoding="utf-8-sig").splitlines()
    lines = [i + 1 for i, line in enumerate(text) if re.search(r'"[^"]*\\[^"]*"', line)]
    if not lines:
        return ""
    shown = ", ".join(str(n) for n in lines[:5])
    return (
        f'\n  line{"s" if len(lines) > 1 else ""} {shown}: a backslash in a "…" string '
        "starts an escape (\\n, \\t …), so a Windows path cannot be written that way; use "
        "forward slashes "
        "(path = \"D:/数据/社区.shp\") or single quotes (path = 'D:\\数据\\社区.shp')"
    )


def _read_layer_spec(
    name: str, raw: Any, base: Path, problems: list[str], *, where: str | None = None
) -> LayerSpec | None:
    where = where or f"layers.{name}"
    if not isinstance(raw, dict):
        problems.append(f"[{where}] must be a table with at least a path")
        return None
    problems.extend(unknown_keys(raw, _LAYER_KEYS, where))
    path = raw.get("path")
    if not isinstance(path, str) or not path:
        problems.append(f'[{where}] needs path = "..." (the file, relative to the project file)')
        return None
    escaped = _escaped_path(path, f"[{where}] path")
    problems.extend(escaped)
    full = (base / path).resolve()
    if not escaped and not full.exists():
        problems.append(f'[{where}] path = "{path}": file not found ({full.name} in {full.parent})')
    fields = raw.get("fields", {})
    if not isinstance(fields, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in fields.items()
    ):
        problems.append(
            f"[{where}] fields must map our names to your column names, "
            'e.g. fields = { households = "户数" }'
        )
        fields = {}
    crs = raw.get("crs")
    if crs is not None and not isinstance(crs, str):
        problems.append(f'[{where}] crs must be a string such as "gcj02" or "EPSG:4490"')
        crs = None
    encoding = raw.get("encoding", "auto")
    encoding = _choice(
        encoding, ("auto", "utf-8", "utf-8-sig", "gbk", "gb18030"), f"{where}.encoding", problems
    )
    header_row = raw.get("header_row")
    if header_row is not None and (
        isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1
    ):
        problems.append(
            f"[{where}] header_row = {header_row!r} must be a whole number ≥ 1: the row of the "
            "CSV or XLSX that holds the column names (1 = the first row)"
        )
        header_row = None
    layer = raw.get("layer")
    sheet = raw.get("sheet")
    return LayerSpec(
        path=full,
        fields=dict(fields),
        crs=crs,
        encoding=encoding,
        layer=layer if isinstance(layer, str) else None,
        sheet=sheet if isinstance(sheet, str) else None,
        header_row=header_row,
    )


def load_project(path: str | Path, *, output: str | Path | None = None) -> Project:
    """Read and validate a project file.

    Parameters
    ----------
    path
        The ``project.toml``.
    output
        Overrides ``[project] output`` (e.g. ``lifecircle run --out``).

    Returns
    -------
    Project
        The validated, frozen project with absolute paths.

    Raises
    ------
    ProjectError
        Listing every problem found: missing file, TOML syntax, unknown keys (with the valid
        ones), bad values (with the valid ones), missing required sections or files.
    """
    file = Path(path).resolve()
    if not file.is_file():
        raise ProjectError(f"{path}: project file not found")
    try:
        doc = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ProjectError(f"{file.name}: the project file must be saved as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(f"{file.name}: not valid TOML: {exc}{_backslash_hint(file)}") from None
    base = file.parent
    problems: list[str] = unknown_keys(doc, tuple(_SECTIONS), "top level")

    proj = doc.get("project", {})
    if not isinstance(proj, dict):
        proj = {}
    problems.extend(unknown_keys(proj, _SECTIONS["project"], "project"))
    name = proj.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append('[project] needs name = "..." (shown in the map title and the report)')
        name = file.stem
    organization = proj.get("organization", "")
    if not isinstance(organization, str):
        problems.append(
            'project.organization must be text, e.g. organization = "某某县自然资源局" '
            "(编制单位, shown on the report's cover)"
        )
        organization = ""
    profile = proj.get("profile", "cn-national")
    if not isinstance(profile, str) or not profile:
        problems.append("project.profile must be a built-in profile id or a path to a profile TOML")
        profile = "cn-national"
    elif profile.endswith(".toml"):
        prof_path = (base / profile).resolve()
        if not prof_path.is_file():
            problems.append(f'project.profile = "{profile}": file not found')
        profile = str(prof_path)
    lang = cast(Lang, _choice(proj.get("lang", "zh"), LANGS, "project.lang", problems))
    out_value = output if output is not None else proj.get("output", "out")
    if not isinstance(out_value, str | Path) or not str(out_value):
        problems.append('project.output must be a folder name, e.g. output = "out"')
        out_value = "out"
    out_dir = (base / out_value).resolve() if output is None else Path(out_value).resolve()
    pph = _number(
        proj.get("persons_per_household", DEFAULT_PERSONS_PER_HOUSEHOLD),
        "project.persons_per_household",
        problems,
        low=0.5,
        high=20.0,
    )

    synthetic = proj.get("synthetic", False)
    if not isinstance(synthetic, bool):
        problems.append(
            f"project.synthetic = {synthetic!r} must be true or false "
            "(true only for synthetic demonstration data)"
        )
        synthetic = False

    net = doc.get("network")
    network = NetworkSpec(path=None)
    if not isinstance(net, dict):
        problems.append('[network] is missing: give path = "streets.osm.pbf" (or place = "...")')
    else:
        problems.extend(unknown_keys(net, _SECTIONS["network"], "network"))
        net_path, place = net.get("path"), net.get("place")
        full: Path | None = None
        if net_path is None and place is None:
            problems.append("[network] needs path (a street file) or place (a place name)")
        if net_path is not None:
            if not isinstance(net_path, str):
                problems.append("network.path must be a string")
            else:
                escaped = _escaped_path(net_path, "[network] path")
                problems.extend(escaped)
                full = (base / net_path).resolve()
                if not escaped and not full.exists():
                    problems.append(f'network.path = "{net_path}": file not found')
        max_snap = _number(
            net.get("max_snap_m", 300), "network.max_snap_m", problems, low=0.0, high=5000.0
        )
        cache = net.get("cache", True)
        if not isinstance(cache, bool):
            problems.append("network.cache must be true or false")
            cache = True
        network = NetworkSpec(
            path=full,
            place=place if isinstance(place, str) else None,
            max_snap_m=max_snap,
            cache=cache,
            rules=_road_rules(net, problems),
        )

    layers_raw = doc.get("layers", {})
    layers: dict[str, LayerSpec] = {}
    if not isinstance(layers_raw, dict):
        layers_raw = {}
    problems.extend(unknown_keys(layers_raw, LAYER_NAMES, "layers"))
    for required in REQUIRED_LAYERS:
        if required not in layers_raw:
            problems.append(f'[layers.{required}] is missing: give path = "..." and fields')
    for lname in LAYER_NAMES:
        if lname in layers_raw:
            spec = _read_layer_spec(lname, layers_raw[lname], base, problems)
            if spec is not None:
                layers[lname] = spec
    if ("compounds" in layers) != ("gates" in layers):
        problems.append("[layers.compounds] and [layers.gates] must be given together")

    siting: SitingSpec | None = None
    sit = doc.get("siting")
    if isinstance(sit, dict):
        problems.extend(unknown_keys(sit, _SECTIONS["siting"], "siting"))
        category = sit.get("category")
        if not isinstance(category, str) or not category:
            problems.append('[siting] needs category = "..." (a facility category id)')
            category = ""
        new_sites = sit.get("new_sites", 5)
        if isinstance(new_sites, bool) or not isinstance(new_sites, int) or new_sites < 1:
            problems.append(f"siting.new_sites = {new_sites!r} must be a whole number ≥ 1")
            new_sites = 1
        problem = cast(
            SitingProblem,
            _choice(sit.get("problem", "mclp"), SITING_PROBLEMS, "siting.problem", problems),
        )
        siting = SitingSpec(
            category=category,
            new_sites=new_sites,
            problem=problem,
            target_share=_number(
                sit.get("target_share", 1.0), "siting.target_share", problems, low=0.0, high=1.0
            ),
            candidate_spacing_m=_number(
                sit.get("candidate_spacing_m", 200.0),
                "siting.candidate_spacing_m",
                problems,
                low=10.0,
            ),
            time_limit_s=_number(
                sit.get("time_limit_s", 60.0), "siting.time_limit_s", problems, low=1.0
            ),
        )
    elif sit is not None:
        problems.append("[siting] must be a table")

    map_spec = MapSpec()
    mp = doc.get("map")
    if isinstance(mp, dict):
        problems.extend(unknown_keys(mp, _SECTIONS["map"], "map"))
        basemap = cast(
            Basemap, _choice(mp.get("basemap", "none"), BASEMAPS, "map.basemap", problems)
        )
        offline = mp.get("offline", True)
        if not isinstance(offline, bool):
            problems.append("map.offline must be true or false")
            offline = True
        tile_url, tile_attr = mp.get("tile_url"), mp.get("tile_attribution")
        if tile_url is not None and not (isinstance(tile_url, str) and "{z}" in tile_url):
            problems.append(
                "map.tile_url must be a tile URL template with {z}, {x} and {y}, "
                'e.g. "http://tiles.intranet/{z}/{x}/{y}.png"'
            )
            tile_url = None
        map_spec = MapSpec(
            basemap=basemap,
            offline=offline,
            tile_url=tile_url,
            tile_attribution=tile_attr if isinstance(tile_attr, str) else None,
        )
    elif mp is not None:
        problems.append("[map] must be a table")

    output_spec = read_output(doc.get("output"), problems)
    report = read_report(doc.get("report"), problems)

    scenarios = _read_scenarios(doc.get("scenarios"), base, layers.get("facilities"), problems)
    walking = read_walking(doc.get("walking"), base, problems)

    if problems:
        raise ProjectError(
            f"{file.name}: {len(problems)} problem(s):\n" + "\n".join(f"  - {p}" for p in problems),
            problems=problems,
        )
    return Project(
        path=file,
        name=str(name),
        profile=profile,
        lang=lang,
        output=out_dir,
        persons_per_household=pph,
        network=network,
        layers=layers,
        siting=siting,
        map=map_spec,
        output_spec=output_spec,
        scenarios=scenarios,
        walking=walking,
        synthetic=synthetic,
        organization=organization.strip(),
        report=report,
    )


_RESERVED_NAMES = {"con", "prn", "aux", "nul"} | {
    f"{d}{i}" for d in ("com", "lpt") for i in range(1, 10)
}


def safe_folder_name(name: str) -> str:
    """A scenario name as a folder name Windows, macOS and Linux all accept.

    >>> safe_folder_name('近期建设: 3/5 "A"')
    '近期建设_ 3_5 _A_'
    """
    text = "".join("_" if ch in '<>:"/\\|?*' or ord(ch) < 32 else ch for ch in name)
    text = text.strip().rstrip(". ") or "_"
    return f"_{text}" if text.lower().split(".")[0] in _RESERVED_NAMES else text


def _read_scenarios(
    raw: Any, base: Path, facilities: LayerSpec | None, problems: list[str]
) -> tuple[ScenarioSpec, ...]:
    """The ``[[scenarios]]`` tables; ids are checked against the layers when the run reads them."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        problems.append('scenarios must be tables: [[scenarios]] name = "..."')
        return ()
    out: list[ScenarioSpec] = []
    folders: dict[str, str] = {}
    for k, table in enumerate(raw, start=1):
        problems.extend(unknown_keys(table, _SCENARIO_KEYS, f"scenarios #{k}"))
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f'[[scenarios]] #{k} needs name = "..." (shown in the outputs)')
            continue
        where = f"scenario '{name}'"
        folder = safe_folder_name(name)
        other = folders.get(folder.lower())
        if other is not None:
            problems.append(
                f"{where}: its folder name '{folder}' is that of scenario '{other}';"
                " give the scenarios distinct names"
            )
        folders[folder.lower()] = name
        add = None
        if "add" in table:
            add = _scenario_add(table["add"], where, base, facilities, problems)
        close = table.get("close", [])
        if not isinstance(close, list) or not all(isinstance(c, str | int) for c in close):
            problems.append(f'{where}: close must be a list of facility ids, e.g. ["F012"]')
            close = []
        areas = table.get("floor_area", {})
        floor_area: dict[str, float] = {}
        if not isinstance(areas, dict):
            problems.append(
                f"{where}: floor_area must map facility ids to m², e.g. {{ F101 = 800 }}"
            )
        else:
            for fid, value in areas.items():
                floor_area[str(fid)] = _number(
                    value, f"{where}: floor_area.{fid}", problems, low=0.0, high=1e6
                )
        adopt = table.get("adopt_sites", False)
        if not isinstance(adopt, bool):
            problems.append(f"{where}: adopt_sites must be true or false")
            adopt = False
        out.append(
            ScenarioSpec(
                name=name,
                folder=folder,
                add=add,
                close=tuple(str(c) for c in close),
                floor_area=floor_area,
                adopt_sites=adopt,
            )
        )
    return tuple(out)


def _scenario_add(
    raw: Any, where: str, base: Path, facilities: LayerSpec | None, problems: list[str]
) -> LayerSpec | None:
    """The ``add`` file of a scenario, taking the facilities layer's options it does not give."""
    table = {"path": raw} if isinstance(raw, str) else raw
    spec = _read_layer_spec("facilities", table, base, problems, where=f"{where}: add")
    if spec is None or facilities is None:
        return spec
    given = table if isinstance(table, dict) else {}
    return replace(
        spec,
        fields=spec.fields if "fields" in given else facilities.fields,
        crs=spec.crs if "crs" in given else facilities.crs,
        encoding=spec.encoding if "encoding" in given else facilities.encoding,
        sheet=spec.sheet if "sheet" in given else facilities.sheet,
    )
