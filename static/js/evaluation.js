// Response rates per innovation and phase (grouped bars), drawn from the figures the
// follow-up page puts in <script id="eval-rate-data" type="application/json">.
// The same figures are in the table next to the chart.
(function () {
  "use strict";
  var COLOURS = { appropriation: "#1f4e8c", implementation: "#1f6f8b", impact: "#e4572e" };

  function draw(canvas, data) {
    if (!canvas || !data || !data.labels.length) { return; }
    canvas.parentNode.style.height = Math.max(12, 3 * data.labels.length + 6) + "rem";
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set) {
          return {
            label: set.label,
            data: set.data,
            backgroundColor: COLOURS[set.phase] || "#6c757d",
            borderRadius: 3,
            maxBarThickness: 22
          };
        })
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { position: "top", align: "start" },
          tooltip: { callbacks: { label: function (item) { return item.dataset.label + " : " + (item.raw === null ? "—" : item.raw + " %"); } } }
        },
        scales: {
          x: { min: 0, max: 100, title: { display: true, text: data.axis }, ticks: { callback: function (value) { return value + " %"; } } },
          y: { ticks: { autoSkip: false } }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("eval-rate-data");
    if (!source || typeof Chart === "undefined") { return; }
    draw(document.getElementById("eval-rate-chart"), JSON.parse(source.textContent));
  });
})();
