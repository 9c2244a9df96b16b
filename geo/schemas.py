"""What each kind of layer holds: geometry types, required and optional columns, numeric ranges.

These are the schemas the validation gate (:mod:`lifecircle.geo.validate`) checks every layer
against, and the words a community's ``kind`` may be written in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

LayerKind = Literal["communities", "facilities", "population", "candidates", "compounds", "gates"]
LAYER_KINDS: tuple[str, ...] = get_args(LayerKind)

COMMUNITY_KINDS = ("urban", "town", "rural")
#: How a community's ``kind`` may be written (lower-cased) → the kind it means.
KIND_ALIASES = {
    "urban": "urban",
    "城市社区": "urban",
    "社区": "urban",
    "城市": "urban",
    "城镇社区": "urban",
    "town": "town",
    "镇": "town",
    "集镇": "town",
    "集镇社区": "town",
    "rural": "rural",
    "村": "rural",
    "农村": "rural",
    "行政村": "rural",
}


@dataclass(frozen=True)
class _Number:
    """A numeric column's valid range: ``> minimum`` when strict, else ``≥ minimum``."""

    minimum: float = 0.0
    strict: bool = False
    integer: bool = False


@dataclass(frozen=True)
class _Schema:
    """One layer kind: its geometry types, columns, numeric ranges and column-name aliases.

    ``aliases`` gives, per column, the names it is looked for under (in order, ignoring case)
    when ``fields`` does not name it; a column without aliases is looked for under its own name.
    """

    geometry: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    numbers: Mapping[str, _Number]
    id_from_row: bool
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


#: Column names of the population groups' counts found without ``fields``.
GROUP_ALIASES = {
    "elderly": ("elderly", "60岁以上人口", "60岁及以上人口", "老年人口"),
    "children": ("children", "0-6岁人口", "0～6岁人口", "0-6岁儿童", "学龄前儿童"),
}

POLYGONS = ("Polygon", "MultiPolygon")
POINTS = ("Point", "MultiPoint")

SCHEMAS: dict[str, _Schema] = {
    "communities": _Schema(
        geometry=POLYGONS,
        required=("id", "name", "households"),
        optional=(
            "kind",
            "population",
            "street",
            "workers",
            "social_orgs",
            "volunteers",
            "activity_floor_area_m2",
            "elderly",  # people aged 60 or over (a population group the norms serve)
            "children",  # children aged 0–6
        ),
        numbers={
            "households": _Number(integer=True),
            "population": _Number(),
            "workers": _Number(integer=True),
            "social_orgs": _Number(integer=True),
            "volunteers": _Number(integer=True),
            "activity_floor_area_m2": _Number(),
            "elderly": _Number(),
            "children": _Number(),
        },
        id_from_row=False,
    ),
    "facilities": _Schema(
        geometry=POINTS + POLYGONS,
        required=("name", "category"),
        optional=("id", "floor_area_m2", "community_id", "capacity"),
        numbers={"floor_area_m2": _Number(strict=True), "capacity": _Number()},
        id_from_row=True,
    ),
    "population": _Schema(
        geometry=POINTS + POLYGONS,
        required=(),
        optional=("id", "value", "households", *GROUP_ALIASES),
        numbers={
            "value": _Number(),
            "households": _Number(),
            "elderly": _Number(),
            "children": _Number(),
        },
        id_from_row=True,
        aliases={
            "value": ("value", "population", "pop", "人口", "人口数", "常住人口", "人数"),
            "households": ("households", "户数", "住户数", "户"),
            **GROUP_ALIASES,
        },
    ),
    "candidates": _Schema(
        geometry=POINTS + POLYGONS,
        required=(),
        optional=("id", "name", "max_floor_area_m2"),
        numbers={"max_floor_area_m2": _Number(strict=True)},
        id_from_row=True,
    ),
    "compounds": _Schema(
        geometry=POLYGONS, required=("id",), optional=(), numbers={}, id_from_row=False
    ),
    "gates": _Schema(
        geometry=POINTS,
        required=("id", "compound_id"),
        optional=(),
        numbers={},
        id_from_row=False,
    ),
}

#: Each kind's geometry, as the problem message names it.
EXPECTED_GEOMETRY = {
    "communities": "Polygon or MultiPolygon",
    "facilities": "Point (or Polygon, replaced by a point inside it)",
    "population": "Point, Polygon or MultiPolygon",
    "candidates": "Point, Polygon or MultiPolygon",
    "compounds": "Polygon or MultiPolygon",
    "gates": "Point",
}
