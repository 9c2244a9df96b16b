"""The demo county's recorded outputs, to keep a restructuring from changing any figure.

``python tests/golden.py OUT_DIR`` records an output folder of ``lifecircle demo`` into
``tests/golden/demo/``: summary.json without ``timings_s`` and ``provenance``, issues.csv, and
every layer of results.gpkg as gzipped CSV with its geometry as WKT on a 1e-7° grid (about 1 cm).
Record anew
only when a change of the outputs is intended, and say so in the CHANGELOG.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

GOLDEN = Path(__file__).parent / "golden" / "demo"
GRID_DEG = 1e-7


def summary_without_timings(out_dir: Path) -> dict[str, Any]:
    """summary.json of a run, less the seconds each step took and the provenance (the inputs'
    hashes change with every regeneration of the demo data; tests/test_filing.py checks it)."""
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    summary.pop("timings_s", None)
    summary.pop("provenance", None)
    return summary


def issues_frame(out_dir: Path) -> pd.DataFrame:
    """issues.csv of a run, every cell as text."""
    return pd.read_csv(
        out_dir / "issues.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )


def layer_frames(out_dir: Path) -> dict[str, pd.DataFrame]:
    """Every layer of results.gpkg with its geometry in EPSG:4326 (whatever CRS the file is
    written in) as normalised WKT on the recording grid."""
    gpkg = out_dir / "results.gpkg"
    frames = {}
    for name, _ in pyogrio.list_layers(gpkg):
        gdf = gpd.read_file(gpkg, layer=name).to_crs("EPSG:4326")
        geom = shapely.normalize(shapely.set_precision(gdf.geometry.to_numpy(), GRID_DEG))
        frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        frame["geometry"] = shapely.to_wkt(geom, rounding_precision=7, trim=True)
        frames[str(name)] = frame
    return frames


def read_golden_layer(name: str) -> pd.DataFrame:
    """A recorded layer, with the column types CSV gives back."""
    with gzip.open(GOLDEN / f"{name}.csv.gz", "rt", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def as_csv_round_trip(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame passed through CSV text, so it compares with a recorded one column by column."""
    return pd.read_csv(io.StringIO(frame.to_csv(index=False)))


def record(out_dir: Path) -> None:
    """Write the golden copy of an output folder."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    (GOLDEN / "summary.json").write_text(
        json.dumps(summary_without_timings(out_dir), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    issues_frame(out_dir).to_csv(GOLDEN / "issues.csv", index=False, encoding="utf-8")
    for name, frame in layer_frames(out_dir).items():
        with gzip.GzipFile(GOLDEN / f"{name}.csv.gz", "wb", mtime=0) as raw:
            raw.write(frame.to_csv(index=False).encode("utf-8"))


if __name__ == "__main__":
    record(Path(sys.argv[1]))
