"""Data problems found while running, collected for ``issues.csv``.

A problem that can be worked around (a point too far from the network, a repaired polygon, a
community with no households) is never silently dropped: it becomes a :class:`DataIssue` with the
layer, the row id, what is wrong and what was done about it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

logger = logging.getLogger(__name__)

ISSUE_COLUMNS = ("layer", "row_id", "problem", "action")


@dataclass(frozen=True)
class DataIssue:
    """One data problem.

    Parameters
    ----------
    layer
        The layer (``communities``, ``facilities``, ``network`` …) or file it was found in.
    row_id
        The id of the feature (or its row number), empty for a whole-layer problem.
    problem
        What is wrong, in words a planner understands.
    action
        What lifecircle did about it (``repaired``, ``excluded from coverage`` …).
    """

    layer: str
    row_id: str
    problem: str
    action: str


@dataclass
class IssueLog:
    """An append-only list of :class:`DataIssue` shared by the steps of one run."""

    items: list[DataIssue] = field(default_factory=list)

    def add(self, layer: str, row_id: object, problem: str, action: str) -> None:
        """Record one problem (and log it at INFO level)."""
        issue = DataIssue(layer, "" if row_id is None else str(row_id), problem, action)
        self.items.append(issue)
        logger.info("%s %s: %s (%s)", layer, issue.row_id, problem, action)

    def __len__(self) -> int:
        return len(self.items)

    def to_frame(self) -> pd.DataFrame:
        """Return the problems as a data frame with columns layer, row_id, problem, action."""
        return pd.DataFrame(
            [(i.layer, i.row_id, i.problem, i.action) for i in self.items],
            columns=list(ISSUE_COLUMNS),
        )
