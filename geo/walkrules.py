"""The OpenStreetMap walking rules shared by every network reader, and the issues they report.

The rules follow the OSM conventions as mapped in China, the country the tool serves; where
they differ from the worldwide defaults of the OSM wiki ("OSM tags for routing/Access
restrictions"), China's apply.

Walking rules (:func:`is_walkable`):

* ``oneway`` is ignored: pedestrians walk both ways along a one-way street.
* ``highway=cycleway`` is not walked unless ``foot=yes``/``designated``/``permissive``: in China
  a cycleway is a separated non-motor-vehicle track (非机动车道) and pedestrians keep to the
  sidewalk (道路交通安全法 第六十一条); the worldwide defaults, as in the US, let walkers use it.
* ``area=yes`` highways (pedestrian squares, parking aisles) keep their outline as a walkable
  ring: people walk along the edge of a square; nothing crosses its interior.
* ``access=private``/``no`` (or ``foot=private``) ways are dropped unless
  ``foot=yes/designated/permissive``, or ``keep_private=True`` and the way is a minor way
  (service, footway, path, pedestrian, living_street, residential, steps, corridor, track): the
  internal paths of gated compounds (小区), walkable for their residents. The caller decides
  when: the project pipeline keeps them when compound gates are given.
* ``foot=use_sidepath`` counts as ``foot=no``: the sidewalk is mapped as its own way.

Barrier nodes (:func:`node_closed`): a node tagged ``barrier=*`` (``gate``, ``bollard``,
``fence``, ``lift_gate`` …) with ``foot=no``/``private``, or ``access=no``/``private`` without a
``foot=yes``/``designated``/``permissive``, stops walkers the way a gated compound's wall does;
the readers mark such nodes (``node_barrier``) and
:func:`lifecircle.geo.barriers.close_barriers` closes them unless the gates layer opens them.

Steps (:func:`is_steps`): ``highway=steps`` ways are walked, their time multiplied by the project's
``steps_factor`` (:mod:`lifecircle.geo.walktime`).

The OSM readers record the ways they had to work around with :func:`report_unknown_highway`
and :func:`report_missing_nodes`.
"""

from __future__ import annotations

from collections.abc import Mapping

from lifecircle.dataissues import IssueLog

#: ``highway`` values walkable unless ``foot=no`` (or private access).
WALKABLE_HIGHWAY = frozenset(
    {
        "footway",
        "path",
        "pedestrian",
        "steps",
        "living_street",
        "residential",
        "service",
        "unclassified",
        "road",
        "tertiary",
        "tertiary_link",
        "secondary",
        "secondary_link",
        "primary",
        "primary_link",
        "trunk",
        "trunk_link",
        "track",
        "corridor",
        "crossing",
        "sidewalk",
    }
)
#: ``highway`` values walkable only with ``foot=yes/designated/permissive`` (``cycleway``: the
#: Chinese convention).
FOOT_ONLY_HIGHWAY = frozenset({"motorway", "motorway_link", "bridleway", "cycleway"})
#: ``highway`` values that are not (or not yet, or no longer) ways anyone walks.
NOT_WALKABLE_HIGHWAY = frozenset(
    {
        "proposed",
        "construction",
        "abandoned",
        "disused",
        "razed",
        "platform",
        "raceway",
        "bus_guideway",
        "busway",
        "escape",
        "rest_area",
        "services",
        "elevator",
        "no",
    }
)
#: ``foot`` values that allow walking whatever ``access`` says.
_FOOT_YES = frozenset({"yes", "designated", "permissive"})
#: ``foot`` values that forbid walking (``use_sidepath``: the sidewalk is its own way).
_FOOT_NO = frozenset({"no", "use_sidepath"})
#: ``access`` values that close a way to the public.
_ACCESS_NO = frozenset({"private", "no"})
#: ``foot`` values on a barrier node that stop walkers.
_BARRIER_FOOT_NO = frozenset({"no", "private"})
#: ``highway`` values kept when private with ``keep_private=True`` (paths inside compounds).
_PRIVATE_KEEPABLE = frozenset(
    {
        "service",
        "footway",
        "path",
        "pedestrian",
        "living_street",
        "residential",
        "steps",
        "corridor",
        "track",
    }
)
#: Every ``highway`` value the rules know; other values are reported.
_KNOWN_HIGHWAY = WALKABLE_HIGHWAY | FOOT_ONLY_HIGHWAY | NOT_WALKABLE_HIGHWAY


