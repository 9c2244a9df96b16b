"""The main job, step by step: project file → layers → walk network → reach → analyses → outputs.

The step list of :func:`analyse` reads like the data flow of the design: each step is one short
function of :mod:`lifecircle.run` that takes the typed results of the steps before it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from lifecircle.analysis.compare import compare
from lifecircle.analysis.profiles import load_profile
from lifecircle.analysis.results import RunResults
from lifecircle.dataissues import IssueLog
from lifecircle.errors import InputError
from lifecircle.project import Project, SitingSpec, safe_folder_name
from lifecircle.run import analyses, siting as siting_step
from lifecircle.run.assemble import assemble
from lifecircle.run.check import through_snapping
from lifecircle.run.outfolder import check_output_folder
from lifecircle.run.outputs import write_outputs
from lifecircle.run.provenance import provenance
from lifecircle.run.scenarios import run_scenario
from lifecircle.run.state import Evaluation, RunState
from lifecircle.run.timer import Progress, StepTimer


@dataclass(frozen=True)
class RunOutput:
    """What :func:`run_project` wrote: the folder, its files and the results behind them."""

    out_dir: Path
    files: Mapping[str, Path]
    results: RunResults


def analyse_state(
    project: Project,
    *,
    progress: Progress | None = None,
    siting: SitingSpec | None = None,
) -> RunState:
    """Run every analysis step of a project; return what the steps computed (writes nothing).

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
    siting_spec = siting or project.siting
    ready = through_snapping(project, siting=siting_spec, timer=timer, issues=issues)
    inputs, prepared, network, snapped = ready.inputs, ready.prepared, ready.network, ready.snapped
    profile = inputs.profile
    with timer.step("reach"):
        reached = analyses.reach(prepared, network, snapped, profile, issues=issues)
    with timer.step("catchments"):
        catch = analyses.catchments(network, snapped, profile)
    with timer.step("coverage"):
        cov = analyses.coverage(prepared, reached, profile, walking=network.walking, issues=issues)
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
    with timer.step("isochrones") as count:
        iso, iso_time = analyses.all_isochrones(prepared, network, snapped, profile, count=count)
    evaluation = Evaluation(prepared, snapped, reached, catch, cov, norms, iso, iso_time)
    return RunState(project, inputs, network, evaluation, sited, issues, timer.timings_s)


def analyse(
    project: Project,
    *,
    progress: Progress | None = None,
    siting: SitingSpec | None = None,
) -> RunResults:
    """Run every analysis step of a project and return the results (writes nothing).

    Parameters and errors as :func:`analyse_state`.
    """
    return _results(analyse_state(project, progress=progress, siting=siting), siting)


def _results(state: RunState, siting: SitingSpec | None) -> RunResults:
    """The run's results with their provenance (the siting options: the command line's, if any)."""
    project = state.project
    prov = provenance(project, state.inputs.profile, siting or project.siting)
    return replace(assemble(state), provenance=prov)


def run_project(
    project: Project,
    *,
    progress: Progress | None = None,
    siting: SitingSpec | None = None,
) -> RunOutput:
    """Run a project end to end, with its scenarios, and write its output folder.

    Raises
    ------
    InputError
        Bad input (every problem listed); nothing is written in that case.
    """
    started_s = time.perf_counter()
    check_output_folder(project.output)
    state = analyse_state(project, progress=progress, siting=siting)
    results = _results(state, siting)
    timer = StepTimer(progress)
    with timer.step("scenarios"):
        runs = [run_scenario(spec, state, baseline=results) for spec in project.scenarios]
        own_level = {c: n.level for c, n in state.inputs.profile.categories.items()}
        comparisons = tuple(
            compare(results, run.results, name=run.spec.name, own_level=own_level) for run in runs
        )
    timings = dict(results.timings_s) | timer.timings_s
    results = replace(results, scenarios=comparisons, timings_s=timings)
    files = write_outputs(
        results,
        project.output,
        map_spec=project.map,
        pdf=project.report.pdf,
        progress=progress,
        started_s=started_s,
        scenarios={run.spec.folder: run.results for run in runs},
        output_crs=project.output_spec.crs,
    )
    return RunOutput(project.output, files, results)


def compare_projects(
    before: Project,
    after: Project,
    out_dir: Path,
    *,
    progress: Progress | None = None,
) -> RunOutput:
    """Run two projects over the same area and write the first's outputs with the second as a
    scenario: its comparison in the report, the workbook, the map and summary.json, and its own
    results in ``scenarios/<name>/``.

    Raises
    ------
    InputError
        Bad input in either project, or projects whose demand points differ.
    """
    started_s = time.perf_counter()
    first = analyse(before, progress=progress)
    second = analyse(after, progress=progress)
    own_level = {c: n.level for c, n in load_profile(before.profile).categories.items()}
    comparison = compare(first, second, name=after.name, own_level=own_level)
    results = replace(first, scenarios=(comparison,))
    files = write_outputs(
        results,
        out_dir,
        map_spec=before.map,
        pdf=before.report.pdf,
        progress=progress,
        started_s=started_s,
        scenarios={safe_folder_name(after.name): second},
        output_crs=before.output_spec.crs,
    )
    return RunOutput(out_dir, files, results)


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
