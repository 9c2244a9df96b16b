"""What each kind of layer holds: geometry types, required and optional columns, numeric ranges.

These are the schemas the validation gate (:mod:`lifecircle.geo.validate`) checks every layer
against, and the words a community's ``kind`` may be written in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
    geometry: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    numbers: Mapping[str, _Number]
    id_from_row: bool


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
        ),
        numbers={
            "households": _Number(integer=True),
            "population": _Number(),
            "workers": _Number(integer=True),
            "social_orgs": _Number(integer=True),
            "volunteers": _Number(integer=True),
            "activity_floor_area_m2": _Number(),
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
        optional=("id", "value", "households"),
        numbers={"value": _Number(), "households": _Number()},
        id_from_row=True,
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
