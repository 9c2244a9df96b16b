/* lifecircle map runtime: decodes the packed layers of map.html and draws them with Leaflet.
 *
 * Layers arrive as base64 streams of zig-zag varints (lifecircle.maps.packing): a structure
 * stream of counts and a coordinate stream of grid differences. A layer that is off when the
 * page opens is decoded the first time it is switched on. Everything is drawn by Leaflet's
 * canvas renderer; the heavy layers (the street network, isochrones with thousands of block
 * holes, the uncovered-population cells) are single Leaflet paths of their own kinds that
 * fill and stroke ring by ring: a canvas fills one path of twenty thousand rings some fifteen
 * times slower than twenty thousand paths of one ring. window.lcReady turns true (and
 * window.lcReadyMs holds the milliseconds since navigation began) once the layers shown at
 * opening are drawn. */
var LC = (function () {
  "use strict";
  var grid = { q: 1e-6, x0: 0, y0: 0 };
  var CRS = L.CRS.EPSG3857;

  function ints(b64) {
    var s = atob(b64), n = s.length, out = new Int32Array(n), k = 0, v = 0, f = 1;
    for (var i = 0; i < n; i++) {
      var b = s.charCodeAt(i);
      v += (b & 127) * f;
      if (b & 128) { f *= 128; continue; }
      out[k++] = v % 2 ? -(v + 1) / 2 : v / 2;
      v = 0; f = 1;
    }
    return out.subarray(0, k);
  }

  /* Reads a packed layer: counts from the structure stream, points from the coordinates. */
  function Reader(spec) {
    this.s = ints(spec.s); this.c = ints(spec.c);
    this.si = 0; this.ci = 0; this.x = 0; this.y = 0;
  }
  Reader.prototype.count = function () { return this.s[this.si++]; };
  Reader.prototype.latlng = function () {
    this.x += this.c[this.ci++]; this.y += this.c[this.ci++];
    return [grid.y0 + this.y * grid.q, grid.x0 + this.x * grid.q];
  };
  Reader.prototype.run = function (n) {
    var pts = new Array(n);
    for (var i = 0; i < n; i++) { pts[i] = this.latlng(); }
    return pts;
  };
  /* n points projected at zoom 0, appended to xy (a plain array). */
  Reader.prototype.project = function (n, xy) {
    for (var i = 0; i < n; i++) {
      var ll = this.latlng(), p = CRS.latLngToPoint(L.latLng(ll[0], ll[1]), 0);
      xy.push(p.x, p.y);
    }
  };

  /* Geometries of a packed layer as Leaflet lat/lng arrays, one entry per feature. */
  function geoms(spec, kind, n) {
    var r = new Reader(spec), out = new Array(n);
    for (var f = 0; f < n; f++) {
      if (kind === "points") { out[f] = r.latlng(); continue; }
      var parts = r.count(), g = new Array(parts);
      for (var p = 0; p < parts; p++) {
        if (kind === "lines") { g[p] = r.run(r.count()); continue; }
        var rings = r.count(), poly = new Array(rings);
        for (var k = 0; k < rings; k++) { poly[k] = r.run(r.count()); }
        g[p] = poly;
      }
      out[f] = g;
    }
    return out;
  }

  /* Rings (or lines) of a packed layer projected at zoom 0: flat coordinates, where each ring
   * starts, its feature, whether it is an outer ring, and its box. */
  function rings(spec, kind, n) {
    var r = new Reader(spec), xy = [], start = [], feat = [], outer = [];
    for (var f = 0; f < n; f++) {
      var parts = r.count();
      for (var p = 0; p < parts; p++) {
        var k = kind === "lines" ? 1 : r.count();
        for (var j = 0; j < k; j++) {
          start.push(xy.length / 2); feat.push(f); outer.push(j === 0);
          r.project(r.count(), xy);
        }
      }
    }
    start.push(xy.length / 2);
    var m = feat.length, box = new Float64Array(4 * m);
    for (var i = 0; i < m; i++) {
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var q = start[i]; q < start[i + 1]; q++) {
        var x = xy[2 * q], y = xy[2 * q + 1];
        if (x < x0) { x0 = x; } if (x > x1) { x1 = x; }
        if (y < y0) { y0 = y; } if (y > y1) { y1 = y; }
      }
      box[4 * i] = x0; box[4 * i + 1] = y0; box[4 * i + 2] = x1; box[4 * i + 3] = y1;
    }
    return { xy: Float64Array.from(xy), start: Int32Array.from(start), feat: Int32Array.from(feat),
      outer: outer, box: box, n: m };
  }

  /* A popup: the title over a table of (label, value) rows; rows with an empty value dropped
   * (as lifecircle.maps.fragments.popup writes it). */
  function popup(labels, row) {
    var html = '<div class="lc-pop"><b class="lc-h">' + row[0] + "</b><table>";
    for (var i = 0; i < labels.length; i++) {
      if (row[i + 1] !== "") {
        html += "<tr><td>" + labels[i] + "</td><td>" + row[i + 1] + "</td></tr>";
      }
    }
    return html + "</table></div>";
  }

  function bind(layer, d, i) {
    if (d.tips && d.tips[i]) {
      layer.bindTooltip(d.tips[i], { sticky: true, direction: "top" });
    }
    if (d.pops) {
      layer.bindPopup(function () { return popup(d.pops.labels, d.pops.rows[i]); },
        { maxWidth: 360 });
    }
  }

  function styleOf(d, i) {
    var s = d.styles[d.st ? d.st[i] : 0], o = {};
    for (var key in s) { o[key] = s[key]; }
    if (d.r) { o.radius = d.r[i]; }
    o.interactive = d.interactive !== false;
    return o;
  }

  /* The common part of the packed paths: drawn into Leaflet's canvas between the layers added
   * before and after them; hit-tested from zoom-0 coordinates; a sticky tooltip that follows
   * what is under the cursor. */
  var PackedPath = L.Path.extend({
    _project: function () {
      var map = this._map;
      this._scale = map.getZoomScale(map.getZoom(), 0);
      this._origin = map.getPixelOrigin();
      var b = this._box0, s = this._scale, o = this._origin, w = this._margin();
      this._pxBounds = L.bounds([b[0] * s - o.x - w, b[1] * s - o.y - w],
        [b[2] * s - o.x + w, b[3] * s - o.y + w]);
    },
    _margin: function () { return (this.options.weight || 0) + 1; },
    _update: function () { if (this._map) { this._updatePath(); } },
    _updatePath: function () {
      var r = this._renderer;
      if (r._drawing) { this._paint(r._ctx, r._bounds); }
    },
    _empty: function () { return !this._renderer._bounds.intersects(this._pxBounds); },
    getBounds: function () {
      var b = this._box0;
      return L.latLngBounds(CRS.pointToLatLng(L.point(b[0], b[1]), 0),
        CRS.pointToLatLng(L.point(b[2], b[3]), 0));
    },
    _toZero: function (p) {
      return [(p.x + this._origin.x) / this._scale, (p.y + this._origin.y) / this._scale];
    },
    _tipFor: function () { return ""; },
    _hover: function () {
      if (this._hit === this._shown) { return; }
      this._shown = this._hit;
      this.setTooltipContent(this._tipFor(this._hit));
    },
    _bindTip: function () {
      var self = this;
      this.bindTooltip(function () { self._shown = self._hit; return self._tipFor(self._hit); },
        { sticky: true, direction: "top" });
      this.on("mousemove", this._hover, this);
    }
  });

  /* Lines (the street network): each stroked as its own path. */
  var Lines = PackedPath.extend({
    initialize: function (d) {
      L.setOptions(this, styleOf(d, 0));
      this.options.interactive = false;
      this._r = rings(d.g, "lines", d.n);
      this._box0 = totalBox(this._r);
    },
    _paint: function (ctx, view) {
      var r = this._r, s = this._scale, o = this._origin, opt = this.options;
      ctx.save();
      ctx.globalAlpha = opt.opacity; ctx.strokeStyle = opt.color; ctx.lineWidth = opt.weight;
      ctx.lineCap = "round"; ctx.lineJoin = "round";
      for (var i = 0; i < r.n; i++) {
        if (!visible(r.box, i, s, o, view)) { continue; }
        ctx.beginPath();
        trace(ctx, r, i, s, o, true);
        ctx.stroke();
      }
      ctx.restore();
    },
    _containsPoint: function () { return false; }
  });

  /* Polygons with holes (isochrones, catchments): each feature filled on a scratch canvas, its
   * holes cut out one by one, then laid on the map with the feature's opacity; every ring
   * stroked on its own. */
  var scratch = null;
  var Areas = PackedPath.extend({
    initialize: function (d) {
      L.setOptions(this, styleOf(d, 0));
      this._d = d;
      this._r = rings(d.g, "polygons", d.n);
      this._box0 = totalBox(this._r);
      this._hit = -1;
      if (d.tips && this.options.interactive) { this._bindTip(); }
    },
    _margin: function () {
      var w = 0;
      for (var i = 0; i < this._d.styles.length; i++) { w = Math.max(w, this._d.styles[i].weight || 0); }
      return w + 1;
    },
    _paint: function (ctx, view) {
      var r = this._r, d = this._d, s = this._scale, o = this._origin;
      var canvas = ctx.canvas;
      if (!scratch) { scratch = document.createElement("canvas"); }
      if (scratch.width !== canvas.width || scratch.height !== canvas.height) {
        scratch.width = canvas.width; scratch.height = canvas.height;
      }
      var sx = scratch.getContext("2d"), m = ctx.getTransform();
      for (var f = 0; f < d.n; f++) {
        var st = styleOf(d, f);
        if (st.fill !== false && st.fillOpacity > 0) {
          sx.setTransform(1, 0, 0, 1, 0, 0);
          sx.clearRect(0, 0, scratch.width, scratch.height);
          sx.setTransform(m);
          sx.fillStyle = st.fillColor || st.color;
          for (var i = 0; i < r.n; i++) {
            if (r.feat[i] !== f || !r.outer[i] || !visible(r.box, i, s, o, view)) { continue; }
            sx.beginPath(); trace(sx, r, i, s, o); sx.fill();
          }
          sx.globalCompositeOperation = "destination-out";
          for (var h = 0; h < r.n; h++) {
            if (r.feat[h] !== f || r.outer[h] || !visible(r.box, h, s, o, view)) { continue; }
            sx.beginPath(); trace(sx, r, h, s, o); sx.fill();
          }
          sx.globalCompositeOperation = "source-over";
          ctx.save();
          ctx.setTransform(1, 0, 0, 1, 0, 0);
          ctx.globalAlpha = st.fillOpacity;
          ctx.drawImage(scratch, 0, 0);
          ctx.restore();
        }
        if (st.stroke !== false && st.weight > 0) {
          ctx.save();
          ctx.globalAlpha = st.opacity; ctx.strokeStyle = st.color; ctx.lineWidth = st.weight;
          ctx.lineJoin = "round";
          if (st.dashArray) { ctx.setLineDash(String(st.dashArray).split(/[ ,]+/).map(Number)); }
          for (var k = 0; k < r.n; k++) {
            if (r.feat[k] !== f || !visible(r.box, k, s, o, view)) { continue; }
            ctx.beginPath(); trace(ctx, r, k, s, o); ctx.stroke();
          }
          ctx.restore();
        }
      }
    },
    _containsPoint: function (p) {
      var r = this._r, z = this._toZero(p), x = z[0], y = z[1], odd = {};
      this._index();
      var list = this._cells[this._cellOf(x, y)] || [];
      for (var k = 0; k < list.length; k++) {
        var i = list[k], b = r.box;
        if (x < b[4 * i] || x > b[4 * i + 2] || y < b[4 * i + 1] || y > b[4 * i + 3]) { continue; }
        if (inRing(r, i, x, y)) { odd[r.feat[i]] = !odd[r.feat[i]]; }
      }
      this._hit = -1;
      for (var f = this._d.n - 1; f >= 0; f--) { if (odd[f]) { this._hit = f; break; } }
      return this._hit >= 0;
    },
    _tipFor: function (f) { return f >= 0 && this._d.tips ? this._d.tips[f] : ""; },
    /* rings by the cells of a 64 × 64 grid over the layer that their boxes touch */
    _index: function () {
      if (this._cells) { return; }
      var r = this._r, b0 = this._box0, G = 64;
      this._gx = (b0[2] - b0[0]) / G || 1; this._gy = (b0[3] - b0[1]) / G || 1;
      this._cells = {};
      for (var i = 0; i < r.n; i++) {
        var b = r.box, i0 = this._ix(b[4 * i]), i1 = this._ix(b[4 * i + 2]);
        var j0 = this._iy(b[4 * i + 1]), j1 = this._iy(b[4 * i + 3]);
        for (var a = i0; a <= i1; a++) {
          for (var c = j0; c <= j1; c++) { (this._cells[a * 65 + c] = this._cells[a * 65 + c] || []).push(i); }
        }
      }
    },
    _ix: function (x) { return Math.min(64, Math.max(0, Math.floor((x - this._box0[0]) / this._gx))); },
    _iy: function (y) { return Math.min(64, Math.max(0, Math.floor((y - this._box0[1]) / this._gy))); },
    _cellOf: function (x, y) { return this._ix(x) * 65 + this._iy(y); }
  });

  /* Uncovered population: each cell the parallelogram centre ± a ± b, filled with the colour
   * of its class; the tooltip gives the cell's population and the categories missing. */
  var Cells = PackedPath.extend({
    initialize: function (d) {
      L.setOptions(this, { interactive: true, weight: 0 });
      this._d = d;
      var c = ints(d.c), pop = ints(d.pop), n = d.n, x = 0, y = 0;
      this._px = new Float64Array(n); this._py = new Float64Array(n);
      this._pop = new Float64Array(n); this._cls = new Uint8Array(n);
      var box = [Infinity, Infinity, -Infinity, -Infinity];
      for (var i = 0; i < n; i++) {
        x += c[2 * i]; y += c[2 * i + 1];
        var p = CRS.latLngToPoint(L.latLng(grid.y0 + y * grid.q, grid.x0 + x * grid.q), 0);
        this._px[i] = p.x; this._py[i] = p.y;
        box[0] = Math.min(box[0], p.x); box[1] = Math.min(box[1], p.y);
        box[2] = Math.max(box[2], p.x); box[3] = Math.max(box[3], p.y);
        var v = pop[i] / 10, k = 0;
        while (k < d.breaks.length && v >= d.breaks[k]) { k++; }
        this._pop[i] = v; this._cls[i] = k;
      }
      this._mask = ints(d.mask);
      // the half steps at zoom 0, from a cell in the middle
      var mid = Math.floor(n / 2), h = d.half;
      var ll = CRS.pointToLatLng(L.point(this._px[mid], this._py[mid]), 0);
      var pa = CRS.latLngToPoint(L.latLng(ll.lat + h[0][1], ll.lng + h[0][0]), 0);
      var pb = CRS.latLngToPoint(L.latLng(ll.lat + h[1][1], ll.lng + h[1][0]), 0);
      this._a = [pa.x - this._px[mid], pa.y - this._py[mid]];
      this._b = [pb.x - this._px[mid], pb.y - this._py[mid]];
      var ra = Math.abs(this._a[0]) + Math.abs(this._b[0]), rb = Math.abs(this._a[1]) + Math.abs(this._b[1]);
      this._box0 = [box[0] - ra, box[1] - rb, box[2] + ra, box[3] + rb];
      var det = 4 * (this._a[0] * this._b[1] - this._a[1] * this._b[0]);
      this._inv = [2 * this._b[1] / det, -2 * this._b[0] / det, -2 * this._a[1] / det, 2 * this._a[0] / det];
      this._hit = -1;
      this._bindTip();
    },
    _paint: function (ctx, view) {
      var d = this._d, s = this._scale, o = this._origin, n = d.n, m = this._inv;
      var reach = (Math.abs(this._a[0]) + Math.abs(this._b[0]) + Math.abs(this._a[1]) + Math.abs(this._b[1])) * s;
      var x0 = view.min.x - reach, y0 = view.min.y - reach, x1 = view.max.x + reach, y1 = view.max.y + reach;
      ctx.save();
      ctx.globalAlpha = d.opacity;
      // draw in cell units: (u, v) → layer point u·2a + v·2b, so each cell is a unit square
      ctx.transform(2 * this._a[0] * s, 2 * this._a[1] * s, 2 * this._b[0] * s, 2 * this._b[1] * s, 0, 0);
      for (var k = 0; k < d.colors.length; k++) {
        ctx.fillStyle = d.colors[k];
        for (var i = 0; i < n; i++) {
          if (this._cls[i] !== k) { continue; }
          var x = this._px[i] * s - o.x, y = this._py[i] * s - o.y;
          if (x < x0 || y < y0 || x > x1 || y > y1) { continue; }
          var u = (m[0] * x + m[1] * y) / s, v = (m[2] * x + m[3] * y) / s;
          ctx.fillRect(u - 0.5, v - 0.5, 1, 1);
        }
      }
      ctx.restore();
    },
    _containsPoint: function (p) {
      this._index();
      var z = this._toZero(p), size = this._size, m = this._inv;
      var gx = Math.floor(z[0] / size), gy = Math.floor(z[1] / size);
      this._hit = -1;
      for (var dx = -1; dx <= 1 && this._hit < 0; dx++) {
        for (var dy = -1; dy <= 1; dy++) {
          var list = this._buckets[(gx + dx) + "," + (gy + dy)] || [];
          for (var k = 0; k < list.length; k++) {
            var i = list[k], ex = z[0] - this._px[i], ey = z[1] - this._py[i];
            if (Math.abs(m[0] * ex + m[1] * ey) <= 0.5 && Math.abs(m[2] * ex + m[3] * ey) <= 0.5) {
              this._hit = i; break;
            }
          }
          if (this._hit >= 0) { break; }
        }
      }
      return this._hit >= 0;
    },
    _index: function () {
      if (this._buckets) { return; }
      var size = Math.abs(this._a[0]) + Math.abs(this._b[0]) + Math.abs(this._a[1]) + Math.abs(this._b[1]);
      this._size = size; this._buckets = {};
      for (var i = 0; i < this._d.n; i++) {
        var key = Math.floor(this._px[i] / size) + "," + Math.floor(this._py[i] / size);
        (this._buckets[key] = this._buckets[key] || []).push(i);
      }
    },
    _tipFor: function (i) {
      if (i < 0) { return ""; }
      var d = this._d, names = [];
      for (var k = 0; k < d.cats.length; k++) { if (this._mask[i] & (1 << k)) { names.push(d.cats[k]); } }
      return d.tip[0] + Math.round(this._pop[i]).toLocaleString("en-US") + d.tip[1] + names.join(d.tip[2]);
    }
  });

  function totalBox(r) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    for (var i = 0; i < r.n; i++) {
      b[0] = Math.min(b[0], r.box[4 * i]); b[1] = Math.min(b[1], r.box[4 * i + 1]);
      b[2] = Math.max(b[2], r.box[4 * i + 2]); b[3] = Math.max(b[3], r.box[4 * i + 3]);
    }
    return b;
  }

  /* Whether ring i's box, at scale s from origin o, meets the view (layer points). */
  function visible(box, i, s, o, view) {
    return !(box[4 * i] * s - o.x > view.max.x || box[4 * i + 2] * s - o.x < view.min.x ||
      box[4 * i + 1] * s - o.y > view.max.y || box[4 * i + 3] * s - o.y < view.min.y);
  }

  /* Ring (closed) or line i of r as a path, at scale s from origin o. */
  function trace(ctx, r, i, s, o, open) {
    var xy = r.xy, a = r.start[i], b = r.start[i + 1];
    ctx.moveTo(xy[2 * a] * s - o.x, xy[2 * a + 1] * s - o.y);
    for (var q = a + 1; q < b; q++) { ctx.lineTo(xy[2 * q] * s - o.x, xy[2 * q + 1] * s - o.y); }
    if (!open) { ctx.closePath(); }
  }

  function inRing(r, i, x, y) {
    var xy = r.xy, a = r.start[i], b = r.start[i + 1], inside = false;
    for (var q = a, p = b - 1; q < b; p = q++) {
      var xq = xy[2 * q], yq = xy[2 * q + 1], xp = xy[2 * p], yp = xy[2 * p + 1];
      if ((yq > y) !== (yp > y) && x < (xp - xq) * (y - yq) / (yp - yq) + xq) { inside = !inside; }
    }
    return inside;
  }

  var builders = {
    polygons: function (group, d) {
      if (!d.pops) { group.addLayer(new Areas(d)); return; }
      var g = geoms(d.g, "polygons", d.n);
      for (var i = 0; i < d.n; i++) {
        if (!g[i].length) { continue; }
        var layer = L.polygon(g[i].length === 1 ? g[i][0] : g[i], styleOf(d, i));
        bind(layer, d, i);
        group.addLayer(layer);
      }
    },
    lines: function (group, d) {
      if (d.interactive === false) { group.addLayer(new Lines(d)); return; }
      var g = geoms(d.g, "lines", d.n);
      for (var j = 0; j < d.n; j++) {
        var layer = L.polyline(g[j], styleOf(d, j));
        bind(layer, d, j);
        group.addLayer(layer);
      }
    },
    points: function (group, d) {
      var g = geoms(d.g, "points", d.n);
      for (var i = 0; i < d.n; i++) {
        var layer = L.circleMarker(g[i], styleOf(d, i));
        bind(layer, d, i);
        group.addLayer(layer);
      }
    },
    cells: function (group, d) { group.addLayer(new Cells(d)); }
  };

  var opened = false, registry = {}, order = [];

  /* Build a layer's content the first time the group is added to the map. Layers keep the
   * page's order: one switched on later is drawn beneath the layers that follow it in the page
   * (the uncovered cells beneath the facilities), as at opening. */
  function lazy(group, kind, d, name) {
    var entry = { group: group, decoded: false };
    if (name) { registry[name] = entry; }
    var place = order.length;
    order.push(entry);
    group.on("add", function () {
      if (!entry.decoded) {
        entry.decoded = true;
        builders[kind](group, d);
      }
      var map = group._map;
      for (var k = place + 1; k < order.length; k++) {
        if (map.hasLayer(order[k].group)) { order[k].group.bringToFront(); }
      }
    });
  }

  /* Called after every layer shown at opening has been added: two frames later, when the
   * canvas has drawn them, the page is flagged as open. */
  function opening() {
    if (opened) { return; }
    opened = true;
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        window.lcReadyMs = performance.now();
        window.lcReady = true;
      });
    });
  }

  return {
    setGrid: function (g) { grid = g; },
    _grid: function () { return grid; },
    lazy: lazy,
    opening: opening,
    ints: ints,
    popup: popup,
    /* {group, decoded} of the layer listed under this name in the layer control */
    layer: function (name) { return registry[name]; }
  };
})();
