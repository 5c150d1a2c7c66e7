/* Maps of France by department and the dashboard's charts.
 *
 * Maps: every element with class "ais-map" (templates/includes/map.html) reads its
 * data from data- attributes: the department outlines (data-map-geo, and the
 * overseas insets in data-map-overseas), the figures (data-map-data, JSON:
 * {"departments": {code: {name, region, count, innovations?}}, "totals": {...}}),
 * its labels (data-label-*), data-map-size ("large" or "small": not interactive,
 * a click leads to data-map-link) and data-map-table (the table of the same
 * figures, kept in step when the filters change). Leaflet draws the outlines
 * alone, with no tile server, coloured by the number of structures.
 *
 * Filters: a GET form with data-map-filter="<map id>" and data-map-endpoint
 * works without JavaScript; with it, a change redraws the map and its table.
 *
 * Charts: a <canvas data-chart="<id of a json_script>"> becomes a bar chart
 * ({"labels": [...], "values": [...], "label": "..."}) with Chart.js.
 */
(function () {
  "use strict";

  var PALETTE = ["#b7d0ec", "#82aadb", "#5285c6", "#2d5f9f", "#163a69"];
  var ZERO = "#eceff3";
  var HIGHLIGHT = "#e4572e";
  var staticFiles = {};

  function fetchJSON(url, keep) {
    if (keep && staticFiles[url]) {
      return staticFiles[url];
    }
    var request = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      }
    );
    if (keep) {
      staticFiles[url] = request;
    }
    return request;
  }

  /* Classes of counts (1 and more): one per value up to 5, else five even steps. */
  function countClasses(max) {
    var classes = [];
    var i;
    if (max <= 0) {
      return classes;
    }
    if (max <= PALETTE.length) {
      for (i = 1; i <= max; i++) {
        classes.push({ min: i, max: i });
      }
    } else {
      var low = 1;
      for (i = 1; i <= PALETTE.length; i++) {
        var high = Math.ceil((max * i) / PALETTE.length);
        if (high >= low) {
          classes.push({ min: low, max: high });
          low = high + 1;
        }
      }
    }
    // Few classes take the darker end of the palette, so that "1" stands out from "none".
    var first = Math.max(0, Math.min(2, PALETTE.length - classes.length - 1));
    classes.forEach(function (item, index) {
      var span = PALETTE.length - 1 - first;
      var position = classes.length === 1 ? PALETTE.length - 2 : first + Math.round((index * span) / (classes.length - 1));
      item.colour = PALETTE[position];
    });
    return classes;
  }

  function colourFor(count, classes) {
    for (var i = 0; i < classes.length; i++) {
      if (count >= classes[i].min && count <= classes[i].max) {
        return classes[i].colour;
      }
    }
    return ZERO;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function colon() {
    return (document.documentElement.lang || "").indexOf("fr") === 0 ? "\u00a0: " : ": ";
  }

  function AisMap(container) {
    var small = container.dataset.mapSize === "small";
    this.container = container;
    this.small = small;
    this.legend = document.getElementById(container.id + "-legend");
    this.link = container.dataset.mapLink || "";
    this.labels = {
      structures: container.dataset.labelStructures,
      innovations: container.dataset.labelInnovations,
      none: container.dataset.labelNone,
      legend: container.dataset.labelLegend,
      error: container.dataset.labelError,
      attribution: container.dataset.labelAttribution
    };
    this.data = { departments: {}, totals: {} };
    this.classes = [];
    this.map = L.map(container, {
      attributionControl: !small,
      zoomControl: !small,
      dragging: !small,
      touchZoom: !small,
      doubleClickZoom: !small,
      boxZoom: !small,
      keyboard: !small,
      scrollWheelZoom: false,
      zoomSnap: 0.1,
      zoomDelta: 0.5
    });
    if (!small) {
      this.map.attributionControl.setPrefix(false);
      this.map.attributionControl.addAttribution(this.labels.attribution);
    }
    if (this.link) {
      var link = this.link;
      this.map.on("click", function () {
        window.location.assign(link);
      });
    }
  }

  AisMap.prototype.status = function (text) {
    var status = this.container.querySelector(".ais-map-status");
    if (!text) {
      if (status) {
        status.remove();
      }
      return;
    }
    if (!status) {
      status = element("p", "ais-map-status small text-body-secondary");
      this.container.appendChild(status);
    }
    status.textContent = text;
  };

  AisMap.prototype.load = function (dataUrl) {
    var self = this;
    return Promise.all([
      fetchJSON(this.container.dataset.mapGeo, true),
      fetchJSON(this.container.dataset.mapOverseas, true),
      fetchJSON(dataUrl, false)
    ])
      .then(function (results) {
        self.draw(results[0], results[1]);
        self.setData(results[2]);
        self.status("");
        return results[2];
      })
      .catch(function (error) {
        self.status(self.labels.error);
        throw error;
      });
  };

  AisMap.prototype.baseStyle = function (feature) {
    var figures = this.data.departments[feature.properties.code];
    var count = figures ? figures.count : 0;
    return {
      fillColor: colourFor(count, this.classes),
      fillOpacity: 1,
      color: count ? "#ffffff" : "#ced4da",
      weight: 0.7,
      opacity: 1
    };
  };

  AisMap.prototype.tooltip = function (feature) {
    var code = feature.properties.code;
    var figures = this.data.departments[code];
    var box = element("div");
    box.appendChild(element("strong", null, feature.properties.nom + " (" + code + ")"));
    box.appendChild(element("div", null, this.labels.structures + colon() + (figures ? figures.count : 0)));
    if (figures && figures.innovations && figures.innovations.length) {
      box.appendChild(element("div", "mt-1", this.labels.innovations + colon()));
      var list = element("ul", "mb-0 ps-3");
      figures.innovations.forEach(function (name) {
        list.appendChild(element("li", null, name));
      });
      box.appendChild(list);
    }
    return box;
  };

  AisMap.prototype.draw = function (metropole, overseas) {
    if (this.departments) {
      return;
    }
    var self = this;
    var options = {
      style: function (feature) {
        return self.baseStyle(feature);
      },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(
          function () {
            return self.tooltip(feature);
          },
          { sticky: true, direction: "top", className: "ais-map-tooltip", opacity: 1 }
        );
        layer.on("mouseover", function () {
          layer.setStyle({ color: HIGHLIGHT, weight: 2 });
          layer.bringToFront();
        });
        layer.on("mouseout", function () {
          layer.setStyle(self.baseStyle(feature));
        });
      }
    };
    this.map.invalidateSize(false);
    this.departments = L.geoJSON(metropole, options).addTo(this.map);
    this.overseas = L.geoJSON(
      overseas,
      Object.assign({}, options, {
        filter: function (feature) {
          return !feature.properties.frame;
        }
      })
    ).addTo(this.map);
    var frames = L.geoJSON(overseas, {
      filter: function (feature) {
        return feature.properties.frame;
      },
      style: { fill: false, color: "#adb5bd", weight: 1 },
      interactive: false
    }).addTo(this.map);
    this.bounds = this.departments.getBounds().extend(frames.getBounds());
    this.map.setView(this.bounds.getCenter(), 5, { animate: false });
    this.fit();
    frames.eachLayer(function (layer) {
      var properties = layer.feature.properties;
      var frame = layer.getBounds();
      var width = self.map.latLngToContainerPoint(frame.getNorthEast()).x - self.map.latLngToContainerPoint(frame.getNorthWest()).x;
      // The department's name above its inset, or its code where names would overlap.
      var label = element("span", null, width < 70 ? properties.code : properties.nom);
      L.marker(frame.getNorthWest(), {
        icon: L.divIcon({ className: "ais-map-inset-label", html: label, iconSize: null, iconAnchor: [0, 16] }),
        interactive: false,
        keyboard: false
      }).addTo(self.map);
    });
    if (!this.small) {
      this.map.setMaxBounds(this.bounds.pad(0.25));
    }
    this.map.on("resize", function () {
      self.fit();
    });
    // The container may get its size late (a stylesheet still loading, a column
    // that reflows): follow it, so that France stays whole and centred.
    if (window.ResizeObserver) {
      new window.ResizeObserver(function () {
        self.map.invalidateSize(false);
      }).observe(this.container);
    }
  };

  AisMap.prototype.fit = function () {
    var size = this.map.getSize();
    if (!this.bounds || size.x < 50 || size.y < 50) {
      return; // hidden or not laid out yet: fitted again on the next resize
    }
    this.map.setMinZoom(0);
    // Room for the zoom buttons (top left) and the attribution (bottom right) of the large maps.
    var padding = this.small ? { padding: [4, 4] } : { paddingTopLeft: [12, 12], paddingBottomRight: [12, 26] };
    this.map.fitBounds(this.bounds, Object.assign({ animate: false }, padding));
    if (!this.small) {
      this.map.setMinZoom(Math.floor(this.map.getZoom()) - 1); // zoom out a little, not to a dot
    }
  };

  AisMap.prototype.setData = function (data) {
    var self = this;
    this.data = data;
    var max = 0;
    Object.keys(data.departments).forEach(function (code) {
      max = Math.max(max, data.departments[code].count);
    });
    this.classes = countClasses(max);
    [this.departments, this.overseas].forEach(function (group) {
      group.eachLayer(function (layer) {
        layer.setStyle(self.baseStyle(layer.feature));
      });
    });
    this.renderLegend();
  };

  AisMap.prototype.renderLegend = function () {
    if (!this.legend) {
      return;
    }
    var legend = this.legend;
    legend.textContent = "";
    legend.appendChild(element("span", "ais-map-legend-title", this.labels.legend));
    var items = [{ colour: ZERO, text: this.labels.none }].concat(
      this.classes.map(function (item) {
        return { colour: item.colour, text: item.min === item.max ? String(item.min) : item.min + "–" + item.max };
      })
    );
    items.forEach(function (item) {
      var entry = element("span", "ais-map-legend-item");
      var swatch = element("span", "ais-map-swatch");
      swatch.style.backgroundColor = item.colour;
      entry.appendChild(swatch);
      entry.appendChild(document.createTextNode(item.text));
      legend.appendChild(entry);
    });
  };

  /* The table of the same figures, rebuilt after a change of filters. */
  function updateTable(table, data) {
    var body = table.tBodies[0];
    var withInnovations = table.dataset.mapInnovations === "true";
    var codes = Object.keys(data.departments).sort();
    body.textContent = "";
    codes.forEach(function (code) {
      var figures = data.departments[code];
      var row = element("tr");
      var name = element("th", null, figures.name + " ");
      name.scope = "row";
      name.appendChild(element("span", "text-body-secondary", "(" + code + ")"));
      row.appendChild(name);
      row.appendChild(element("td", null, figures.region));
      row.appendChild(element("td", "text-end", String(figures.count)));
      if (withInnovations) {
        row.appendChild(element("td", "small", (figures.innovations || []).join(", ")));
      }
      body.appendChild(row);
    });
    if (!codes.length) {
      var empty = element("tr");
      var cell = element("td", "text-body-secondary", table.dataset.mapEmpty);
      cell.colSpan = withInnovations ? 4 : 3;
      empty.appendChild(cell);
      body.appendChild(empty);
    }
    document.querySelectorAll("[data-map-total]").forEach(function (node) {
      var value = data.totals[node.dataset.mapTotal];
      node.textContent = value === undefined ? "" : String(value);
      var holder = node.closest("[data-map-hide-zero]");
      if (holder) {
        holder.hidden = !value;
      }
    });
  }

  function setUpFilters(form, maps) {
    var aisMap = maps[form.dataset.mapFilter];
    var endpoint = form.dataset.mapEndpoint;
    if (!aisMap || !endpoint) {
      return;
    }
    var table = document.getElementById(aisMap.container.dataset.mapTable);
    function apply(event) {
      if (event) {
        event.preventDefault();
      }
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (value) {
          params.append(name, value);
        }
      });
      var query = params.toString();
      aisMap.load(endpoint + (query ? "?" + query : "")).then(function (data) {
        if (table) {
          updateTable(table, data);
        }
        window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
      }, function () {});
    }
    form.addEventListener("submit", apply);
    form.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", apply);
    });
  }

  function setUpMaps() {
    if (!window.L) {
      return;
    }
    var maps = {};
    document.querySelectorAll(".ais-map[data-map-data]").forEach(function (container) {
      var aisMap = new AisMap(container);
      maps[container.id] = aisMap;
      aisMap.load(container.dataset.mapData).catch(function () {});
    });
    document.querySelectorAll("form[data-map-filter]").forEach(function (form) {
      setUpFilters(form, maps);
    });
  }

  function setUpCharts() {
    if (!window.Chart) {
      return;
    }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) {
        return;
      }
      var spec = JSON.parse(source.textContent);
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: spec.labels,
          datasets: [{ label: spec.label, data: spec.values, backgroundColor: "#2f66a8", borderRadius: 3 }]
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    });
  }

  function start() {
    setUpMaps();
    setUpCharts();
  }

  // Wait for the stylesheets (the map's size comes from css/map.css).
  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start);
  }
})();
