"""The ``[walking]`` table of the project file: walking pace, elevation model, slope and steps.

.. code-block:: toml

    [walking]
    speed_mps = 1.2                 # flat-ground pace of an adult (m/s)
    dem = "dem.tif"                 # optional elevation GeoTIFF, any CRS
    slope = "tobler"                # "none" | "tobler"
    steps_factor = 2.0              # time multiplier on highway=steps
    levels_min = [5, 10, 15]        # life-circle levels in minutes for the time measure

    [walking.groups]                # walking pace (and, optionally, share) per population group
    elderly = { speed_mps = 0.8 }
    children = { speed_mps = 1.0, share = 0.06 }

Every key is optional; the defaults are those above (``elderly`` 0.8 m/s and ``children``
1.0 m/s unless ``[walking.groups]`` says otherwise). :func:`read_walking` collects every problem
of the table for the project file's one error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

from lifecircle.tomlkeys import unknown_keys
from lifecircle.vocab import EVERYONE, SLOPE_MODELS, SlopeModel

#: The keys of ``[walking]`` and of one group of ``[walking.groups]``.
WALKING_KEYS = ("speed_mps", "dem", "slope", "steps_factor", "levels_min", "groups")
GROUP_KEYS = ("speed_mps", "share")

#: Flat-ground walking paces (m/s) of the built-in groups when the project gives none: an adult,
#: a person aged 60 or over, a child of 0–6 walking with a carer.
DEFAULT_SPEED_MPS = 1.2
DEFAULT_GROUP_SPEEDS_MPS = {"elderly": 0.8, "children": 1.0}


@dataclass(frozen=True)
class GroupSpec:
    """The walking pace of one population group, and its share where the data give no count.

    Attributes
    ----------
    speed_mps
        Flat-ground walking pace (m/s).
    share
        Share (0–1) of the population in the group, overriding the profile's; None to use the
        profile's.
    """

    speed_mps: float
    share: float | None = None


def _default_groups() -> Mapping[str, GroupSpec]:
    return MappingProxyType({g: GroupSpec(v) for g, v in DEFAULT_GROUP_SPEEDS_MPS.items()})


@dataclass(frozen=True)
class WalkingSpec:
    """The ``[walking]`` table.

    Attributes
    ----------
    speed_mps
        Flat-ground pace of an adult (m/s): the pace of the group ``everyone``.
    dem
        The elevation GeoTIFF (absolute path), or None for flat ground.
    slope
        ``tobler`` (Tobler's hiking function, scaled so flat ground gives the pace) or ``none``.
    steps_factor
        Multiplier of the walking time on a flight of steps (after the slope).
    levels_min
        Life-circle levels in minutes for the time measure, ascending.
    groups
        Pace (and optional share) per population group id.
    given
        Whether the project file has a ``[walking]`` table. Without one the defaults measure
        walking time all the same, but no walking-time isochrones are drawn.
    """

    speed_mps: float = DEFAULT_SPEED_MPS
    dem: Path | None = None
    slope: SlopeModel = "tobler"
    steps_factor: float = 2.0
    levels_min: tuple[float, ...] = (5.0, 10.0, 15.0)
    groups: Mapping[str, GroupSpec] = field(default_factory=_default_groups)
    given: bool = True

    def speed_of(self, group: str) -> float | None:
        """The flat-ground pace (m/s) of a group; None for a group the project does not know."""
        if group == EVERYONE:
            return self.speed_mps
        spec = self.groups.get(group)
        return None if spec is None else spec.speed_mps


def _number(value: Any, key: str, problems: list[str], low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{key} = {value!r} must be a number")
        return None
    if not low <= value <= high:
        problems.append(f"{key} = {value} must be between {low:g} and {high:g}")
        return None
    return float(value)


def read_walking(raw: Any, base: Path, problems: list[str]) -> WalkingSpec:
    """Read and validate the ``[walking]`` table (absent: the defaults).

    Parameters
    ----------
    raw
        The table as read from TOML, or None.
    base
        The project file's folder (``dem`` is relative to it).
    problems
        Every problem found is appended here, naming the key and the valid values.

    Returns
    -------
    WalkingSpec
        The table; where a value is bad, its default (the problems make the caller raise).
    """
    if raw is None:
        return WalkingSpec(given=False)
    if not isinstance(raw, dict):
        problems.append("[walking] must be a table")
        return WalkingSpec()
    problems.extend(unknown_keys(raw, WALKING_KEYS, "walking"))
    speed = _number(raw.get("speed_mps", DEFAULT_SPEED_MPS), "walking.speed_mps", problems, 0.1, 3)
    dem: Path | None = None
    if "dem" in raw:
        if not isinstance(raw["dem"], str) or not raw["dem"]:
            problems.append('walking.dem must be the path of an elevation GeoTIFF, e.g. "dem.tif"')
        else:
            dem = (base / raw["dem"]).resolve()
            if not dem.is_file():
                problems.append(f'walking.dem = "{raw["dem"]}": file not found')
    slope = raw.get("slope", "tobler")
    if slope not in SLOPE_MODELS:
        problems.append(
            f"walking.slope = {slope!r} is not valid; use one of: " + ", ".join(SLOPE_MODELS)
        )
        slope = "tobler"
    steps = _number(raw.get("steps_factor", 2.0), "walking.steps_factor", problems, 1, 10)
    levels: tuple[float, ...] = (5.0, 10.0, 15.0)
    if "levels_min" in raw:
        given = raw["levels_min"]
        values = [
            _number(v, "walking.levels_min", problems, 0.5, 120)
            for v in (given if isinstance(given, list) else [])
        ]
        if not isinstance(given, list) or not given:
            problems.append("walking.levels_min must be a list of minutes, e.g. [5, 10, 15]")
        elif all(v is not None for v in values):
            levels = tuple(sorted({float(cast(float, v)) for v in values}))
    groups = dict(_default_groups())
    table = raw.get("groups", {})
    if not isinstance(table, dict):
        problems.append("[walking.groups] must map group ids to { speed_mps = … }")
        table = {}
    for gid, spec in table.items():
        where = f"walking.groups.{gid}"
        if gid == EVERYONE:
            problems.append(f"[{where}]: the pace of everyone is walking.speed_mps")
            continue
        if not isinstance(spec, dict) or "speed_mps" not in spec:
            problems.append(f"[{where}] must be a table with speed_mps, e.g. {{ speed_mps = 0.8 }}")
            continue
        problems.extend(unknown_keys(spec, GROUP_KEYS, where))
        pace = _number(spec["speed_mps"], f"{where}.speed_mps", problems, 0.1, 3)
        share = (
            _number(spec["share"], f"{where}.share", problems, 0, 1) if "share" in spec else None
        )
        groups[gid] = GroupSpec(pace if pace is not None else 1.0, share)
    return WalkingSpec(
        speed_mps=speed if speed is not None else DEFAULT_SPEED_MPS,
        dem=dem,
        slope=cast(SlopeModel, slope),
        steps_factor=steps if steps is not None else 2.0,
        levels_min=levels,
        groups=MappingProxyType(groups),
    )


__all__ = ["WALKING_KEYS", "GroupSpec", "WalkingSpec", "read_walking"]
