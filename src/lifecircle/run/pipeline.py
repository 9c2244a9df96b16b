"""The main job, step by step: project file → layers → walk network → reach → analyses → outputs.

The step list of :func:`analyse` reads like the data flow of the design: each step is one short
function of :mod:`lifecircle.run` that takes the typed results of the steps before it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from lifecircle.analysis.results import RunResults
from lifecircle.dataissues import IssueLog
from lifecircle.errors import InputError
from lifecircle.project import Project, SitingSpec
from lifecircle.run import analyses, siting as siting_step
from lifecircle.run.assemble import assemble
from lifecircle.run.inputs import load_inputs, metric_crs, prepare
from lifecircle.run.network import build_network, open_network, snap
from lifecircle.run.outputs import write_outputs
from lifecircle.run.timer import Progress, StepTimer


@dataclass(frozen=True)
class RunOutput:
    """What :func:`run_project` wrote: the folder, its files and the results behind them."""

    out_dir: Path
    files: Mapping[str, Path]
    results: RunResults


def analyse(
    project: Project,
    *,
    progress: Progress | None = None,
    siting: SitingSpec | None = None,
) -> RunResults:
    """Run every analysis step of a project and return the results (writes nothing).

    Parameters
    ----------
    project
        A validated project.
    progress
        Called with ``(step, "start" | "done")`` around each step.
    siting
        Overrides the project's ``[siting]`` section.

    Raises
    ------
    InputError
        When a layer, the profile or an option is wrong (every problem listed).
    """
    timer = StepTimer(progress)
    issues = IssueLog()
    with timer.step("load_layers"):
        inputs = load_inputs(project, issues=issues)
        prepared = prepare(project, inputs, issues=issues)
    profile = inputs.profile
    siting_spec = siting or project.siting
    siting_step.check_category(siting_spec, profile)
    with timer.step("build_network"):
        network = build_network(project, inputs, prepared.crs, issues=issues)
    with timer.step("snap"):
        snapped = snap(project, network, prepared, issues=issues)
    with timer.step("reach"):
        reached = analyses.reach(prepared, network, snapped, profile, issues=issues)
    with timer.step("catchments"):
        catch = analyses.catchments(network, snapped, profile)
    with timer.step("coverage"):
        cov = analyses.coverage(prepared, reached, profile)
    with timer.step("norms"):
        norms = analyses.norms(prepared, snapped, catch, profile, issues=issues)
    with timer.step("siting"):
        sited = (
            siting_step.site(
                siting_spec,
                project,
                inputs,
                network,
                reached.demand_m,
                snapped.demand,
                prepared.crs,
                issues=issues,
            )
            if siting_spec is not None
            else siting_step.no_siting(prepared.crs)
        )
    with timer.step("isochrones"):
        iso = analyses.isochrones(prepared, network, snapped, profile)
    return assemble(
        project,
        profile=profile,
        prepared=prepared,
        graph=network.graph,
        snapped=snapped,
        reached=reached,
        cov=cov,
        norms=norms,
        siting=sited,
        isochrones_m=iso,
        issues=issues,
        timings_s=timer.timings_s,
    )


def run_project(
    project: Project,
    *,
    progress: Progress | None = None,
    siting: SitingSpec | None = None,
) -> RunOutput:
    """Run a project end to end and write its output folder.

    Raises
    ------
    InputError
        Bad input (every problem listed); nothing is written in that case.
    """
    started_s = time.perf_counter()
    results = analyse(project, progress=progress, siting=siting)
    files = write_outputs(
        results, project.output, map_spec=project.map, progress=progress, started_s=started_s
    )
    return RunOutput(project.output, files, results)


def check_project(project: Project) -> list[str]:
    """Validate every input of a project without writing anything; return the problems found.

    The network is loaded with the options a run uses, so its cache serves the run after it.
    """
    issues = IssueLog()
    problems: list[str] = []
    crs: str | None = None
    try:
        crs = metric_crs(load_inputs(project, issues=issues).communities).to_string()
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        open_network(project, crs=crs, issues=issues)
    except InputError as exc:
        problems.extend(exc.problems)
    return problems


def with_siting(
    project: Project, *, category: str | None, new_sites: int | None
) -> SitingSpec | None:
    """The project's siting section with CLI overrides applied."""
    base = project.siting
    if category is None and new_sites is None:
        return base
    if base is None:
        if category is None:
            raise InputError(
                "--new-sites needs --category (no [siting] section in the project file)"
            )
        base = SitingSpec(category=category)
    return replace(
        base,
        category=category or base.category,
        new_sites=new_sites if new_sites is not None else base.new_sites,
    )
