"""Siting new facilities: MCLP, LSCP and p-median on sparse coverage pairs, solved with HiGHS.

The models take plain arrays, never a dense cost matrix: the pairs ``(candidate, demand)``
(with ``dist_m`` for the p-median) that the engine's catchments found within the category's
walking distance. Only those pairs enter the model, so a county (10⁵ demand points × 10³
candidates) stays a model of a few hundred thousand non-zeros. Existing facilities are always
kept: demand they already cover (``already_covered``) adds nothing new, and in the p-median a
demand point keeps its existing facility when that is nearer (``existing_dist_m``).

Solutions are exact (HiGHS branch and bound, relative gap 1e-9). An instance with more model
pairs than ``max_exact_pairs``, or one whose MILP does not finish within ``time_limit_s``, gets
the greedy (lazy-greedy for coverage) solution, or the best one met later, with the best proven
bound and the relative gap ``|bound − objective| / |objective|``.

Modules
-------
:mod:`~lifecircle.analysis.siting.covering`
    :func:`mclp` and :func:`lscp`, both solved by the one cover solver of
    :mod:`~lifecircle.analysis.siting.cover`.
:mod:`~lifecircle.analysis.siting.median`
    :func:`p_median` (its solver: :mod:`~lifecircle.analysis.siting._median_solve`, on the radius
    model of :mod:`~lifecircle.analysis.siting._radius` and the Lagrangian bound of
    :mod:`~lifecircle.analysis.siting._lagrange`).
:mod:`~lifecircle.analysis.siting.candidates`
    :func:`generate_candidates`.
:mod:`~lifecircle.analysis.siting.result`
    :class:`SitingResult`, what every model returns, and :func:`newly_covered`, the people
    each ranked site newly brings within reach, the same figure for every model.
"""

from __future__ import annotations

from lifecircle.analysis.siting.candidates import generate_candidates
from lifecircle.analysis.siting.covering import lscp, mclp
from lifecircle.analysis.siting.median import p_median
from lifecircle.analysis.siting.result import DEFAULT_MAX_EXACT_PAIRS, SitingResult, newly_covered

__all__ = [
    "DEFAULT_MAX_EXACT_PAIRS",
    "SitingResult",
    "generate_candidates",
    "lscp",
    "mclp",
    "newly_covered",
    "p_median",
]
