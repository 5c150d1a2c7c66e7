// Turns <select data-commune-picker="/territoires/communes/"> into a searchable picker (tom-select).
(function () {
  "use strict";
  function init(select) {
    if (select.tomselect || typeof TomSelect === "undefined") { return; }
    var url = select.getAttribute("data-commune-picker");
    // tom-select moves the <label> to its own input: keep an accessible name on the hidden select.
    if (!select.getAttribute("aria-label") && select.id) {
      var label = document.querySelector("label[for='" + select.id + "']");
      if (label) { select.setAttribute("aria-label", label.textContent.replace(/\s*\*\s*$/, "").trim()); }
    }
    new TomSelect(select, {
      valueField: "id",
      labelField: "text",
      searchField: [],
      maxOptions: 20,
      loadThrottle: 250,
      shouldLoad: function (query) { return query.length >= 2; },
      load: function (query, callback) {
        fetch(url + "?q=" + encodeURIComponent(query), { headers: { "Accept": "application/json" } })
          .then(function (response) { return response.json(); })
          .then(function (data) { callback(data.results); })
          .catch(function () { callback(); });
      },
      render: {
        option: function (item, escape) {
          return "<div>" + escape(item.text) + " <small class=\"text-body-secondary\">" + escape(item.department || "") + "</small></div>";
        },
        no_results: function () { return "<div class=\"no-results\">" + (document.documentElement.lang === "en" ? "No commune found" : "Aucune commune trouvée") + "</div>"; }
      }
    });
  }
  function initAll(root) { (root || document).querySelectorAll("select[data-commune-picker]").forEach(init); }
  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { initAll(event.target); });
})();
