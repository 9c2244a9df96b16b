"""``lifecircle check``: the preparation a run makes, up to and including snapping, and what it
found.

:func:`through_snapping` is the first part of every run: read and validate the layers and the
profile, prepare them, build the walk network and snap the points onto it. ``check`` runs the
same function, so it finds what a run finds: the errors that stop a run (an
:class:`~lifecircle.errors.InputError`) and the data problems a run works around (the
:class:`~lifecircle.dataissues.IssueLog` that becomes ``issues.csv``), printed as warnings with
the file, the rows and what the run will do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import shapely

from lifecircle.dataissues import DataIssue, IssueLog
from lifecircle.errors import InputError, NetworkError
from lifecircle.issuetexts import layer_name
from lifecircle.project import Project, SitingSpec
from lifecircle.run import analyses, siting as siting_step
from lifecircle.run.inputs import Inputs, Prepared, load_inputs, prepare
from lifecircle.run.network import Network, Snapped, build_network, open_network, snap
from lifecircle.run.scenarios import check_scenarios
from lifecircle.run.timer import StepTimer

#: Ids shown per warning before "… and N more".
_IDS_SHOWN = 8


@dataclass(frozen=True)
class Ready:
    """A run's inputs, prepared, with the walk network and the points snapped onto it."""

    inputs: Inputs
    prepared: Prepared
    network: Network
    snapped: Snapped


@dataclass(frozen=True)
class CheckReport:
    """What ``lifecircle check`` found.

    Attributes
    ----------
    errors
        Problems that stop a run, each naming the file, the column, the rows and the fix.
    warnings
        The data problems a run works around, grouped: each names the file, the rows (ids) and
        what the run will do; every one of them is written to ``issues.csv`` by a run.
    issues
        The data problems one by one, as ``issues.csv`` lists them.
    """

    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    issues: tuple[DataIssue, ...]


def through_snapping(
    project: Project, *, siting: SitingSpec | None, timer: StepTimer, issues: IssueLog
) -> Ready:
    """Load, validate and prepare the layers, build the walk network and snap the points.

    Raises
    ------
    InputError
        When a layer, the profile, the siting category or a scenario is wrong (every problem of
        the layers listed at once), or when the street network does not reach the communities.
    """
    with timer.step("load_layers"):
        inputs = load_inputs(project, issues=issues)
        prepared = prepare(project, inputs, issues=issues)
    siting_step.check_category(siting, inputs.profile)
    check_scenarios(project.scenarios, inputs.facilities, siting=siting is not None)
    with timer.step("build_network"):
        network = build_network(project, inputs, prepared.crs, issues=issues)
    with timer.step("snap"):
        snapped = snap(project, network, prepared, issues=issues)
    check_network_reaches(project, network, prepared, snapped)
    return Ready(inputs, prepared, network, snapped)


def check_network_reaches(
    project: Project, network: Network, prepared: Prepared, snapped: Snapped
) -> None:
    """Raise when the street network is of another place: it does not come within
    ``max_snap_m`` of the communities, or no populated point could be snapped onto it."""
    graph = network.graph
    name = _network_name(project)
    demand_ok = snapped.demand.ok
    if len(demand_ok) == 0 or demand_ok.any():
        return
    max_snap = project.network.max_snap_m
    comm = prepared.communities.total_bounds
    xy = np.column_stack([graph.x, graph.y])
    xy = xy[np.isfinite(xy).all(axis=1)]
    net_box = shapely.box(*xy.min(axis=0), *xy.max(axis=0)) if len(xy) else None
    comm_box = shapely.box(*prepared.communities_m.total_bounds)
    apart = net_box is None or shapely.distance(net_box, comm_box) > max_snap
    where = f"lon {comm[0]:.3f}–{comm[2]:.3f}, lat {comm[1]:.3f}–{comm[3]:.3f}"
    if apart:
        raise NetworkError(
            f"{name}: the street network does not reach the communities (they lie at {where}, "
            f"the streets come no closer than {max_snap:g} m): is it the network of another "
            "place? Give [network] path the streets of this area"
        )
    raise NetworkError(
        f"{name}: no populated point lies within max_snap_m = {max_snap:g} m of a street "
        f"(communities at {where}); check that the network covers the communities, or raise "
        "[network] max_snap_m"
    )


