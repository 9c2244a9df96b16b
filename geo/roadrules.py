"""A road bureau's own columns in a road-line network: ``[network] fields`` and ``walkable``.

A road layer from a planning or road bureau names its columns in its own words (道路等级, 单行,
桥梁, 人行). ``fields`` maps our names to them:

* ``class``: the road class; ``walkable.exclude_class`` lists the classes nobody walks on
  (高速公路, 快速路), and their lines are left out of the walk network;
* ``foot``: whether pedestrians may use the line: a yes value (是, 1, yes, 允许) keeps it even when
  its class is excluded, a no value (否, 0, no, 禁止) leaves it out;
* ``bridge``: a yes value puts the line on another level, so lines it crosses are not joined
  where they cross (its ends still join), unless the layer has an OSM ``layer`` column;
* ``oneway``: read and checked, and, as in the OpenStreetMap rules, not applied: pedestrians
  walk both ways along a one-way street.

:data:`ROAD_FIELDS` lists the names ``fields`` takes; a reader that learns another column adds
its name there. The mapped columns are renamed to our names before the walking rules read them,
so a layer exported from OSM and a bureau's layer go through the same rules.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from lifecircle.dataissues import IssueLog
from lifecircle.errors import NetworkError

if TYPE_CHECKING:
    import geopandas as gpd

#: Our names for a road layer's columns, as ``[network] fields`` takes them.
ROAD_FIELDS: tuple[str, ...] = ("class", "oneway", "bridge", "foot")
#: The keys of ``[network] walkable``.
WALKABLE_KEYS: tuple[str, ...] = ("exclude_class",)

#: Cell values read as yes / no in the ``foot`` and ``bridge`` columns (compared lower-cased).
YES_VALUES = frozenset({"1", "yes", "y", "true", "t", "是", "有", "允许", "可", "桥", "桥梁"})
NO_VALUES = frozenset({"0", "no", "n", "false", "f", "否", "无", "禁止", "不允许", "不可"})


@dataclass(frozen=True)
class RoadRules:
    """How to read a road-line layer's own columns.

    Attributes
    ----------
    fields
        Our name (one of :data:`ROAD_FIELDS`) → the layer's column, e.g. ``{"class": "道路等级"}``.
    exclude_class
        Values of the ``class`` column whose lines are not walkable, e.g. ``("高速公路",)``.

    Examples
    --------
    >>> RoadRules({"class": "道路等级"}, ("高速公路", "快速路")).cache_options()
    {'fields': [['class', '道路等级']], 'exclude_class': ['快速路', '高速公路']}
    """

    fields: Mapping[str, str] = field(default_factory=dict)
    exclude_class: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.fields) or bool(self.exclude_class)

    def cache_options(self) -> dict[str, list[Any]]:
        """The rules as plain, ordered values for the network cache key."""
        return {
            "fields": [[k, v] for k, v in sorted(self.fields.items())],
            "exclude_class": sorted(self.exclude_class),
        }


def _text(values: Iterable[object]) -> NDArray[np.object_]:
    """Cells as stripped text, None where empty or missing."""
    cells = [None if v is None or v != v else str(v).strip() for v in values]
    out = np.empty(len(cells), dtype=np.object_)
    out[:] = cells
    return out


def _yes_no(values: NDArray[np.object_]) -> NDArray[np.object_]:
    """``"yes"``, ``"no"`` or None (empty or another value) per cell."""
    out = np.full(len(values), None, dtype=object)
    for i, v in enumerate(values):
        low = None if v is None else str(v).lower()
        if low in YES_VALUES:
            out[i] = "yes"
        elif low in NO_VALUES:
            out[i] = "no"
    return out


def apply_road_rules(
    gdf: gpd.GeoDataFrame, rules: RoadRules, path: Path, *, issues: IssueLog | None = None
) -> tuple[gpd.GeoDataFrame, NDArray[np.bool_]]:
    """Rename the mapped columns to our names and decide which lines the rules leave out.

    Parameters
    ----------
    gdf
        The road layer as read.
    rules
        The ``[network] fields`` and ``walkable`` rules.
    path
        The layer's file, for messages.
    issues
        Receives an excluded class that no line has but one like it does (a misspelt value), and
        ``foot`` values that are neither yes nor no.

    Returns
    -------
    gdf, allowed
        The layer with the mapped columns under our names (``foot`` as ``yes`` / ``no`` / None;
        ``layer`` = ``"1"`` on bridges when the layer has no ``layer`` column), and per row
        whether the rules allow walking on it.

    Raises
    ------
    NetworkError
        A mapped column the layer does not have (the message lists its columns), or
        ``exclude_class`` without ``fields.class``.
    """
    allowed = np.ones(len(gdf), dtype=bool)
    if not rules:
        return gdf, allowed
    columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    lower = {c.strip().casefold(): c for c in columns}
    missing = [
        f"{ours} = {theirs!r}"
        for ours, theirs in rules.fields.items()
        if theirs.strip().casefold() not in lower
    ]
    if missing:
        raise NetworkError(
            f"{path.name}: [network] fields names columns the road layer does not have "
            f"({', '.join(missing)}); its columns are: {', '.join(columns) or '(none)'}"
        )
    if rules.exclude_class and "class" not in rules.fields:
        raise NetworkError(
            f"{path.name}: [network] walkable.exclude_class needs the road-class column: "
            'add fields = { class = "<column>" } (e.g. "道路等级") to [network]'
        )
    theirs_to_ours = {lower[t.strip().casefold()]: o for o, t in rules.fields.items()}
    clash = [c for c in gdf.columns if c in rules.fields and c not in theirs_to_ours]
    gdf = gdf.drop(columns=clash).rename(columns=theirs_to_ours)
    name = path.name
    if "class" in rules.fields:
        road_class = _text(gdf["class"])
        excluded = np.isin(road_class, list(rules.exclude_class))
        present = sorted({str(v) for v in road_class if v is not None})
        for value in rules.exclude_class:
            near = difflib.get_close_matches(value, present, n=1)
            if issues is not None and value not in present and near:
                issues.add(
                    "network",
                    "",
                    "road_class_misspelt",
                    file=name,
                    field=rules.fields["class"],
                    value=value,
                    near=near[0],
                )
        allowed &= ~excluded
    if "foot" in rules.fields:
        raw = _text(gdf["foot"])
        foot = _yes_no(raw)
        unknown = sorted({str(v) for v, f in zip(raw, foot, strict=True) if v and f is None})
        if unknown and issues is not None:
            issues.add(
                "network",
                "",
                "road_foot_unknown",
                file=name,
                field=rules.fields["foot"],
                values=", ".join(unknown[:10]),
            )
        allowed = np.where(foot == "yes", True, np.where(foot == "no", False, allowed))
        gdf = gdf.assign(foot=foot)
    if "bridge" in rules.fields and "layer" not in {str(c).lower() for c in gdf.columns}:
        on_bridge = _yes_no(_text(gdf["bridge"])) == "yes"
        gdf = gdf.assign(layer=np.where(on_bridge, "1", "0").astype(object))
    return gdf, allowed
