"""Data problems summarised by kind, for the report: a county run lists thousands of rows.

A problem's kind is its layer and its message code (:mod:`lifecircle.issuetexts`): "nearest
street is 494 m away, more than max_snap_m = 300 m" and "… 378 m away …" are one kind. A table
without codes (issues read back from a file) is grouped by its texts with the numbers and quoted
names in them masked (:func:`mask`). Each kind is shown once, with how many rows it has, the
population of the rows that are demand points or communities, a few examples and where the full
list is (``issues.csv`` and the ``issues`` sheet of ``report.xlsx`` keep one row per problem).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Quoted names and ids, then numbers (1,234.5 or -3), then runs of masked numbers ("#, #, #").
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|「[^」]*」")
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_RUN = re.compile(r"#(?:\s*[,，、]\s*#)+")
#: How many example rows a kind shows.
N_EXAMPLES = 3
#: Layers whose row ids are demand points (the population layer) or communities.
DEMAND_LAYERS = ("population", "demand")
COMMUNITY_LAYERS = ("communities",)


def mask(text: object) -> str:
    """A problem text with its quoted names and numbers masked, the kind it belongs to.

    Examples
    --------
    >>> mask("nearest street is 494 m away, more than max_snap_m = 300 m")
    'nearest street is # m away, more than max_snap_m = # m'
    >>> mask("duplicate id 'C01' (rows 4, 9, 12)")
    "duplicate id '…' (rows #)"
    """
    out = _QUOTED.sub(lambda m: m.group(0)[0] + "…" + m.group(0)[-1], str(text))
    return _RUN.sub("#", _NUMBER.sub("#", out))


@dataclass(frozen=True)
class IssueKind:
    """One kind of data problem.

    Attributes
    ----------
    layer, problem, action
        The layer, and the first row's problem and action (an example of the kind's text).
    count
        Rows of this kind.
    population
        Persons at the rows that are demand points or communities (None for other layers).
    examples
        The row ids of the first rows (at most :data:`N_EXAMPLES`).
    """

    layer: str
    problem: str
    action: str
    count: int
    population: float | None
    examples: tuple[str, ...]


def _population(
    layer: str, ids: pd.Series, demand: pd.DataFrame, communities: pd.DataFrame
) -> float | None:
    """Persons at the given row ids of a demand or community layer (None for other layers)."""
    if len(ids) == 0:
        return None
    if layer in DEMAND_LAYERS:
        frame = demand
    elif layer in COMMUNITY_LAYERS:
        frame = communities
    else:
        return None
    if "id" not in frame.columns or "population" not in frame.columns:
        return None
    pop = pd.to_numeric(frame["population"], errors="coerce").fillna(0.0)
    by_id = pd.Series(pop.to_numpy(), index=frame["id"].astype(str))
    by_id = by_id[~by_id.index.duplicated()]
    return float(by_id.reindex(ids.astype(str).unique()).fillna(0.0).sum())


def issue_kinds(
    issues: pd.DataFrame, *, demand: pd.DataFrame, communities: pd.DataFrame
) -> list[IssueKind]:
    """The data problems grouped by kind, most frequent first.

    Parameters
    ----------
    issues
        Columns ``layer``, ``row_id``, ``problem``, ``action`` and, when known, ``code`` (one
        row per problem).
    demand, communities
        Frames with ``id`` and ``population``: the persons a problem row concerns.

    Returns
    -------
    list of IssueKind
        Ordered by count (descending), then by the first row's position.
    """
    if len(issues) == 0:
        return []
    columns = ["layer", "row_id", "problem", "action", "code"]
    frame = issues.reindex(columns=columns, fill_value="").astype(object).fillna("")
    frame = frame.astype(str)
    if "code" in issues.columns:
        key = frame["layer"] + "\x00" + frame["code"]
    else:
        key = (
            frame["layer"]
            + "\x00"
            + frame["problem"].map(mask)
            + "\x00"
            + frame["action"].map(mask)
        )
    codes, uniques = pd.factorize(key)
    counts = np.bincount(codes)
    out = []
    for k in sorted(range(len(uniques)), key=lambda k: -counts[k]):
        rows = frame.loc[codes == k]
        first = rows.iloc[0]
        ids = rows["row_id"][rows["row_id"] != ""]
        out.append(
            IssueKind(
                layer=first["layer"],
                problem=first["problem"],
                action=first["action"],
                count=int(counts[k]),
                population=_population(first["layer"], ids, demand, communities),
                examples=tuple(ids.iloc[:N_EXAMPLES].tolist()),
            )
        )
    return out
