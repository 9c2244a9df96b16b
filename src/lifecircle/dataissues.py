"""Data problems found while running, collected for ``issues.csv``.

A problem that can be worked around (a point too far from the network, a repaired polygon, a
community with no households) is never silently dropped: it becomes a :class:`DataIssue` with the
layer, the row id and a message code with its parameters; what is wrong and what was done about it
are written from the code in the reader's language (:mod:`lifecircle.issuetexts`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

import pandas as pd

from lifecircle.issuetexts import MESSAGES, layer_name, render

logger = logging.getLogger(__name__)

#: The columns of ``issues.csv`` (English headers; :data:`ISSUE_HEADERS_ZH` for a Chinese run).
ISSUE_COLUMNS = ("layer", "row_id", "problem", "action")
ISSUE_HEADERS_ZH = ("图层", "要素编号", "问题", "处理")


@dataclass(frozen=True)
class DataIssue:
    """One data problem.

    Parameters
    ----------
    layer
        The layer (``communities``, ``facilities``, ``network`` …) or file it was found in.
    row_id
        The id of the feature (or its row number), empty for a whole-layer problem.
    code
        Its message code (a key of :data:`lifecircle.issuetexts.MESSAGES`).
    params
        The values its texts name, as (name, value) pairs: numbers, ids, the user's names.
    """

    layer: str
    row_id: str
    code: str
    params: tuple[tuple[str, object], ...] = ()

    def texts(self, lang: str) -> tuple[str, str]:
        """What is wrong and what was done, in ``lang``."""
        return render(self.code, dict(self.params), lang)

    @property
    def problem(self) -> str:
        """What is wrong, in English."""
        return self.texts("en")[0]

    @property
    def action(self) -> str:
        """What lifecircle did about it, in English."""
        return self.texts("en")[1]

    def params_json(self) -> str:
        """The parameters as a JSON object (how the network cache stores them)."""
        return json.dumps(dict(self.params), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, layer: str, row_id: str, code: str, params: str) -> DataIssue:
        """The issue stored by :meth:`params_json` (the inverse).

        Raises
        ------
        KeyError
            When ``code`` is not a message code (an entry written by another version).
        ValueError
            When ``params`` is not a JSON object.
        """
        if code not in MESSAGES:
            raise KeyError(f"unknown data-problem code {code!r}")
        return cls(layer, row_id, code, tuple(sorted(json.loads(params).items())))


def _plain(value: object) -> object:
    """A parameter as a JSON-able Python value (numpy numbers become int/float)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    return str(value)


@dataclass
class IssueLog:
    """An append-only list of :class:`DataIssue` shared by the steps of one run."""

    items: list[DataIssue] = field(default_factory=list)

    def add(self, layer: str, row_id: object, code: str, **params: object) -> None:
        """Record one problem by its message code and parameters (and log it at INFO level).

        Parameters
        ----------
        layer
            The layer it was found in (``communities``, ``network`` …).
        row_id
            The feature's id or row number; None or ``""`` for a whole-layer problem.
        code
            A key of :data:`lifecircle.issuetexts.MESSAGES`.
        **params
            The values its texts name, in the units the texts give (m, km, m², persons).

        Raises
        ------
        KeyError
            When ``code`` is unknown or a parameter its texts name is missing.
        """
        pairs = tuple(sorted((k, _plain(v)) for k, v in params.items()))
        issue = DataIssue(layer, "" if row_id is None else str(row_id), code, pairs)
        issue.texts("en")  # a missing parameter fails here, where it is recorded
        self.items.append(issue)
        logger.info("%s %s: %s (%s)", layer, issue.row_id, issue.problem, issue.action)

    def __len__(self) -> int:
        return len(self.items)

    def to_frame(self, lang: str = "en") -> pd.DataFrame:
        """The problems as a data frame: columns layer, row_id, problem, action (texts in
        ``lang``) and code (the message code); ``layer`` stays the layer's id."""
        rows = [(i.layer, i.row_id, *i.texts(lang), i.code) for i in self.items]
        return pd.DataFrame(rows, columns=[*ISSUE_COLUMNS, "code"])


def issues_table(issues: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The problems as a reader gets them (``issues.csv``, the ``issues`` sheet): the layer's
    name and the headers in ``lang``.

    Parameters
    ----------
    issues
        Columns layer, row_id, problem, action (as :meth:`IssueLog.to_frame` gives them).
    lang
        ``"zh"`` or ``"en"``.
    """
    out = issues.reindex(columns=list(ISSUE_COLUMNS)).copy()
    out["layer"] = [layer_name(str(v), lang) for v in out["layer"].fillna("")]
    if lang != "en":
        out.columns = list(ISSUE_HEADERS_ZH)
    return out
