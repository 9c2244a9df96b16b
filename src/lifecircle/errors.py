"""The errors lifecircle raises.

Every error a user can cause is an :class:`InputError`: the CLI prints its message (which names
the file, the column, the rows and the fix) and exits with status 2, without a traceback.
Anything else is a bug and exits with status 1.
"""

from __future__ import annotations


class LifecircleError(Exception):
    """Base class of every error lifecircle raises on purpose."""


class InputError(LifecircleError):
    """Bad user input: a layer, a project file, a profile or an option.

    Parameters
    ----------
    message
        What is wrong and how to fix it; for several problems, one per line.
    problems
        The individual problems, when several were collected before raising.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems) if problems else [message]


class ProjectError(InputError):
    """The project file is missing, unreadable or has a bad key or value."""


class LayerError(InputError):
    """A data layer failed validation."""


class NetworkError(InputError):
    """The street network cannot be read or holds no walkable streets."""


class ProfileError(InputError):
    """A norm profile is missing or invalid."""


class OutputError(InputError):
    """The output folder cannot be written: a file in the way, no write access, a file open in
    another program (Excel, QGIS). Nothing was replaced; the message says what to close or
    change."""
