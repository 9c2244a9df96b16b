"""Population accounting: the people supplied, the people counted and the people left out, and why.

Every coverage share is a share of the people *counted*: the demand points that could be snapped
to the walk network. The people a planner supplied (the population layer, or each community's
population spread over its area) can be more; the difference is listed with its reason, per
community and overall, so that a total never silently shrinks.

Reasons (ids, shown through the labels of :mod:`lifecircle.maps.labels`):

``far_from_network``
    The demand point lies farther than ``[network] max_snap_m`` from every street.

People whose point lies outside every community polygon are counted overall but in no
community; they are reported as ``outside_communities``, apart from the people left out. A
community whose layer gives neither population nor households, and where no demand point lies,
has no population value (``population_no_value``): how many people it leaves out is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

#: The reasons people are left out, in display order.
LEFT_OUT_REASONS = ("far_from_network",)

#: The per-community columns :func:`account_population` adds.
ACCOUNT_COLUMNS = (
    "population_supplied",
    "population_counted",
    "population_left_out",
    "left_out_far_from_network",
    "population_no_value",
)


@dataclass(frozen=True)
class PopulationAccount:
    """Overall population figures of a run (people).

    Attributes
    ----------
    supplied
        Every demand point's population.
    counted
        The people of the demand points snapped to the walk network: the base of every share.
    left_out
        Reason → people not counted (``supplied - counted`` in all).
    outside_communities
        Counted people whose point lies outside every community polygon (in the overall figures,
        in no community's).
    no_value_communities
        Communities without a population value and without any demand point (their people are
        not known, so not in ``supplied``).
    """

    supplied: float
    counted: float
    left_out: dict[str, float] = field(default_factory=dict)
    outside_communities: float = 0.0
    no_value_communities: int = 0

    @property
    def left_out_total(self) -> float:
        """All the people left out, whatever the reason."""
        return float(sum(self.left_out.values()))


def account_population(
    population: ArrayLike,
    counted: ArrayLike,
    community_id: pd.Series,
    community_ids: pd.Index,
    stated: ArrayLike | None = None,
) -> tuple[PopulationAccount, pd.DataFrame]:
    """The people supplied, counted and left out, overall and per community.

    Parameters
    ----------
    population
        People per demand point (≥ 0).
    counted
        Bool per demand point: snapped to the walk network (counted in every share).
    community_id
        The community of each demand point (missing where it lies in none).
    community_ids
        The communities' ids, the index of the returned table.
    stated
        Per community, the population its layer gives (completed from households; NaN where
        it gives neither); without it no community counts as without a value.

    Returns
    -------
    tuple
        The overall :class:`PopulationAccount`, and a table indexed by ``community_ids`` with
        :data:`ACCOUNT_COLUMNS` (people; 0 for a community with no demand point).

    Examples
    --------
    >>> acc, table = account_population([100.0, 50.0, 30.0], [True, False, True],
    ...                                 pd.Series(["C1", "C1", None]), pd.Index(["C1", "C2"]))
    >>> acc.supplied, acc.counted, acc.left_out, acc.outside_communities
    (180.0, 130.0, {'far_from_network': 50.0}, 30.0)
    >>> table["population_left_out"].tolist()
    [50.0, 0.0]
    >>> account_population([], [], pd.Series([], dtype=object), pd.Index(["C1"]),
    ...                    stated=[float("nan")])[1]["population_no_value"].tolist()
    [True]
    """
    pop = np.nan_to_num(np.asarray(population, dtype=float), nan=0.0)
    ok = np.asarray(counted, dtype=bool)
    keys = pd.Series(community_id).reset_index(drop=True)
    inside = keys.notna().to_numpy()
    account = PopulationAccount(
        supplied=float(pop.sum()),
        counted=float(pop[ok].sum()),
        left_out={"far_from_network": float(pop[~ok].sum())},
        outside_communities=float(pop[ok & ~inside].sum()),
    )
    frame = pd.DataFrame(
        {"supplied": pop, "counted": np.where(ok, pop, 0.0), "key": keys.astype(object)}
    )[inside]
    sums = frame.groupby(frame["key"].astype(str))[["supplied", "counted"]].sum()
    sums = sums.reindex(community_ids.astype(str), fill_value=0.0)
    left = sums["supplied"] - sums["counted"]
    given = np.full(len(community_ids), 0.0) if stated is None else np.asarray(stated, float)
    no_value = ~np.isfinite(given) & (
        frame.groupby(frame["key"].astype(str))
        .size()
        .reindex(community_ids.astype(str), fill_value=0)
        .to_numpy()
        == 0
    )
    table = pd.DataFrame(
        {
            "population_supplied": sums["supplied"].to_numpy(),
            "population_counted": sums["counted"].to_numpy(),
            "population_left_out": left.to_numpy(),
            "left_out_far_from_network": left.to_numpy(),
            "population_no_value": no_value,
        },
        index=community_ids,
    )
    return replace(account, no_value_communities=int(no_value.sum())), table
