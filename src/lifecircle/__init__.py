"""lifecircle: 15-minute life-circle coverage, facility norms and siting for Chinese planners.

The package is organised by concern: :mod:`lifecircle.geo` reads layers and computes walking
reach, :mod:`lifecircle.analysis` turns distances into coverage, norm compliance, supply/demand
and siting results, and :mod:`lifecircle.maps` draws them.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lifecircle")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"

__all__ = ["__version__"]
