"""results.gpkg in the user's CRS: ``[output] crs`` when given, else the communities' own CRS
(CGCS2000 lon/lat for GCJ-02 communities); checked against pyproj on the tiny project."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import CRS, Transformer
from tinyproject import build_tiny, edit_communities, edit_toml, facilities_frame

from lifecircle.cli import main
from lifecircle.dataissues import IssueLog
from lifecircle.errors import ProjectError
from lifecircle.geo.layers import LayerSpec, read_layer
from lifecircle.project import load_project
from lifecircle.run.inputs import source_crs

LAYERS = ("demand", "communities", "facilities", "isochrones", "sites")


def _run(folder: Path) -> Path:
    out = folder / "out"
    assert main(["-q", "run", str(folder / "project.toml"), "--out", str(out)]) == 0
    return out / "results.gpkg"


def _layer_crs(gpkg: Path) -> set[str]:
    return {str(pyogrio.read_info(gpkg, layer=name)["crs"]) for name in LAYERS}


def _community_centroid(gpkg: Path, community: str) -> shapely.Point:
    comm = gpd.read_file(gpkg, layer="communities")
    return comm.loc[comm["id"] == community].geometry.iloc[0].centroid


@pytest.mark.parametrize(
    ("value", "epsg"), [("EPSG:4490", 4490), ("epsg:4545", 4545), ("CGCS2000", 4490)]
)
def test_output_crs_is_read(tmp_path: Path, value: str, epsg: int) -> None:
    build_tiny(tmp_path)
    edit_toml(tmp_path, "[siting]", f'[output]\ncrs = "{value}"\n\n[siting]')
    crs = load_project(tmp_path / "project.toml").output_spec.crs
    assert crs is not None and crs.to_epsg() == epsg


def test_without_output_table_the_crs_is_left_to_the_communities(tmp_path: Path) -> None:
    build_tiny(tmp_path)
    assert load_project(tmp_path / "project.toml").output_spec.crs is None


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ('crs = "EPSG:999999"', 'output.crs = "EPSG:999999" is not a CRS pyproj knows'),
        ('crs = "gcj02"', "GCJ-02 and BD-09 cannot be declared"),
        ("crs = 4490", "must be a CRS as text"),
        ('crs = "EPSG:4490"\ncsr = "x"', "csr"),
    ],
)
def test_a_wrong_output_crs_is_a_project_error(tmp_path: Path, table: str, says: str) -> None:
    build_tiny(tmp_path)
    edit_toml(tmp_path, "[siting]", f"[output]\n{table}\n\n[siting]")
    with pytest.raises(ProjectError) as err:
        load_project(tmp_path / "project.toml")
    assert says.replace('"', "'") in str(err.value).replace('"', "'")
    assert "project.toml" in str(err.value)


def test_results_are_written_in_the_crs_asked_for(tmp_path: Path) -> None:
    build_tiny(tmp_path)
    edit_toml(tmp_path, "[siting]", '[output]\ncrs = "EPSG:4545"\n\n[siting]')
    gpkg = _run(tmp_path)
    assert _layer_crs(gpkg) == {"EPSG:4545"}
    # C01 as the user drew it (lon/lat), into CGCS2000 / 3° Gauss-Krüger CM 108°E by pyproj alone
    to_gk = Transformer.from_crs("EPSG:4326", "EPSG:4545", always_xy=True)
    raw = pyogrio.read_dataframe(tmp_path / "communities.gpkg")
    ring = np.asarray(raw.loc[raw["社区代码"] == "C01"].geometry.iloc[0].exterior.coords)
    x, y = to_gk.transform(ring[:, 0], ring[:, 1])
    expected = shapely.Polygon(np.column_stack([x, y])).centroid
    got = _community_centroid(gpkg, "C01")
    assert got.distance(expected) < 0.01  # metres
    # and a facility from its CSV lon/lat
    fac = gpd.read_file(gpkg, layer="facilities")
    row = facilities_frame().set_index("编号").loc["F03"]
    fx, fy = to_gk.transform(float(row["经度"]), float(row["纬度"]))
    point = fac.loc[fac["id"] == "F03"].geometry.iloc[0]
    assert shapely.Point(fx, fy).distance(point) < 0.01


def test_results_are_written_in_the_communities_crs_by_default(tmp_path: Path) -> None:
    build_tiny(tmp_path)
    edit_communities(tmp_path, lambda frame: frame.to_crs("EPSG:4545"))
    gpkg = _run(tmp_path)
    assert _layer_crs(gpkg) == {"EPSG:4545"}
    raw = pyogrio.read_dataframe(tmp_path / "communities.gpkg")
    expected = raw.loc[raw["社区代码"] == "C02"].geometry.iloc[0].centroid
    assert _community_centroid(gpkg, "C02").distance(expected) < 0.01  # metres


def test_gcj02_communities_give_cgcs2000_results(tmp_path: Path) -> None:
    build_tiny(tmp_path)
    spec = LayerSpec(
        tmp_path / "communities.gpkg",
        fields={"id": "社区代码", "name": "社区名称", "households": "户数", "population": "人口"},
        crs="gcj02",
    )
    frame = read_layer(spec, kind="communities", issues=IssueLog())
    assert source_crs(frame).equals(CRS.from_epsg(4490))
    plain = read_layer(
        LayerSpec(spec.path, fields=spec.fields), kind="communities", issues=IssueLog()
    )
    assert source_crs(plain).equals(CRS.from_epsg(4326))
