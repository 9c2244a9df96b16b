"""Where the page gets Leaflet: inlined from the package (JS, CSS and images; the default, so the
map opens without internet), or linked from a CDN when ``[map] offline = false``."""

from __future__ import annotations

import base64
from importlib import resources

LEAFLET_CDN = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist"


def leaflet_assets(offline: bool) -> tuple[list[tuple[str, str]], list[tuple[str, str]], str]:
    """Return (js links, css links, inline header HTML) for Leaflet: no links when ``offline``."""
    if not offline:
        return (
            [("leaflet", f"{LEAFLET_CDN}/leaflet.js")],
            [("leaflet_css", f"{LEAFLET_CDN}/leaflet.css")],
            "",
        )
    static = resources.files("lifecircle.maps").joinpath("static/leaflet")
    js = static.joinpath("leaflet.js").read_text(encoding="utf-8")
    css = static.joinpath("leaflet.css").read_text(encoding="utf-8")
    for image in ("layers.png", "layers-2x.png"):
        data = base64.b64encode(static.joinpath(image).read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{image})", f"url(data:image/png;base64,{data})")
    js = js.replace("</script", "<\\/script")
    return [], [], f"<style>{css}</style>\n<script>{js}</script>"
