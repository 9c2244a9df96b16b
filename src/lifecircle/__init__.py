"""lifecircle: 15-minute life-circle coverage, facility norms and siting for Chinese planners.

The public API runs a project as the command line does::

    import lifecircle

    project = lifecircle.load_project("project.toml")
    output = lifecircle.run_project(project)          # writes project.output
    output.results.coverage                            # a RunResults: frames and figures
    output.files["map"]                                # the path of map.html

:func:`analyse` computes the results without writing anything. The packages below are organised
by concern: :mod:`lifecircle.geo` reads layers and computes walking reach,
:mod:`lifecircle.analysis` turns distances into coverage, norm compliance, supply/demand and
siting results, :mod:`lifecircle.maps` draws the map and the report, and :mod:`lifecircle.run`
runs the steps and writes the output folder.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("lifecircle")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"

if TYPE_CHECKING:
    from lifecircle.analysis.results import Methods, RunResults
    from lifecircle.errors import InputError, LifecircleError
    from lifecircle.project import Project, load_project
    from lifecircle.run import RunOutput, analyse, check_project, run_project

#: Public name → the module that defines it; imported on first use, so that importing a small
#: part of the package (errors, vocabulary) does not load the geospatial stack.
_PUBLIC = {
    "load_project": "lifecircle.project",
    "Project": "lifecircle.project",
    "run_project": "lifecircle.run",
    "analyse": "lifecircle.run",
    "check_project": "lifecircle.run",
    "RunOutput": "lifecircle.run",
    "RunResults": "lifecircle.analysis.results",
    "Methods": "lifecircle.analysis.results",
    "LifecircleError": "lifecircle.errors",
    "InputError": "lifecircle.errors",
}

__all__ = [
    "InputError",
    "LifecircleError",
    "Methods",
    "Project",
    "RunOutput",
    "RunResults",
    "__version__",
    "analyse",
    "check_project",
    "load_project",
    "run_project",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'lifecircle' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
