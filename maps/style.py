"""The map's look: colours, the category palette, coordinate precision and the page stylesheet.

Pass / fail / no-data colours are shared by every layer and legend of :mod:`lifecircle.maps.webmap`;
``CSS`` styles the title, legend, popups and site markers (classes ``lc-*``).
"""

from __future__ import annotations

# Colours: pass green, fail red-orange, no data grey; a diverging scale for m² per 100 households.
PASS_COLOR = "#1a9850"
FAIL_COLOR = "#e8552d"
NA_COLOR = "#9e9e9e"
CLASS_COLORS = ("#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850")
LEVEL_COLORS = {"5min": "#08519c", "10min": "#3182bd", "15min": "#6baed6"}
#: Uncovered population per cell, five classes from few to many persons (light to dark purple).
UNCOVERED_CLASS_COLORS = ("#e7d4e8", "#c2a5cf", "#a475b8", "#8a4fa6", "#5e1f7a")
UNCOVERED_OPACITY = 0.8
SITE_COLOR = "#4a1486"
STREET_COLOR = "#7f7f7f"
#: Gated compounds' outlines and their gates (dark brown, apart from the results' colours).
COMPOUND_COLOR = "#6b4f2a"
GATE_COLOR = "#3b2a14"
CATEGORY_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#3182bd",
    "#e6550d",
    "#31a354",
    "#756bb1",
    "#636363",
    "#fd8d3c",
)

#: The one font family of the page: Chinese system fonts first (Windows, macOS, Linux), then Latin.
FONT_STACK = (
    '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", '
    '"Helvetica Neue", Arial, sans-serif'
)

#: Background of the map where no tiles are drawn (no basemap, or tiles without internet).
BACKGROUND = "#f2f1ec"

CSS = (
    """
<style>
:root { --lc-font: """
    + FONT_STACK
    + """; }
body, .leaflet-container, .leaflet-container button, .leaflet-container input,
.leaflet-container select, .leaflet-container .leaflet-bar a, .leaflet-popup-content,
.leaflet-tooltip, .leaflet-control-attribution, .leaflet-control-scale-line,
.lc-title, .lc-legend, .lc-site { font-family: var(--lc-font); }
.leaflet-container { background: """
    + BACKGROUND
    + """; }
.lc-title { position: absolute; top: 10px; left: 50%; transform: translateX(-50%); z-index: 1000;
  background: rgba(255,255,255,0.94); padding: 8px 18px; border-radius: 6px; text-align: center;
  box-shadow: 0 1px 5px rgba(0,0,0,0.3); max-width: 60%; pointer-events: auto; }
.lc-title h1 { font-size: 18px; margin: 0; color: #1d2b3a; font-weight: 600; }
.lc-title .lc-sub { font-size: 12.5px; color: #4a5561; margin-top: 2px; }
.lc-title .lc-notice { font-size: 12px; color: #b03a00; margin-top: 4px; }
.lc-legend { background: rgba(255,255,255,0.95); padding: 8px 12px; border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.3); font-size: 12px; line-height: 1.45; color: #222;
  max-height: 55vh; overflow-y: auto; min-width: 150px; max-width: 300px; }
.lc-legend h4 { margin: 0 0 4px 0; font-size: 13px; }
.lc-legend h5 { margin: 6px 0 2px 0; font-size: 12px; color: #444; font-weight: 600; }
.lc-legend .lc-row { display: flex; align-items: center; gap: 6px; }
.lc-sw { display: inline-block; width: 16px; height: 11px; border: 1px solid rgba(0,0,0,0.35);
  flex: none; }
.lc-dot { display: inline-block; border-radius: 50%; border: 1px solid rgba(0,0,0,0.45);
  flex: none; }
.lc-line { display: inline-block; width: 18px; height: 0; border-top: 2px solid; flex: none; }
.leaflet-control-layers-expanded { max-height: 60vh; overflow-y: auto; font-size: 12px; }
.lc-fs a { display: flex !important; align-items: center; justify-content: center; }
.lc-pop { font-size: 12.5px; }
.lc-pop b.lc-h { font-size: 14px; display: block; margin-bottom: 4px; }
.lc-pop table { border-collapse: collapse; }
.lc-pop td { padding: 1px 8px 1px 0; vertical-align: top; }
.lc-pop td:first-child { color: #555; white-space: nowrap; }
.lc-pass { color: #1a7f3c; font-weight: 600; }
.lc-fail { color: #c2410c; font-weight: 600; }
.lc-site { background: #4a1486; color: #fff; border: 2px solid #fff; border-radius: 50%;
  width: 24px; height: 24px; line-height: 22px; text-align: center; font-weight: 700;
  font-size: 13px; box-shadow: 0 1px 4px rgba(0,0,0,0.5); box-sizing: border-box; }
@media print { .leaflet-control-layers, .lc-fs { display: none; } }
</style>
"""
)
