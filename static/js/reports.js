// Charts of the indicators' dashboards, drawn with Chart.js from the figures the page puts
// in <script id="report-charts" type="application/json">: a list of
// {id, labels, datasets: [{label, data}], horizontal?, unit?, max?}.
// Every chart has a table with the same figures next to it.
(function () {
  "use strict";
  var PALETTE = ["#1f4e8c", "#e4572e", "#2a7a3b", "#8c4f9f", "#b8860b", "#5d6d7e"];
  var LANG = document.documentElement.lang || "fr";

  function format(value, unit) {
    if (value === null || value === undefined) { return "–"; }
    return value.toLocaleString(LANG) + (unit ? "\u00a0" + unit : "");
  }

  function draw(spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas || !spec.labels.length) { return; }
    if (spec.horizontal) {
      canvas.parentNode.style.height = Math.max(10, 2.2 * spec.labels.length + 4) + "rem";
    }
    var valueAxis = {
      beginAtZero: true,
      ticks: { callback: function (value) { return format(value, spec.unit); } }
    };
    if (spec.max) { valueAxis.max = spec.max; }
    var labelAxis = { ticks: { autoSkip: false } };
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (set, index) {
          return {
            label: set.label,
            data: set.data,
            backgroundColor: PALETTE[index % PALETTE.length],
            borderRadius: 3,
            maxBarThickness: 36
          };
        })
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: spec.datasets.length > 1, position: "top", align: "start" },
          tooltip: {
            callbacks: {
              label: function (item) { return item.dataset.label + " : " + format(item.raw, spec.unit); }
            }
          }
        },
        scales: spec.horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("report-charts");
    if (!source || typeof Chart === "undefined") { return; }
    JSON.parse(source.textContent).forEach(draw);
  });
})();
