"""Generate the embedded demo county 示例县 (synthetic data) deterministically.

示例县 is fictional. Its county seat is placed at a real position in Sichuan (31.1°N, 107.9°E) so
that coordinate handling is exercised for real (WGS84 / UTM 48N, CGCS2000 3° Gauss–Krüger CM 108°E,
GCJ-02 facility coordinates). The layout is built in a local metric frame (metres east and north
of the centre, in UTM zone 48N) from a seeded :class:`numpy.random.Generator`; nothing depends on
the clock, on set order or on the platform, so two runs write byte-identical files.

The county seat, west to east::

    临溪镇 (town) ── county road ── 城关街道 (old town, dense irregular grain)
                                         │  凤凰山 (hill, no streets)  新城街道 (gated superblocks)
    ~~~~~~~~~~~~~~~~ 清溪河 (river, three walkable bridges, one expressway bridge) ~~~~~~~~~~~~~~
                       滨河街道 (grid district south of the river)
    and ten villages around it on winding rural roads.

Designed properties (tests assert them from the files):

* 新城街道's superblocks are gated compounds whose inner roads reach the street only at 1–3 gates,
  and no elderly day care lies within 1 km walking of their residents;
* 滨河街道 (south of the river) has no kindergarten within 300 m walking of its residents;
* station failures: 府前 C03 has a 650 m² station (urban minimum 800 m²), 沙坝 C16 has
  20 m² per 100 households, 白鹤村 C35's station is 150 m² (village minimum 200 m²) and 阳光
  C23 has no station at all;
* size failures: 书院 C05 has 5,000 households (urban range 2,000–4,000) and 观音村 C38 has 250
  (rural range 300–1,500).

The county is built in parts, each in its own module of this package: :mod:`.layout` (seed,
coordinate systems, the local frame, fixed positions and the communities' outlines), :mod:`.osm`
(OSM nodes and ways, the XML writer), :mod:`.streets` (the street network), :mod:`.compounds` (the
new district's gated superblocks), :mod:`.communities` (attributes, the population raster) and
:mod:`.facilities` (facilities, candidate parcels, the CSV) and :mod:`.terrain` (the DEM, the
communities' population groups). This module draws them in a fixed
order, since the order sets the OSM ids and the random draws, and writes the files.

Run ``python -m lifecircle.data.demo.generate [OUT_DIR]`` (default: this folder) or
``make demo-data``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from lifecircle.data.demo.communities import community_attributes, write_population
from lifecircle.data.demo.compounds import new_district
from lifecircle.data.demo.facilities import (
    CATEGORY_ALIAS,
    CATEGORY_ZH,
    candidate_parcels,
    facility_spots,
    place_facilities,
    write_facilities_csv,
)
from lifecircle.data.demo.layout import (
    CANDIDATES_CRS,
    COMMUNITIES_CRS,
    SEED,
    UTM_CRS,
    Community,
    FloatArray,
    Point,
    community_layout,
    origin,
    shift,
)
from lifecircle.data.demo.osm import Osm, write_osm
from lifecircle.data.demo.streets import (
    buildings,
    county_road,
    expressway,
    old_town,
    river,
    riverside,
    south_district,
    town,
    villages,
)
from lifecircle.data.demo.terrain import group_counts, write_dem

logger = logging.getLogger(__name__)

__all__ = ["CATEGORY_ALIAS", "CATEGORY_ZH", "FILES", "generate", "main"]

GPKG_DATE = "2024-01-01T00:00:00Z"

FILES = (
    "streets.osm",
    "communities.gpkg",
    "population.tif",
    "facilities.csv",
    "candidates.gpkg",
    "compounds.gpkg",
    "dem.tif",
)


@dataclass
class _County:
    osm: Osm
    communities: list[Community]
    compounds: list[tuple[str, shapely.Polygon]]
    gates: list[tuple[str, str, Point]]
    facility_spots: dict[str, list[Point]]  # community id -> points near streets
    candidate_parcels: list[tuple[str, str, shapely.Polygon]]  # name, kind, polygon
    ot: FloatArray
    sd: FloatArray
    tn: FloatArray


def _build_county(rng: np.random.Generator) -> _County:
    """Lay the county out. The order of the parts is fixed: it sets the OSM ids and the draws."""
    osm = Osm()
    river(osm)
    ot = old_town(osm, rng)
    sd = south_district(osm, rng)
    riverside(osm, ot, sd)
    expressway(osm)
    nd = new_district(osm, rng)
    tn = town(osm, rng)
    county_road(osm, rng, ot, tn)
    village_grids = villages(osm, rng, ot, sd, tn)
    buildings(osm, rng, ot, sd)
    communities = community_layout()
    spots = facility_spots(communities, ot, sd, tn, village_grids)
    parcels = candidate_parcels(rng, ot, sd, tn, nd.superblocks, village_grids)
    return _County(osm, communities, nd.compounds, nd.gates, spots, parcels, ot, sd, tn)


def _write_gpkg(gdf: gpd.GeoDataFrame, path: Path, layer: str, *, append: bool = False) -> None:
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    try:
        pyogrio.write_dataframe(gdf, path, layer=layer, driver="GPKG", append=append)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def generate(out_dir: Path | str) -> list[Path]:
    """Write the demo county's data files into ``out_dir`` and return their paths.

    Parameters
    ----------
    out_dir
        Folder to write into (created if missing). Existing demo files there are replaced;
        ``README.md``, ``project.toml`` and ``profile.toml`` are not touched.

    Returns
    -------
    list of Path
        ``streets.osm``, ``communities.gpkg``, ``population.tif``, ``facilities.csv``,
        ``candidates.gpkg``, ``compounds.gpkg`` and ``dem.tif`` in ``out_dir``.

    Examples
    --------
    >>> generate(tmp_path)  # doctest: +SKIP
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        (out / name).unlink(missing_ok=True)
    rng = np.random.default_rng(SEED)
    county = _build_county(rng)
    attrs = community_attributes(rng, county.communities)
    facilities, dropped = place_facilities(
        rng, county.communities, county.facility_spots, county.osm, attrs
    )
    if dropped:
        logger.info("dropped %d facilities to keep the designed gaps: %s", len(dropped), dropped)
    e0, n0 = origin()

    write_osm(out / "streets.osm", county.osm, e0, n0)

    comms = county.communities
    elderly, children = group_counts(comms, attrs.population)
    gdf = gpd.GeoDataFrame(
        {
            "id": [c.cid for c in comms],
            "name": [c.name for c in comms],
            "kind": [c.kind for c in comms],
            "households": np.asarray(attrs.households, dtype=np.int64),
            "population": np.asarray(attrs.population, dtype=np.int64),
            "street": [c.street for c in comms],
            "workers": pd.array(attrs.workers, dtype="Int64"),
            "social_orgs": pd.array(attrs.social_orgs, dtype="Int64"),
            "volunteers": pd.array(attrs.volunteers, dtype="Int64"),
            "activity_floor_area_m2": pd.array(attrs.activity_m2, dtype="Float64"),
            "age60plus": pd.array(elderly, dtype="Int64"),
            "age0_6": pd.array(children, dtype="Int64"),
        },
        geometry=[shift(c.polygon, e0, n0) for c in comms],
        crs=UTM_CRS,
    ).to_crs(COMMUNITIES_CRS)
    _write_gpkg(gdf, out / "communities.gpkg", "communities")

    write_population(out / "population.tif", rng, comms, attrs.population, county.compounds, e0, n0)
    write_dem(out / "dem.tif", e0, n0)

    write_facilities_csv(out / "facilities.csv", facilities, e0, n0)

    cand = gpd.GeoDataFrame(
        {
            "id": [f"S{k + 1:02d}" for k in range(len(county.candidate_parcels))],
            "name": [p[0] for p in county.candidate_parcels],
            "kind": [p[1] for p in county.candidate_parcels],
            "max_floor_area_m2": [
                float(round(rng.uniform(300.0, 3000.0) / 10.0) * 10.0)
                for _ in county.candidate_parcels
            ],
        },
        geometry=[shift(p[2], e0, n0) for p in county.candidate_parcels],
        crs=UTM_CRS,
    ).to_crs(CANDIDATES_CRS)
    _write_gpkg(cand, out / "candidates.gpkg", "candidates")

    comp = gpd.GeoDataFrame(
        {"id": [g for g, _ in county.compounds]},
        geometry=[shift(p, e0, n0) for _, p in county.compounds],
        crs=UTM_CRS,
    ).to_crs(COMMUNITIES_CRS)
    gate_gdf = gpd.GeoDataFrame(
        {"id": [g[0] for g in county.gates], "compound_id": [g[1] for g in county.gates]},
        geometry=[shapely.Point(g[2][0] + e0, g[2][1] + n0) for g in county.gates],
        crs=UTM_CRS,
    ).to_crs(COMMUNITIES_CRS)
    _write_gpkg(comp, out / "compounds.gpkg", "compounds")
    _write_gpkg(gate_gdf, out / "compounds.gpkg", "gates", append=True)

    logger.info(
        "demo county: %d OSM nodes, %d ways, %d communities, %d facilities, %d candidates",
        len(county.osm.xs),
        len(county.osm.ways),
        len(comms),
        len(facilities),
        len(county.candidate_parcels),
    )
    return [out / name for name in FILES]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: ``python -m lifecircle.data.demo.generate [OUT_DIR]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1:
        sys.stderr.write("usage: python -m lifecircle.data.demo.generate [OUT_DIR]\n")
        return 2
    out_dir = Path(args[0]) if args else Path(__file__).resolve().parent
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        for path in generate(out_dir):
            logger.info("wrote %s (%d bytes)", path.name, path.stat().st_size)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
