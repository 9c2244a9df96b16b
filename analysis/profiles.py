"""Norm profiles: life-circle levels, facility categories and the checks a community must pass.

A profile is a TOML file (built-in ones live in ``data/norms/``; the format is described in the
header of ``data/norms/cn-national.toml``). Every figure carries the document it comes from
(``source``) and an evidence ``status``:

``P``
    read in an official text;
``S``
    read in a secondary text (a reprint, an encyclopedia entry, third-party code);
``B``
    quoted from a local policy document and not re-read;
``U``
    unconfirmed (from memory or inferred); carried, but the report marks it.

A profile may ``extends`` another (a built-in id, or a path relative to the file); the child
overrides the parent key by key. :func:`load_profile` reads, validates and resolves one into a
frozen :class:`Profile`.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

import pandas as pd

from lifecircle.analysis.groups import GroupNorm, build_groups, check_groups
from lifecircle.errors import ProfileError
from lifecircle.vocab import EVERYONE, LEVELS, STATUSES, Lang, Level, Status

logger = logging.getLogger(__name__)

TIERS = ("street_center", "urban_station", "village_station")
KINDS = ("urban", "town", "rural")

_TOP_KEYS = (
    "id",
    "name",
    "extends",
    "walk_speed_m_per_min",
    "levels",
    "categories",
    "checks",
    "groups",
)
_FIGURE_KEYS = ("value", "label", "source", "status")
_LEVEL_KEYS = ("distance_m", "label", "source", "status")
_RANGE_KEYS = ("min", "max", "label", "source", "status")
_CATEGORY_KEYS = (
    "name_zh",
    "name_en",
    "aliases",
    "level",
    "distance_m",
    "required",
    "group",
    "source",
    "status",
)
# check key -> (shape, unit, default label, the valid sub-keys for keyed checks)
_CHECKS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "area_per_100hh": ("figure", "m²/100户", "每百户社区综合服务设施面积", ()),
    "station_min_area": ("keyed", "m²", "站点建筑面积下限", TIERS),
    "facility_min_area": ("keyed", "m²", "设施建筑面积下限", ()),
    "community_size": ("range", "户", "社区规模", KINDS),
    "social_orgs_min": ("keyed", "个", "每社区社会组织数", KINDS),
    "social_orgs_per_10k_min": ("figure", "个/万人", "每万人社会组织数", ()),
    "workers_per_10k_min": ("figure", "人/万人", "每万城镇常住人口社区工作者数", ()),
    "volunteer_share_min": ("figure", "比例", "注册志愿者占居民比例", ()),
    "resident_activity_share_min": ("figure", "比例", "居民活动区域面积占比", ()),
}
_SHARE_CHECKS = ("volunteer_share_min", "resident_activity_share_min")
#: Chinese names of the life-circle levels, as the norms write them.
LEVEL_NAMES_ZH = {"5min": "五分钟生活圈", "10min": "十分钟生活圈", "15min": "十五分钟生活圈"}


@dataclass(frozen=True)
class Figure:
    """One norm figure with its evidence.

    Attributes
    ----------
    value
        The number, in ``unit``.
    unit
        ``m``, ``m/min``, ``m²``, ``m²/100户``, ``户``, ``个``, ``人/万人``, ``个/万人`` or
        ``比例`` (a share 0–1).
    source
        The document and clause it comes from.
    status
        Evidence status: ``P``, ``S``, ``B`` or ``U`` (see the module docstring).
    label
        A short Chinese description, e.g. ``每百户居民拥有社区综合服务设施面积``.
    """

    value: float
    unit: str
    source: str
    status: Status
    label: str


@dataclass(frozen=True)
class CategoryNorm:
    """A facility category: its names, life-circle level, walking distance and whether required.

    Attributes
    ----------
    id
        Our id, e.g. ``kindergarten``.
    name_zh, name_en
        Display names.
    aliases
        Further Chinese names a user's file may use (``托育点`` for ``nursery``).
    level
        The life-circle level it belongs to (GB 50180-2018 附录B).
    distance_m
        Its walking distance: its own, or the level's when the profile gives none.
    required
        Whether every resident should reach it within its level (counts in completeness).
    source, status
        Evidence for the level assignment and the requirement.
    group
        The population group it serves (a group of the profile), ``everyone`` by default: its
        walking time is at that group's pace, its time coverage weighted by that group.
    """

    id: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...]
    level: Level
    distance_m: Figure
    required: bool
    source: str = ""
    status: Status = "U"
    group: str = EVERYONE


@dataclass(frozen=True)
class Profile:
    """A resolved norm profile (every parent applied).

    Attributes
    ----------
    id, name
        The profile's id and display name.
    extends
        The resolved chain of ancestors, root first (``("cn-national",)`` for a county profile).
    levels
        Walking distance (m) per level.
    walk_speed_m_per_min
        Converts metres to minutes; a parameter, not a norm.
    categories
        Facility categories by id.
    area_per_100hh
        Minimum community service floor area per 100 households (m²), if any.
    station_min_area
        Minimum floor area (m²) per station tier (``street_center``, ``urban_station``,
        ``village_station``).
    community_size
        Household range ``(min, max)`` per community kind (``urban``, ``town``, ``rural``).
    social_orgs_min
        Minimum social organisations per community, per kind.
    workers_per_10k_min
        Minimum community workers per 10,000 urban residents.
    volunteer_share_min
        Minimum share (0–1) of residents registered as volunteers.
    resident_activity_share_min
        Minimum share (0–1) of service floor area used for residents' activities.
    facility_min_area
        Minimum floor area (m²) of one facility, per category (完整居住社区 minimums).
    social_orgs_per_10k_min
        Minimum social organisations per 10,000 residents.
    groups
        Population groups the categories serve, by id, with their assumed shares.
    """

    id: str
    name: str
    extends: tuple[str, ...]
    levels: Mapping[Level, Figure]
    walk_speed_m_per_min: Figure
    categories: Mapping[str, CategoryNorm]
    area_per_100hh: Figure | None
    station_min_area: Mapping[str, Figure]
    community_size: Mapping[str, tuple[Figure, Figure]]
    social_orgs_min: Mapping[str, Figure]
    workers_per_10k_min: Figure | None
    volunteer_share_min: Figure | None
    resident_activity_share_min: Figure | None
    facility_min_area: Mapping[str, Figure] = field(default_factory=dict)
    social_orgs_per_10k_min: Figure | None = None
    groups: Mapping[str, GroupNorm] = field(default_factory=dict)

    @cached_property
    def _lookup(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for cat in self.categories.values():
            for raw in (*cat.aliases, cat.name_en, cat.name_zh, cat.id):
                names[_normalise_name(raw)] = cat.id
        return names

    def category_id(self, raw: str) -> str | None:
        """Return our category id for an id, a Chinese name or an alias; None when unknown.

        Spaces are ignored, full-width parentheses equal half-width ones and Latin letters are
        compared case-insensitively.

        Examples
        --------
        >>> p = load_profile("cn-national")
        >>> p.category_id("村（社区）综合服务站"), p.category_id(" 幼儿园 "), p.category_id("x")
        ('community_service_station', 'kindergarten', None)
        """
        if not isinstance(raw, str):
            return None
        return self._lookup.get(_normalise_name(raw))

    def category_name(self, category: str, lang: Lang) -> str:
        """Return a category's name in ``lang`` (its Chinese or English name).

        Examples
        --------
        >>> load_profile("cn-national").category_name("kindergarten", "zh")
        '幼儿园'
        """
        norm = self.categories[category]
        return norm.name_en if lang == "en" else norm.name_zh

    def required_categories(self, level: Level) -> list[str]:
        """Return the ids of the required categories of ``level``.

        Levels are not inclusive (GB 50180-2018 条文说明 5.0.2): a level requires the categories
        that belong to it, not those of the levels below.
        """
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}; valid levels: {', '.join(LEVELS)}")
        return [c.id for c in self.categories.values() if c.level == level and c.required]

    def figures(self) -> pd.DataFrame:
        """Return every figure: columns key, label, value, unit, source, status."""
        rows: list[tuple[str, str, float, str, str, str]] = []

        def add(key: str, fig: Figure) -> None:
            rows.append((key, fig.label, fig.value, fig.unit, fig.source, fig.status))

        add("walk_speed_m_per_min", self.walk_speed_m_per_min)
        for level, fig in self.levels.items():
            add(f"levels.{level}", fig)
        for cat in self.categories.values():
            need = "必配" if cat.required else "宜配"
            label = f"{cat.name_zh}（{LEVEL_NAMES_ZH[cat.level]}，{need}）服务距离"
            source = cat.source
            status = cat.status
            if cat.distance_m.source != cat.source:
                source = f"{cat.source}；距离：{cat.distance_m.source}"
                status = _weakest(cat.status, cat.distance_m.status)
            rows.append((f"categories.{cat.id}", label, cat.distance_m.value, "m", source, status))
        if self.area_per_100hh is not None:
            add("checks.area_per_100hh", self.area_per_100hh)
        for tier, fig in self.station_min_area.items():
            add(f"checks.station_min_area.{tier}", fig)
        for cat_id, fig in self.facility_min_area.items():
            add(f"checks.facility_min_area.{cat_id}", fig)
        for kind, (lo, hi) in self.community_size.items():
            add(f"checks.community_size.{kind}.min", lo)
            add(f"checks.community_size.{kind}.max", hi)
        for kind, fig in self.social_orgs_min.items():
            add(f"checks.social_orgs_min.{kind}", fig)
        for key in (
            "social_orgs_per_10k_min",
            "workers_per_10k_min",
            "volunteer_share_min",
            "resident_activity_share_min",
        ):
            value = getattr(self, key)
            if value is not None:
                add(f"checks.{key}", value)
        for g in self.groups.values():
            rows.append((f"groups.{g.id}.share", g.label, g.share, "比例", g.source, g.status))
        return pd.DataFrame(rows, columns=["key", "label", "value", "unit", "source", "status"])


def _weakest(a: Status, b: Status) -> Status:
    return a if STATUSES.index(a) >= STATUSES.index(b) else b


_FULL_WIDTH = str.maketrans("（）\u3000", "() ")


def _normalise_name(raw: str) -> str:
    text = raw.translate(_FULL_WIDTH)
    return "".join(text.split()).lower()


# --- reading and validating ------------------------------------------------------------------


def _builtin_dir() -> Path:
    return Path(str(resources.files("lifecircle.data") / "norms"))


def list_profiles() -> list[tuple[str, str]]:
    """Return ``(id, name)`` of every built-in profile, sorted by id.

    Examples
    --------
    >>> [pid for pid, _ in list_profiles()][:2]
    ['cn-national', 'gz-wengan-2023']
    """
    out = []
    for path in sorted(_builtin_dir().glob("*.toml")):
        raw = _read_toml(path)
        out.append((str(raw.get("id", path.stem)), str(raw.get("name", path.stem))))
    return out


def _builtin_ids() -> list[str]:
    return sorted(p.stem for p in _builtin_dir().glob("*.toml"))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ProfileError(
            f"{path}: profile file not found; use a built-in id ({', '.join(_builtin_ids())}) "
            "or the path to a profile TOML"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Checker:
    """Collects every problem of one profile file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def bad(self, key: str, message: str) -> None:
        self.problems.append(f"{self.path}: {key}: {message}")

    def keys(self, key: str, table: object, valid: tuple[str, ...]) -> bool:
        if not isinstance(table, dict):
            self.bad(key, f"must be a table with keys {', '.join(valid)}")
            return False
        for k in table:
            if k not in valid:
                self.bad(f"{key}.{k}", f"unknown key; valid keys: {', '.join(valid)}")
        return True

    def evidence(self, key: str, table: dict[str, Any]) -> None:
        source = table.get("source")
        if not isinstance(source, str) or not source.strip():
            self.bad(key, "missing 'source' (the document and clause the figure comes from)")
        status = table.get("status")
        if status not in STATUSES:
            self.bad(
                f"{key}.status",
                f"bad status {status!r}; valid values: P (official text), S (secondary text), "
                "B (local document quoted), U (unconfirmed)",
            )
        label = table.get("label")
        if label is not None and not isinstance(label, str):
            self.bad(f"{key}.label", "must be a string")

    def number(
        self, key: str, value: object, *, share: bool = False, required: bool = True
    ) -> None:
        if value is None and not required:
            return
        if not _is_number(value):
            self.bad(key, f"must be a number, got {value!r}")
        elif float(cast(float, value)) < 0 or (share and float(cast(float, value)) > 1):
            limits = "between 0 and 1" if share else "≥ 0"
            self.bad(key, f"must be {limits}, got {value!r}")

    def figure(self, key: str, table: object, *, share: bool = False) -> None:
        if self.keys(key, table, _FIGURE_KEYS):
            assert isinstance(table, dict)
            self.number(f"{key}.value", table.get("value"), share=share)
            self.evidence(key, table)


