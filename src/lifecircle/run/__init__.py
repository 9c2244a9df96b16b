"""The run layer: one function per step, from a project file to its output folder.

:func:`run_project` runs the steps of :mod:`lifecircle.run.pipeline` and writes the output folder
with :mod:`lifecircle.run.outputs`; the CLI and any other front end call these and compute
nothing themselves.
"""

from lifecircle.run.check import CheckReport, check_project, check_report
from lifecircle.run.outputs import write_outputs
from lifecircle.run.pipeline import (
    RunOutput,
    analyse,
    compare_projects,
    run_project,
    with_siting,
)

__all__ = [
    "CheckReport",
    "RunOutput",
    "analyse",
    "check_project",
    "check_report",
    "compare_projects",
    "run_project",
    "with_siting",
    "write_outputs",
]
