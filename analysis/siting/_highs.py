"""A thin layer over HiGHS (highspy) for the siting models.

Models are passed as one sparse constraint matrix in compressed-row form straight into
``Highs.passModel``; building through ``scipy.optimize.milp`` costs an extra conversion and
gives no way to hand HiGHS a starting solution, which the greedy warm start needs.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from lifecircle.analysis.siting._arrays import BoolArray, FloatArray

log = logging.getLogger(__name__)

_ROWWISE = 2
_MINIMIZE = 1
_MAXIMIZE = -1


@dataclass(frozen=True)
class Solved:
    """What HiGHS returned.

    Attributes
    ----------
    x
        Column values of the best solution found, or ``None`` when none was found.
    objective
        Objective of ``x`` (``nan`` without a solution).
    bound
        Best proven bound on the optimum (the LP value for a relaxation).
    optimal
        True when HiGHS proved optimality (within its default 1e-4 relative MIP gap, tightened
        here to 1e-9).
    status
        HiGHS' model status, in words.
    """

    x: FloatArray | None
    objective: float
    bound: float
    optimal: bool
    status: str


def solve(
    *,
    cost: FloatArray,
    matrix: sp.csr_array,
    row_lower: FloatArray,
    row_upper: FloatArray,
    col_lower: FloatArray,
    col_upper: FloatArray,
    integer: BoolArray,
    maximize: bool,
    time_limit_s: float,
    start: FloatArray | None = None,
    relax: bool = False,
) -> Solved:
    """Solve ``opt cost·x`` subject to ``row_lower ≤ matrix·x ≤ row_upper`` and column bounds.

    Parameters
    ----------
    cost, matrix, row_lower, row_upper, col_lower, col_upper
        The model; ``matrix`` is (rows × columns). ``±inf`` bounds are free.
    integer
        Which columns are integer.
    maximize
        Maximise instead of minimise.
    time_limit_s
        Wall-clock limit handed to HiGHS, seconds.
    start
        A feasible solution HiGHS may start from (all columns).
    relax
        Solve the LP relaxation (``integer`` ignored).

    Returns
    -------
    Solved
    """
    csr = sp.csr_array(matrix)
    csr.sort_indices()
    n_row, n_col = csr.shape
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.setOptionValue("threads", 1)
    integrality = np.zeros(n_col, dtype=np.int32) if relax else integer.astype(np.int32)
    h.passModel(
        int(n_col),
        int(n_row),
        int(csr.nnz),
        _ROWWISE,
        _MAXIMIZE if maximize else _MINIMIZE,
        0.0,
        np.ascontiguousarray(cost, dtype=np.float64),
        np.ascontiguousarray(col_lower, dtype=np.float64),
        np.ascontiguousarray(col_upper, dtype=np.float64),
        np.ascontiguousarray(row_lower, dtype=np.float64),
        np.ascontiguousarray(row_upper, dtype=np.float64),
        csr.indptr.astype(np.int32),
        csr.indices.astype(np.int32),
        csr.data.astype(np.float64),
        integrality,
    )
    if start is not None and not relax:
        h.setSolution(
            int(n_col),
            np.arange(n_col, dtype=np.int32),
            np.ascontiguousarray(start, dtype=np.float64),
        )
    h.run()
    status = h.getModelStatus()
    status_text = h.modelStatusToString(status)
    info = h.getInfo()
    has_x = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_x else None
    optimal = status == highspy.HighsModelStatus.kOptimal
    objective = float(info.objective_function_value) if has_x else math.nan
    if relax:
        bound = objective if optimal else (math.inf if maximize else -math.inf)
    elif optimal:
        bound = float(info.mip_dual_bound)
        if not math.isfinite(bound):
            bound = objective
    else:
        bound = float(info.mip_dual_bound)
        if not math.isfinite(bound):
            bound = math.inf if maximize else -math.inf
    log.debug("HiGHS %s: objective %s, bound %s", status_text, objective, bound)
    return Solved(x=x, objective=objective, bound=bound, optimal=optimal, status=status_text)


def lp_bound(
    cost: FloatArray,
    matrix: sp.csr_array,
    row_lo: FloatArray,
    row_hi: FloatArray,
    col_lo: FloatArray,
    col_hi: FloatArray,
    maximize: bool,
    time_left_s: float,
) -> float:
    """The LP relaxation's bound on the model (at least one second for the LP)."""
    res = solve(
        cost=cost,
        matrix=matrix,
        row_lower=row_lo,
        row_upper=row_hi,
        col_lower=col_lo,
        col_upper=col_hi,
        integer=np.zeros(cost.size, dtype=bool),
        maximize=maximize,
        time_limit_s=max(time_left_s, 1.0),
        relax=True,
    )
    return res.bound
