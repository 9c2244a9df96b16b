"""Floor-area and organisation norms per community and per station.

Checks (each ``passed``, ``failed`` or ``not_provided``, with value, threshold, shortfall, source
and evidence status from the profile):

``area_per_100hh``
    Per community: summed ``floor_area_m2`` of its ``community_service_station`` facilities × 100
    / households, against the profile's threshold; shortfall = max(0, threshold × households /
    100 − floor area). Street / town centres are judged by their tier only.
``station_min_area``
    Per station: floor area against the minimum of its tier (:func:`station_tier`).
``community_size``
    Per community: households within the profile's range for its kind.
``facility_min_area``
    Per facility of a category the profile gives a minimum floor area for.
``social_orgs``, ``social_orgs_per_10k``, ``workers``, ``volunteers``, ``activity_share``
    Per community, where the layer has the column and the profile has the figure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray

from lifecircle.analysis.profiles import Figure, Profile
from lifecircle.dataissues import IssueLog
from lifecircle.vocab import RESULTS, STATION, STATION_CATEGORIES, STREET_CENTER

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
COMPLIANCE_COLUMNS = (
    "subject",
    "id",
    "name",
    "check",
    "value",
    "threshold",
    "unit",
    "result",
    "shortfall",
    "source",
    "status",
)
_EPS = 1e-9


def area_per_100hh_m2(floor_area_m2: ArrayLike, households: ArrayLike) -> FloatArray:
    """Return floor area (m²) per 100 households; NaN where households is 0 or missing.

    Examples
    --------
    >>> area_per_100hh_m2([700.0], [2400]).round(2)
    array([29.17])
    """
    area = np.asarray(floor_area_m2, dtype=float)
    hh = np.asarray(households, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = area * 100.0 / hh
    return np.asarray(np.where(hh > 0, out, np.nan), dtype=float)


def shortfall_m2(
    floor_area_m2: ArrayLike, households: ArrayLike, threshold_m2_per_100hh: ArrayLike
) -> FloatArray:
    """Return the floor area (m²) missing to reach the threshold: max(0, thr × hh / 100 − area).

    Examples
    --------
    >>> shortfall_m2([700.0], [2400], 30.0)
    array([20.])
    """
    area = np.asarray(floor_area_m2, dtype=float)
    hh = np.asarray(households, dtype=float)
    thr = np.asarray(threshold_m2_per_100hh, dtype=float)
    return np.asarray(np.maximum(0.0, thr * hh / 100.0 - area), dtype=float)


def station_tier(category: str, community_kind: str | None) -> str | None:
    """Return the station tier for the station-minimum check, or None when it has none.

    A ``street_service_center`` is ``street_center``; a ``community_service_station`` of an urban
    community is ``urban_station`` and of a town or rural community ``village_station``.

    Examples
    --------
    >>> station_tier("community_service_station", "rural"), station_tier("kindergarten", "urban")
    ('village_station', None)
    """
    if category == STREET_CENTER:
        return "street_center"
    if category == STATION:
        if community_kind == "urban":
            return "urban_station"
        if community_kind in ("town", "rural"):
            return "village_station"
    return None


def assign_stations(
    stations: gpd.GeoDataFrame, communities: gpd.GeoDataFrame, *, issues: IssueLog
) -> pd.Series:
    """Return the community each station belongs to.

    A station's own ``community_id`` is kept when the communities layer has that id; otherwise
    (no id, or an unknown one) the station goes to the community polygon that contains it.

    Parameters
    ----------
    stations
        Points with ``id`` and optionally ``community_id``.
    communities
        Polygons with ``id``; reprojected to the stations' CRS when they differ.
    issues
        Receives an unknown ``community_id`` and a station outside every community.

    Returns
    -------
    Series
        Aligned to ``stations``: the community id (as the communities layer writes it), or NA.
    """
    by_text = {str(c): c for c in communities["id"]}
    out = pd.Series(pd.NA, index=stations.index, dtype=object)
    need_location = np.ones(len(stations), dtype=bool)
    station_ids = stations["id"] if "id" in stations.columns else pd.Series(stations.index)
    if "community_id" in stations.columns:
        for pos, raw in enumerate(stations["community_id"]):
            if pd.isna(raw) or str(raw).strip() == "":
                continue
            key = str(raw).strip()
            if key.endswith(".0") and key[:-2] in by_text:  # ids read as floats
                key = key[:-2]
            if key in by_text:
                out.iloc[pos] = by_text[key]
                need_location[pos] = False
            else:
                issues.add(
                    "facilities", station_ids.iloc[pos], "station_community_unknown", raw=raw
                )
    if need_location.any():
        polys = communities
        if stations.crs is not None and polys.crs is not None and polys.crs != stations.crs:
            polys = polys.to_crs(stations.crs)
        points = stations.geometry.values[need_location]
        points = shapely.point_on_surface(np.asarray(points, dtype=object))
        tree = shapely.STRtree(np.asarray(polys.geometry.values, dtype=object))
        inp, hit = tree.query(points, predicate="within")
        first: dict[int, int] = {}
        for i, j in zip(inp.tolist(), hit.tolist(), strict=True):
            first.setdefault(i, j)
        positions = np.flatnonzero(need_location)
        com_ids = polys["id"].to_numpy()
        for k, at in enumerate(positions.tolist()):
            if k in first:
                out.iloc[at] = com_ids[first[k]]
            else:
                issues.add("facilities", station_ids.iloc[at], "station_outside")
    return out


@dataclass(frozen=True)
class NormResult:
    """Norm results of one run.

    Attributes
    ----------
    communities
        Index community id: ``households``, ``population``, ``service_floor_area_m2``,
        ``area_per_100hh_m2``, ``area_per_100hh_required_m2`` (the threshold, m² per 100
        households), ``area_per_100hh_pass`` (nullable bool), ``area_per_100hh_result``,
        ``area_per_100hh_shortfall_m2`` (0 when passing), ``community_size_result``,
        ``community_size_min``, ``community_size_max``, ``social_orgs_result``,
        ``social_orgs_per_10k_result``, ``workers_result``, ``volunteers_result``,
        ``activity_share_result`` (``passed`` / ``failed`` / ``not_provided``).
    stations
        Index facility id: ``tier``, ``station_min_area_m2``, ``station_min_area_result``,
        ``facility_min_area_m2``, ``facility_min_area_result`` (the facilities layer already
        has ``category`` and ``community_id``).
    compliance
        One row per subject and check: ``subject`` (community / station), ``id``, ``name``,
        ``check``, ``value``, ``threshold``, ``unit``, ``result``, ``shortfall``, ``source``,
        ``status``.
    counts
        Check → ``{"passed": n, "failed": n, "not_provided": n}``; always has
        ``area_per_100hh``, ``station_min_area`` and ``community_size``.
    """

    communities: pd.DataFrame
    stations: pd.DataFrame
    compliance: pd.DataFrame
    counts: dict[str, dict[str, int]]


def _column(frame: pd.DataFrame, name: str) -> FloatArray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)


def _judge_min(
    value: FloatArray, threshold: FloatArray, applicable: NDArray[np.bool_]
) -> NDArray[np.str_]:
    ok = applicable & np.isfinite(value) & np.isfinite(threshold)
    passed = value >= threshold - _EPS
    return np.where(ok, np.where(passed, "passed", "failed"), "not_provided")


def evaluate_norms(
    communities: pd.DataFrame, stations: pd.DataFrame, *, profile: Profile
) -> NormResult:
    """Check every community and station against the profile.

    Parameters
    ----------
    communities
        Columns ``id``, ``name``, ``kind`` (urban / town / rural), ``households``,
        ``population``; optional ``workers``, ``social_orgs``, ``volunteers``,
        ``activity_floor_area_m2`` (a missing column gives ``not_provided``).
    stations
        Facilities with ``id``, ``name``, ``category`` (our id), ``floor_area_m2`` and
        ``community_id`` (assigned, see :func:`assign_stations`).
    profile
        Thresholds, sources and statuses.

    Returns
    -------
    NormResult

    Notes
    -----
    A community with a station of unknown floor area gets ``not_provided`` for
    ``area_per_100hh`` rather than a figure that silently counts it as 0 m².

    Examples
    --------
    2,400 households with a 700 m² station have 29.17 m² per 100 households: below 30 by 20 m².
    """
    com = communities.reset_index(drop=True)
    ids = com["id"].to_numpy() if "id" in com.columns else communities.index.to_numpy()
    names = com["name"].astype(str).to_numpy() if "name" in com.columns else ids.astype(str)
    kinds = (
        com["kind"].where(com["kind"].notna(), None).to_numpy()
        if "kind" in com.columns
        else np.full(len(com), None, dtype=object)
    )
    hh = _column(com, "households")
    pop = _column(com, "population")

    st = stations.reset_index(drop=True)
    st_cat = st["category"].astype(str).to_numpy() if len(st) else np.array([], dtype=str)
    st_area = _column(st, "floor_area_m2")
    st_com = (
        st["community_id"].to_numpy() if "community_id" in st.columns else np.full(len(st), None)
    )
    id_pos = {str(c): k for k, c in enumerate(ids)}
    st_pos = np.array(
        [-1 if pd.isna(c) else id_pos.get(str(c), -1) for c in st_com], dtype=np.int64
    )

    # --- area per 100 households -------------------------------------------------------------
    is_station = (st_cat == STATION) & (st_pos >= 0)
    service = np.bincount(
        st_pos[is_station], weights=np.nan_to_num(st_area[is_station]), minlength=len(com)
    ).astype(float)
    missing_area = np.bincount(
        st_pos[is_station], weights=np.isnan(st_area[is_station]), minlength=len(com)
    )
    apf = profile.area_per_100hh
    thr = np.full(len(com), apf.value if apf is not None else np.nan)
    per100 = area_per_100hh_m2(service, hh)
    per100[missing_area > 0] = np.nan
    area_result = _judge_min(per100, thr, np.ones(len(com), dtype=bool))
    short = np.where(area_result == "not_provided", np.nan, shortfall_m2(service, hh, thr))
    short[area_result == "passed"] = 0.0
    area_pass = pd.array(
        [None if r == "not_provided" else r == "passed" for r in area_result], dtype="boolean"
    )

    rows: list[dict[str, object]] = []

    def add_rows(
        subject: str,
        sub_ids: ArrayLike,
        sub_names: ArrayLike,
        check: str,
        value: ArrayLike,
        threshold: list[object],
        unit: str,
        result: ArrayLike,
        shortfall: ArrayLike,
        figures: list[Figure | None],
    ) -> None:
        for i, name, v, t, r, s, f in zip(
            np.asarray(sub_ids, dtype=object),
            np.asarray(sub_names, dtype=object),
            np.asarray(value, dtype=float),
            threshold,
            np.asarray(result),
            np.asarray(shortfall, dtype=float),
            figures,
            strict=True,
        ):
            rows.append(
                {
                    "subject": subject,
                    "id": i,
                    "name": name,
                    "check": check,
                    "value": v,
                    "threshold": t,
                    "unit": unit,
                    "result": str(r),
                    "shortfall": s,
                    "source": f.source if f is not None else "",
                    "status": f.status if f is not None else "",
                }
            )

    n = len(com)
    add_rows(
        "community",
        ids,
        names,
        "area_per_100hh",
        per100,
        [float(t) if np.isfinite(t) else None for t in thr],
        "m²/100户",
        area_result,
        short,
        [apf] * n,
    )

    # --- community size ------------------------------------------------------------------------
    size_min = np.full(n, np.nan)
    size_max = np.full(n, np.nan)
    size_figs: list[Figure | None] = [None] * n
    for k, kind in enumerate(kinds):
        rng = profile.community_size.get(str(kind)) if kind is not None else None
        if rng is not None:
            size_min[k], size_max[k] = rng[0].value, rng[1].value
            size_figs[k] = rng[0]
    has_size = np.isfinite(size_min) & np.isfinite(hh) & (hh > 0)
    within = (hh >= size_min - _EPS) & (hh <= size_max + _EPS)
    size_result = np.where(has_size, np.where(within, "passed", "failed"), "not_provided")
    size_short = np.where(
        has_size, np.maximum(size_min - hh, 0.0) + np.maximum(hh - size_max, 0.0), np.nan
    )
    add_rows(
        "community",
        ids,
        names,
        "community_size",
        hh,
        [
            f"{lo:g}–{hi:g}" if np.isfinite(lo) else None
            for lo, hi in zip(size_min, size_max, strict=True)
        ],
        "户",
        size_result,
        size_short,
        size_figs,
    )

    counts: dict[str, dict[str, int]] = {}
    table = pd.DataFrame(
        {
            "name": names,
            "kind": kinds,
            "households": hh,
            "population": pop,
            "service_floor_area_m2": service,
            "area_per_100hh_m2": per100,
            "area_per_100hh_required_m2": thr,
            "area_per_100hh_pass": area_pass,
            "area_per_100hh_result": area_result,
            "area_per_100hh_shortfall_m2": short,
            "community_size_result": size_result,
            "community_size_min": size_min,
            "community_size_max": size_max,
        },
        index=pd.Index(ids, name="id"),
    )

    # --- organisation and staffing counts ------------------------------------------------------
    def per_kind(fig_map: dict[str, Figure]) -> tuple[FloatArray, list[Figure | None]]:
        figs = [fig_map.get(str(k)) if k is not None else None for k in kinds]
        return np.array([f.value if f else np.nan for f in figs]), figs

    social = _column(com, "social_orgs")
    workers = _column(com, "workers")
    volunteers = _column(com, "volunteers")
    activity = _column(com, "activity_floor_area_m2")
    with np.errstate(divide="ignore", invalid="ignore"):
        pop_ok = np.where(pop > 0, pop, np.nan)
        service_ok = np.where(service > 0, service, np.nan)
        optional = [
            # check, value, threshold figures, applicable, unit, shortfall as f(value, threshold)
            (
                "social_orgs",
                social,
                per_kind(dict(profile.social_orgs_min)),
                np.ones(n, dtype=bool),
                "个",
                lambda v, t: t - v,
            ),
            (
                "social_orgs_per_10k",
                social / pop_ok * 1e4,
                _uniform(profile.social_orgs_per_10k_min, n),
                np.ones(n, dtype=bool),
                "个/万人",
                lambda v, t: (t - v) * pop_ok / 1e4,
            ),
            (
                "workers",
                workers / pop_ok * 1e4,
                _uniform(profile.workers_per_10k_min, n),
                np.isin(kinds.astype(str), ["urban", "town"]),
                "人/万人",
                lambda v, t: (t - v) * pop_ok / 1e4,
            ),
            (
                "volunteers",
                volunteers / pop_ok,
                _uniform(profile.volunteer_share_min, n),
                np.ones(n, dtype=bool),
                "比例",
                lambda v, t: (t - v) * pop_ok,
            ),
            (
                "activity_share",
                activity / service_ok,
                _uniform(profile.resident_activity_share_min, n),
                np.ones(n, dtype=bool),
                "比例",
                lambda v, t: (t - v) * service_ok,
            ),
        ]
    for check, value, (threshold, figs), applicable, unit, gap in optional:
        result = _judge_min(value, threshold, applicable)
        with np.errstate(invalid="ignore"):
            short_c = np.where(result == "failed", gap(value, threshold), 0.0)
        short_c = np.where(result == "not_provided", np.nan, short_c)
        table[f"{check}_result"] = result
        if any(f is not None for f in figs):
            add_rows(
                "community",
                ids,
                names,
                check,
                value,
                [float(t) if np.isfinite(t) else None for t in threshold],
                unit,
                result,
                short_c,
                figs,
            )

    # --- stations ------------------------------------------------------------------------------
    st_ids = st["id"].to_numpy() if "id" in st.columns else stations.index.to_numpy()
    st_names = st["name"].astype(str).to_numpy() if "name" in st.columns else st_ids.astype(str)
    st_kind = [kinds[p] if p >= 0 else None for p in st_pos]
    tiers = [station_tier(c, k) for c, k in zip(st_cat, st_kind, strict=True)]
    tier_figs = [profile.station_min_area.get(t) if t else None for t in tiers]
    tier_min = np.array([f.value if f else np.nan for f in tier_figs])
    is_tiered = np.isin(st_cat, STATION_CATEGORIES)
    tier_result = _judge_min(st_area, tier_min, np.ones(len(st), dtype=bool))
    tier_short = np.where(
        tier_result == "not_provided", np.nan, np.maximum(tier_min - st_area, 0.0)
    )
    fac_figs = [profile.facility_min_area.get(c) for c in st_cat]
    fac_min = np.array([f.value if f else np.nan for f in fac_figs])
    fac_result = _judge_min(st_area, fac_min, np.ones(len(st), dtype=bool))
    fac_short = np.where(fac_result == "not_provided", np.nan, np.maximum(fac_min - st_area, 0.0))
    add_rows(
        "station",
        st_ids[is_tiered],
        st_names[is_tiered],
        "station_min_area",
        st_area[is_tiered],
        [float(t) if np.isfinite(t) else None for t in tier_min[is_tiered]],
        "m²",
        tier_result[is_tiered],
        tier_short[is_tiered],
        [f for f, keep in zip(tier_figs, is_tiered, strict=True) if keep],
    )
    has_fac = np.isfinite(fac_min)
    add_rows(
        "station",
        st_ids[has_fac],
        st_names[has_fac],
        "facility_min_area",
        st_area[has_fac],
        [float(t) for t in fac_min[has_fac]],
        "m²",
        fac_result[has_fac],
        fac_short[has_fac],
        [f for f, keep in zip(fac_figs, has_fac, strict=True) if keep],
    )
    station_table = pd.DataFrame(
        {
            "tier": tiers,
            "station_min_area_m2": tier_min,
            "station_min_area_result": np.where(is_tiered, tier_result, "not_provided"),
            "facility_min_area_m2": fac_min,
            "facility_min_area_result": fac_result,
        },
        index=pd.Index(st_ids, name="id"),
    )

    compliance = pd.DataFrame(rows, columns=list(COMPLIANCE_COLUMNS))
    for check in ("area_per_100hh", "station_min_area", "community_size"):
        counts[check] = dict.fromkeys(RESULTS, 0)
    tally = compliance.groupby(["check", "result"]).size().reset_index(name="n")
    for check, result, size in tally.itertuples(index=False):
        counts.setdefault(str(check), dict.fromkeys(RESULTS, 0))[str(result)] = int(size)
    logger.info("norms: %s", counts)
    return NormResult(
        communities=table, stations=station_table, compliance=compliance, counts=counts
    )


def _uniform(fig: Figure | None, n: int) -> tuple[FloatArray, list[Figure | None]]:
    return np.full(n, fig.value if fig is not None else np.nan), [fig] * n
