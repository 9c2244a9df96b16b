"""Leaflet controls and bindings added to the map as folium elements.

A full-screen button (the browser's Fullscreen API, so it works offline), a control holding
trusted HTML (the legend), a popup bound to a marker, and a credit in the attribution control.
Their content is HTML built by the layer builders and :func:`lifecircle.maps.webmap.build_map`,
with every user string escaped.
"""

from __future__ import annotations

from branca.element import MacroElement
from jinja2 import Template

_FULLSCREEN_SVG = (
    '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><path d="M1 6V1h5M10 1h5v5'
    'M15 10v5h-5M6 15H1v-5" fill="none" stroke="#333" stroke-width="2"/></svg>'
)


class FullscreenControl(MacroElement):
    """A full-screen button using the browser's Fullscreen API (no plugin needed offline)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var Ctl = L.Control.extend({
                options: {position: "topleft"},
                onAdd: function() {
                    var div = L.DomUtil.create("div", "leaflet-bar lc-fs");
                    var a = L.DomUtil.create("a", "", div);
                    a.href = "#"; a.title = {{ this.title|tojson }};
                    a.setAttribute("role", "button");
                    a.innerHTML = {{ this.icon|tojson }};
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.on(a, "click", function(e) {
                        L.DomEvent.preventDefault(e);
                        var el = map.getContainer();
                        var fsEl = document.fullscreenElement || document.webkitFullscreenElement;
                        if (!fsEl) {
                            var req = el.requestFullscreen || el.webkitRequestFullscreen;
                            if (req) { req.call(el); }
                        } else {
                            var ex = document.exitFullscreen || document.webkitExitFullscreen;
                            if (ex) { ex.call(document); }
                        }
                    });
                    return div;
                }
            });
            map.addControl(new Ctl());
            document.addEventListener("fullscreenchange", function() { map.invalidateSize(); });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, title: str) -> None:
        super().__init__()
        self._name = "FullscreenControl"
        self.title = title
        self.icon = _FULLSCREEN_SVG


class HtmlControl(MacroElement):
    """A Leaflet control holding trusted HTML (built here, with user strings escaped)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var ctl = L.control({position: {{ this.position|tojson }}});
            ctl.onAdd = function() {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.innerHTML = {{ this.content|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            ctl.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, content: str, *, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.content = content
        self.position = position
        self.css_class = css_class


class BoundPopup(MacroElement):
    """Binds a popup of trusted HTML to its parent layer (folium's Popup needs jQuery)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.content|tojson }}, {maxWidth: 360});
        {% endmacro %}
        """
    )

    def __init__(self, content: str) -> None:
        super().__init__()
        self._name = "BoundPopup"
        self.content = content


class Attribution(MacroElement):
    """Adds a credit line (already escaped HTML) to the map's attribution control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text


class MetricScale(MacroElement):
    """A scale bar in metres and kilometres only (Leaflet's default adds miles and feet)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, metric: true}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


#: The attribution control's prefix: a plain link to Leaflet (Leaflet 1.9 adds a flag icon).
LEAFLET_PREFIX = '<a href="https://leafletjs.com" title="Leaflet">Leaflet</a>'


class AttributionPrefix(MacroElement):
    """Sets the attribution control's prefix to :data:`LEAFLET_PREFIX`, without an icon."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.setPrefix({{ this.prefix|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "AttributionPrefix"
        self.prefix = LEAFLET_PREFIX
