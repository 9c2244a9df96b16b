"""Population groups a service is for (the elderly, young children) and their people per point.

A norm profile says which group each facility category serves (``group = "elderly"`` on
``elderly_day_care``; every resident by default) and gives each group's share of the population
as a figure with its source, used where the data give no count (``[groups.<id>]``, validated
here). :func:`group_population` spreads each community's group count over its demand points in
proportion to their population, or applies the assumed share where the count is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from lifecircle.vocab import EVERYONE, STATUSES, Status

#: The keys of a ``[groups.<id>]`` table of a profile.
GROUP_KEYS = ("name_zh", "name_en", "share", "label", "source", "status")


@dataclass(frozen=True)
class GroupNorm:
    """A population group of a profile.

    Attributes
    ----------
    id
        The group id, e.g. ``elderly``; a communities column of that name gives its counts.
    name_zh, name_en
        Display names (``老年人（60岁及以上）``).
    share
        Share (0–1) of the population in the group, assumed where no count is given.
    source, status
        Evidence for ``share`` (status P / S / B / U as for every figure).
    label
        A short Chinese description of the share.
    """

    id: str
    name_zh: str
    name_en: str
    share: float
    source: str
    status: Status
    label: str


def check_groups(raw: object, where: str) -> list[str]:
    """The problems of a profile's ``groups`` table (before merging with its parent).

    Parameters
    ----------
    raw
        The ``groups`` table as read from TOML.
    where
        The file, named in every problem.

    Returns
    -------
    list of str
        One problem per bad key or value, naming the valid ones.
    """
    if raw is None:
        return []
    if not isinstance(raw, dict):
        return [f"{where}: groups: must be a table of groups, e.g. [groups.elderly]"]
    problems: list[str] = []
    valid = ", ".join(GROUP_KEYS)
    for gid, table in raw.items():
        key = f"groups.{gid}"
        if gid == EVERYONE:
            problems.append(f"{where}: {key}: '{EVERYONE}' is every resident; choose another id")
            continue
        if not isinstance(table, dict):
            problems.append(f"{where}: {key}: must be a table with keys {valid}")
            continue
        for k in table:
            if k not in GROUP_KEYS:
                problems.append(f"{where}: {key}.{k}: unknown key; valid keys: {valid}")
        share = table.get("share")
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            problems.append(f"{where}: {key}.share: must be a number from 0 to 1, got {share!r}")
        if not isinstance(table.get("source"), str) or not str(table.get("source")).strip():
            problems.append(f"{where}: {key}: missing 'source' (where the share comes from)")
        if table.get("status") not in STATUSES:
            problems.append(
                f"{where}: {key}.status: bad status {table.get('status')!r}; valid values: "
                + ", ".join(STATUSES)
            )
        for name_key in ("name_zh", "name_en", "label"):
            if name_key in table and not isinstance(table[name_key], str):
                problems.append(f"{where}: {key}.{name_key}: must be a string")
    return problems


def build_groups(raw: Mapping[str, Any]) -> dict[str, GroupNorm]:
    """The validated ``groups`` table as :class:`GroupNorm` objects, by id."""
    out: dict[str, GroupNorm] = {}
    for gid, t in raw.items():
        name_zh = str(t.get("name_zh") or gid)
        out[gid] = GroupNorm(
            id=gid,
            name_zh=name_zh,
            name_en=str(t.get("name_en") or gid),
            share=float(t["share"]),
            source=str(t["source"]),
            status=cast(Status, t["status"]),
            label=str(t.get("label") or f"{name_zh}占常住人口比例"),
        )
    return out


@dataclass(frozen=True)
class GroupPopulation:
    """People of each group at each demand point.

    Attributes
    ----------
    people
        One row per demand point (the demand's index), one column per group (``everyone``
        included): persons, float.
    assumed
        Per group, the ids of the communities whose count was missing, so the assumed share was
        used (points outside every community always use it).
    capped
        Per group, the ids of the communities whose count exceeded their population (share
        capped at 1).
    """

    people: pd.DataFrame
    assumed: Mapping[str, list[str]]
    capped: Mapping[str, list[str]]


def group_population(
    population: ArrayLike,
    community_id: pd.Series,
    communities: pd.DataFrame,
    *,
    groups: Sequence[str],
    assumed_share: Mapping[str, float],
    point_counts: Mapping[str, ArrayLike] | None = None,
) -> GroupPopulation:
    """Spread each group's count over the demand points, or apply its assumed share.

    Parameters
    ----------
    population
        Persons at each demand point.
    community_id
        The community of each point (NaN outside every community), aligned with
        ``population``; its index becomes the result's.
    communities
        ``id``, ``population`` and, for each group given by the data, a column named after the
        group with its count (persons; empty where unknown).
    groups
        The groups wanted (``everyone`` is always added).
    assumed_share
        Share (0–1) of each group in the population where no count is given.
    point_counts
        Per group, its count (persons) at each demand point where the population layer gives
        one (NaN where not); such a count wins over the community's share, capped at the
        point's population.

    Returns
    -------
    GroupPopulation
        ``people[g] = population × share`` with the community's share
        ``count / population`` where it has a count, else the assumed share; a point's own
        count where the population layer gives one.

    Examples
    --------
    A community of 1,000 people with 250 elderly: a point of 100 people holds 25.

    >>> comm = pd.DataFrame({"id": ["A"], "population": [1000.0], "elderly": [250.0]})
    >>> got = group_population([100.0], pd.Series(["A"]), comm, groups=["elderly"],
    ...                        assumed_share={"elderly": 0.2})
    >>> float(got.people.loc[0, "elderly"])
    25.0
    """
    pop = np.asarray(population, dtype=float)
    people = pd.DataFrame({EVERYONE: pop}, index=community_id.index)
    assumed: dict[str, list[str]] = {}
    capped: dict[str, list[str]] = {}
    comm = communities.set_index(communities["id"].astype(str))
    comm_pop = pd.to_numeric(comm["population"], errors="coerce")
    keys = community_id.astype(object).where(community_id.notna(), None)
    keys = keys.map(lambda v: None if v is None else str(v))
    for g in dict.fromkeys(groups):
        if g == EVERYONE:
            continue
        count = (
            pd.to_numeric(comm[g], errors="coerce")
            if g in comm.columns
            else pd.Series(np.nan, index=comm.index)
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            share = (count / comm_pop).where(count.notna() & (comm_pop > 0))
        own = (point_counts or {}).get(g)
        own_count = np.full(len(pop), np.nan) if own is None else np.asarray(own, dtype=float)
        has_own = np.isfinite(own_count)
        # a community is assumed only where some of its points have no count of their own
        needs_share = set(keys[~has_own].dropna())
        assumed[g] = [str(c) for c in share.index[share.isna()] if str(c) in needs_share]
        capped[g] = [str(c) for c in share.index[share > 1]]
        share = share.clip(upper=1.0).fillna(assumed_share[g])
        point_share = keys.map(share).fillna(assumed_share[g]).to_numpy(dtype=float)
        people[g] = np.where(has_own, np.minimum(own_count, pop), pop * point_share)
    return GroupPopulation(people, assumed, capped)


__all__ = [
    "GROUP_KEYS",
    "GroupNorm",
    "GroupPopulation",
    "build_groups",
    "check_groups",
    "group_population",
]