def after_snapping(project: Project, ready: Ready, *, issues: IssueLog) -> None:
    """The checks of a run's later steps that cost little: the stations' communities (norms),
    and the siting candidates (snapped, big enough); their problems go to ``issues``.

    Raises
    ------
    InputError
        When no siting candidate can be used.
    """
    profile = ready.inputs.profile
    reached = analyses.reach(ready.prepared, ready.network, ready.snapped, profile, issues=issues)
    catch = analyses.catchments(ready.network, ready.snapped, profile)
    analyses.norms(ready.prepared, ready.snapped, catch, profile, issues=issues)
    if project.siting is not None:
        siting_step.usable_candidates(
            project.siting,
            project,
            ready.inputs,
            ready.network,
            reached.demand_m,
            ready.snapped.demand,
            ready.prepared.crs,
            issues=issues,
        )


def check_report(project: Project) -> CheckReport:
    """Run a run's preparation through snapping, and the cheap checks of its later steps;
    return what they found.

    The network is loaded with the options a run uses, so its cache serves the run after it.
    When the layers have errors, the network is still read on its own to report its errors too.
    """
    issues = IssueLog()
    errors: list[str] = []
    try:
        ready = through_snapping(
            project, siting=project.siting, timer=StepTimer(None), issues=issues
        )
        after_snapping(project, ready, issues=issues)
    except NetworkError as exc:
        errors.extend(exc.problems or [str(exc)])
    except InputError as exc:  # stopped before the network was read: read it for its errors
        errors.extend(exc.problems or [str(exc)])
        uncached = replace(project, network=replace(project.network, cache=False))
        try:
            open_network(uncached, crs=None, issues=IssueLog())
        except InputError as net_exc:
            errors.extend(p for p in net_exc.problems if p not in errors)
    return CheckReport(
        errors=tuple(errors),
        warnings=tuple(group_warnings(issues.items, input_files(project), project.lang)),
        issues=tuple(issues.items),
    )


def check_project(project: Project) -> list[str]:
    """Validate every input of a project without writing anything; return the errors found
    (the problems that stop a run; :func:`check_report` gives the warnings too)."""
    return list(check_report(project).errors)


def input_files(project: Project) -> dict[str, str]:
    """Layer name (as issues.csv writes it) → the file name the user knows it by."""
    files = {name: spec.path.name for name, spec in project.layers.items()}
    files["network"] = _network_name(project)
    return files


def _network_name(project: Project) -> str:
    path = project.network.path
    return path.name if path is not None else str(project.network.place)


def group_warnings(
    items: Sequence[DataIssue], files: Mapping[str, str], lang: str = "en"
) -> list[str]:
    """One line per kind of problem: the file, the ids (rows), the problem and what a run does.

    Problems of one layer whose texts (in ``lang``) differ only in their numbers and whose
    actions are the same are one kind (287 points each "412 m", "530 m" … from a street).

    Examples
    --------
    >>> items = [DataIssue("facilities", "F1", "name_empty"),
    ...          DataIssue("facilities", "F2", "name_empty")]
    >>> group_warnings(items, {"facilities": "设施.csv"})
    ['设施.csv (F1, F2): name is empty (and 1 more like it); run: used the row number']
    >>> group_warnings(items, {"facilities": "设施.csv"}, "zh")
    ['设施.csv（F1、F2）：名称为空（另有 1 条同类）；运行时：以行号代替']
    """
    groups: dict[tuple[str, str, str], list[DataIssue]] = {}
    for item in items:
        problem, action = item.texts(lang)
        groups.setdefault((item.layer, re.sub(r"\d[\d,.]*", "#", problem), action), []).append(item)
    zh = lang != "en"
    lines = []
    for (layer, _, _), group in groups.items():
        where = files.get(layer, layer_name(layer, lang))
        ids = [g.row_id for g in group if g.row_id]
        if ids:
            shown = ("、" if zh else ", ").join(ids[:_IDS_SHOWN])
            more = len(ids) - _IDS_SHOWN
            if zh:
                where += f"（{shown}{f' 等 {len(ids)} 个' if more > 0 else ''}）"
            else:
                where += f" ({shown}{f' and {more} more' if more > 0 else ''})"
        problem, action = group[0].texts(lang)
        if len(group) > 1:
            n = len(group) - 1
            problem += f"（另有 {n} 条同类）" if zh else f" (and {n} more like it)"
        lines.append(
            f"{where}：{problem}；运行时：{action}" if zh else f"{where}: {problem}; run: {action}"
        )
    return lines
