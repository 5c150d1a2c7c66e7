// Bar charts of the hotline log (requests per innovation, per topic), drawn from the
// figures the page puts in <script id="support-data" type="application/json">.
// The same figures are in the tables under each chart.
(function () {
  "use strict";
  var COLOURS = { innovations: "#1f4e8c", topics: "#1f6f8b" };

  function draw(canvas, series, label, colour) {
    if (!canvas || !series || !series.labels.length) { return; }
    // One bar line per label: the box grows with the number of bars (CSSOM, allowed by the CSP).
    canvas.parentNode.style.height = Math.max(8, 2 * series.labels.length + 3) + "rem";
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: [{ label: label, data: series.values, backgroundColor: colour, borderRadius: 3, maxBarThickness: 28 }]
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("support-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    draw(document.getElementById("support-chart-innovations"), data.innovations, data.label, COLOURS.innovations);
    draw(document.getElementById("support-chart-topics"), data.topics, data.label, COLOURS.topics);
  });
})();