def _check_file(raw: dict[str, Any], path: Path) -> None:
    """Validate one file's own content (before merging with its parent)."""
    chk = _Checker(path)
    chk.keys("(top level)", raw, _TOP_KEYS)
    for key in ("id", "name", "extends"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            chk.bad(key, "must be a non-empty string")
    if "walk_speed_m_per_min" in raw:
        chk.figure("walk_speed_m_per_min", raw["walk_speed_m_per_min"])
        value = raw["walk_speed_m_per_min"]
        if isinstance(value, dict) and value.get("value") == 0:
            chk.bad("walk_speed_m_per_min.value", "must be > 0")
    levels = raw.get("levels", {})
    if chk.keys("levels", levels, LEVELS):
        for name, table in levels.items():
            if name in LEVELS and chk.keys(f"levels.{name}", table, _LEVEL_KEYS):
                chk.number(f"levels.{name}.distance_m", table.get("distance_m"))
                chk.evidence(f"levels.{name}", table)
    cats = raw.get("categories", {})
    if isinstance(cats, dict):
        for cid, table in cats.items():
            key = f"categories.{cid}"
            if not chk.keys(key, table, _CATEGORY_KEYS):
                continue
            chk.evidence(key, table)
            if "level" in table and table["level"] not in LEVELS:
                chk.bad(
                    f"{key}.level",
                    f"bad level {table['level']!r}; valid levels: {', '.join(LEVELS)}",
                )
            chk.number(f"{key}.distance_m", table.get("distance_m"), required=False)
            if "required" in table and not isinstance(table["required"], bool):
                chk.bad(f"{key}.required", "must be true or false")
            aliases = table.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                chk.bad(f"{key}.aliases", "must be a list of strings")
            for name_key in ("name_zh", "name_en", "group"):
                if name_key in table and not isinstance(table[name_key], str):
                    chk.bad(f"{key}.{name_key}", "must be a string")
    else:
        chk.bad("categories", "must be a table of categories")
    chk.problems += check_groups(raw.get("groups"), str(path))
    checks = raw.get("checks", {})
    if chk.keys("checks", checks, tuple(_CHECKS)):
        for name, table in checks.items():
            if name not in _CHECKS:
                continue
            shape, _, _, valid = _CHECKS[name]
            key = f"checks.{name}"
            if shape == "figure":
                chk.figure(key, table, share=name in _SHARE_CHECKS)
                continue
            if not isinstance(table, dict):
                chk.bad(key, "must be a table")
                continue
            for sub, subtable in table.items():
                subkey = f"{key}.{sub}"
                if valid and sub not in valid:
                    chk.bad(subkey, f"unknown key; valid keys: {', '.join(valid)}")
                    continue
                if shape == "keyed":
                    chk.figure(subkey, subtable)
                elif chk.keys(subkey, subtable, _RANGE_KEYS):
                    chk.number(f"{subkey}.min", subtable.get("min"))
                    chk.number(f"{subkey}.max", subtable.get("max"))
                    chk.evidence(subkey, subtable)
                    lo, hi = subtable.get("min"), subtable.get("max")
                    if _is_number(lo) and _is_number(hi) and lo > hi:
                        chk.bad(subkey, f"min {lo} is larger than max {hi}")
    if chk.problems:
        raise ProfileError("\n".join(chk.problems), chk.problems)


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Apply ``child`` over ``parent``: figures replace whole, categories merge field by field."""
    out: dict[str, Any] = {k: v for k, v in parent.items() if k != "extends"}
    for key in ("id", "name", "walk_speed_m_per_min"):
        if key in child:
            out[key] = child[key]
    out["levels"] = {**parent.get("levels", {}), **child.get("levels", {})}
    cats = {k: dict(v) for k, v in parent.get("categories", {}).items()}
    for cid, table in child.get("categories", {}).items():
        cats[cid] = {**cats.get(cid, {}), **table}
    out["categories"] = cats
    out["groups"] = {**parent.get("groups", {}), **child.get("groups", {})}
    checks = dict(parent.get("checks", {}))
    for name, table in child.get("checks", {}).items():
        if _CHECKS[name][0] == "figure":
            checks[name] = table
        else:
            checks[name] = {**checks.get(name, {}), **table}
    out["checks"] = checks
    return out


def _resolve_ref(ref: str, *, origin: Path | None, base_dir: Path | None) -> Path:
    """Path of a profile reference: a built-in id or a path (relative to ``base_dir``)."""
    looks_like_path = ref.endswith(".toml") or "/" in ref or "\\" in ref
    if not looks_like_path:
        path = _builtin_dir() / f"{ref}.toml"
        if path.is_file():
            return path
        where = f"{origin}: extends" if origin is not None else "profile"
        raise ProfileError(
            f"{where}: unknown profile {ref!r}; built-in profiles: {', '.join(_builtin_ids())} "
            "(or give the path to a profile TOML)"
        )
    path = Path(ref)
    if not path.is_absolute():
        path = (base_dir if base_dir is not None else Path.cwd()) / path
    if not path.is_file():
        where = f"{origin}: extends" if origin is not None else "profile"
        raise ProfileError(
            f"{where}: profile file {path} not found; built-in profiles: "
            f"{', '.join(_builtin_ids())}"
        )
    return path


def _load_raw(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Read ``path`` and its ancestors; return the merged raw table and the ancestor ids."""
    resolved = path.resolve()
    if resolved in chain:
        cycle = " → ".join(str(p) for p in (*chain, resolved))
        raise ProfileError(f"{path}: extends: cycle of profiles: {cycle}")
    raw = _read_toml(path)
    _check_file(raw, path)
    raw.setdefault("id", path.stem)
    if "extends" not in raw:
        return raw, ()
    parent_path = _resolve_ref(raw["extends"], origin=path, base_dir=path.parent)
    parent, ancestors = _load_raw(parent_path, (*chain, resolved))
    return _merge(parent, raw), (*ancestors, str(parent["id"]))


def _figure(table: dict[str, Any], unit: str, label: str, key: str = "value") -> Figure:
    return Figure(
        value=float(table[key]),
        unit=unit,
        source=str(table["source"]),
        status=cast(Status, table["status"]),
        label=str(table.get("label") or label),
    )


def _build(raw: dict[str, Any], path: Path, extends: tuple[str, ...]) -> Profile:
    problems: list[str] = []
    if "walk_speed_m_per_min" not in raw:
        problems.append(f"{path}: walk_speed_m_per_min: missing (value, source, status)")
    for level in LEVELS:
        if level not in raw.get("levels", {}):
            problems.append(f"{path}: levels.{level}: missing (distance_m, source, status)")
    for cid, table in raw.get("categories", {}).items():
        for key in ("name_zh", "level", "required"):
            if key not in table:
                problems.append(f"{path}: categories.{cid}.{key}: missing")
    groups = build_groups(raw.get("groups", {}))
    for cid, table in raw.get("categories", {}).items():
        if table.get("group", EVERYONE) not in (EVERYONE, *groups):
            problems.append(
                f"{path}: categories.{cid}.group: unknown group {table['group']!r}; valid groups: "
                + ", ".join((EVERYONE, *groups))
            )
    for cid in raw.get("checks", {}).get("facility_min_area", {}):
        if cid not in raw.get("categories", {}):
            problems.append(
                f"{path}: checks.facility_min_area.{cid}: unknown category; valid categories: "
                + ", ".join(raw.get("categories", {}))
            )
    if problems:
        raise ProfileError("\n".join(problems), problems)

    levels = {
        lv: _figure(raw["levels"][lv], "m", f"{LEVEL_NAMES_ZH[lv]}步行距离", key="distance_m")
        for lv in LEVELS
    }
    categories: dict[str, CategoryNorm] = {}
    for cid, t in raw.get("categories", {}).items():
        level = cast(Level, t["level"])
        if "distance_m" in t:
            dist = _figure(t, "m", f"{t['name_zh']}服务距离", key="distance_m")
        else:
            dist = levels[level]
        categories[cid] = CategoryNorm(
            id=cid,
            name_zh=str(t["name_zh"]),
            name_en=str(t.get("name_en") or cid.replace("_", " ")),
            aliases=tuple(t.get("aliases", [])),
            level=level,
            distance_m=dist,
            required=bool(t["required"]),
            source=str(t["source"]),
            status=cast(Status, t["status"]),
            group=str(t.get("group", EVERYONE)),
        )
    checks = raw.get("checks", {})

    def single(name: str) -> Figure | None:
        _, unit, label, _ = _CHECKS[name]
        return _figure(checks[name], unit, label) if name in checks else None

    def keyed(name: str) -> dict[str, Figure]:
        _, unit, label, _ = _CHECKS[name]
        return {k: _figure(t, unit, label) for k, t in checks.get(name, {}).items()}

    sizes: dict[str, tuple[Figure, Figure]] = {}
    for kind, t in checks.get("community_size", {}).items():
        label = str(t.get("label") or f"{_CHECKS['community_size'][2]}（{kind}）")
        sizes[kind] = (
            _figure({**t, "label": f"{label}下限"}, "户", label, key="min"),
            _figure({**t, "label": f"{label}上限"}, "户", label, key="max"),
        )
    return Profile(
        id=str(raw["id"]),
        name=str(raw.get("name", raw["id"])),
        extends=extends,
        levels=MappingProxyType(levels),
        walk_speed_m_per_min=_figure(raw["walk_speed_m_per_min"], "m/min", "步行速度"),
        categories=MappingProxyType(categories),
        area_per_100hh=single("area_per_100hh"),
        station_min_area=MappingProxyType(keyed("station_min_area")),
        community_size=MappingProxyType(sizes),
        social_orgs_min=MappingProxyType(keyed("social_orgs_min")),
        workers_per_10k_min=single("workers_per_10k_min"),
        volunteer_share_min=single("volunteer_share_min"),
        resident_activity_share_min=single("resident_activity_share_min"),
        facility_min_area=MappingProxyType(keyed("facility_min_area")),
        social_orgs_per_10k_min=single("social_orgs_per_10k_min"),
        groups=MappingProxyType(groups),
    )


def load_profile(ref: str | Path, *, base_dir: Path | None = None) -> Profile:
    """Read, validate and resolve a norm profile.

    Parameters
    ----------
    ref
        A built-in id (``cn-national``, ``gz-wengan-2023``, ``sc-renshou-2018``,
        ``sx-yangquan-2015``) or the path to a profile TOML.
    base_dir
        Folder a relative path is read from (the project file's folder); default the current
        folder.

    Returns
    -------
    Profile
        With every ancestor applied; ``extends`` lists the ancestors' ids, root first.

    Raises
    ------
    ProfileError
        Unknown id or missing file, invalid TOML, unknown keys, a bad status letter, a missing
        source, a bad level name, a non-numeric value, an unknown parent or a cycle of
        ``extends``. The message names the file and the key and lists the valid values.

    Examples
    --------
    >>> load_profile("gz-wengan-2023").area_per_100hh.value
    31.2
    """
    if isinstance(ref, Path):
        path = ref if ref.is_absolute() or base_dir is None else base_dir / ref
        if not path.is_file():
            raise ProfileError(
                f"{path}: profile file not found; built-in profiles: {', '.join(_builtin_ids())}"
            )
    else:
        path = _resolve_ref(ref, origin=None, base_dir=base_dir)
    raw, extends = _load_raw(path, ())
    profile = _build(raw, path, extends)
    unconfirmed = (profile.figures()["status"] == "U").sum()
    logger.info(
        "profile %s (%s) loaded from %s; %d unconfirmed (U) figures",
        profile.id,
        " → ".join((*extends, profile.id)),
        path,
        unconfirmed,
    )
    return profile