def is_walkable(
    highway: str | None,
    *,
    foot: str | None = None,
    access: str | None = None,
    keep_private: bool = False,
) -> bool:
    """Whether a way with these OSM tags can be walked.

    Parameters
    ----------
    highway, foot, access
        The way's ``highway``, ``foot`` and ``access`` tag values (None when absent).
    keep_private
        Keep ``access=private``/``no`` minor ways (compound paths, service roads).

    Returns
    -------
    bool
        False for ways without ``highway`` (buildings, waterways, land use), unknown or
        not-walkable ``highway`` values, ``foot=no``, motorways and bridleways without
        ``foot=yes``, and private ways (see the module notes).

    Examples
    --------
    >>> is_walkable("primary", foot="no")
    False
    >>> is_walkable("service", access="private", keep_private=True)
    True
    """
    if highway is None or highway in NOT_WALKABLE_HIGHWAY:
        return False
    if foot in _FOOT_NO:
        return False
    if foot in _FOOT_YES:
        return highway in WALKABLE_HIGHWAY or highway in FOOT_ONLY_HIGHWAY
    if highway not in WALKABLE_HIGHWAY:
        return False
    if access in _ACCESS_NO or foot == "private":
        return keep_private and highway in _PRIVATE_KEEPABLE
    return True


def tags_walkable(tags: Mapping[str, str], keep_private: bool) -> bool:
    """Apply :func:`is_walkable` to a way's tag mapping (keys ``highway``, ``foot``, ``access``).

    Parameters
    ----------
    tags
        The way's OSM tags.
    keep_private
        Keep private minor ways, as in :func:`is_walkable`.

    Returns
    -------
    bool
        Whether the way can be walked.
    """
    return is_walkable(
        tags.get("highway"),
        foot=tags.get("foot"),
        access=tags.get("access"),
        keep_private=keep_private,
    )


def is_steps(highway: str | None) -> bool:
    """Whether a way with this ``highway`` value is a flight of steps (``highway=steps``).

    Examples
    --------
    >>> is_steps("steps"), is_steps("footway")
    (True, False)
    """
    return highway == "steps"


def node_closed(tags: Mapping[str, str]) -> bool:
    """Whether a node's tags make it a barrier closed to walkers.

    Parameters
    ----------
    tags
        The node's OSM tags.

    Returns
    -------
    bool
        True for a ``barrier=*`` node (any value but ``no``) with ``foot=no``/``private``, or
        with ``access=no``/``private`` and no ``foot=yes``/``designated``/``permissive``.

    Examples
    --------
    >>> node_closed({"barrier": "gate", "access": "private"})
    True
    >>> node_closed({"barrier": "gate", "access": "private", "foot": "yes"})
    False
    >>> node_closed({"barrier": "bollard"})
    False
    """
    barrier = tags.get("barrier")
    if barrier is None or barrier == "no":
        return False
    foot = tags.get("foot")
    if foot in _BARRIER_FOOT_NO:
        return True
    if foot in _FOOT_YES:
        return False
    return tags.get("access") in _ACCESS_NO


def report_unknown_highway(highway: str | None, way_id: object, issues: IssueLog) -> None:
    """Record a dropped way whose ``highway`` value the rules do not know (likely a typo).

    Parameters
    ----------
    highway
        The way's ``highway`` value; None and known values record nothing.
    way_id
        The way's OSM id, the issue's row id.
    issues
        Where the issue is recorded (layer ``network``).
    """
    if highway is not None and highway not in _KNOWN_HIGHWAY:
        issues.add("network", way_id, "osm_highway_unknown", highway=highway)


def report_missing_nodes(way_id: object, missing: int, issues: IssueLog) -> None:
    """Record a walkable way that references nodes the file does not hold.

    Parameters
    ----------
    way_id
        The way's OSM id, the issue's row id.
    missing
        How many of its node references were not found (count).
    issues
        Where the issue is recorded (layer ``network``).
    """
    issues.add("network", way_id, "osm_nodes_missing", missing=missing)


__all__ = [
    "FOOT_ONLY_HIGHWAY",
    "NOT_WALKABLE_HIGHWAY",
    "WALKABLE_HIGHWAY",
    "is_steps",
    "is_walkable",
    "node_closed",
    "report_missing_nodes",
    "report_unknown_highway",
    "tags_walkable",
]
