// Turns <select data-structure-picker="/suivi/accompagnement/structures/"> into a searchable
// picker (tom-select) over the adopting structures the user may follow, searched by name or
// commune from 2 characters (essaimage:support_structure_search, at most 20 results).
// The select holds only the chosen structure: without JavaScript it is submitted as it is.
// Options of the select element:
//   data-open-to-support="1"     only the structures an entry may be recorded for;
//   data-innovation-field="<id>" a select whose value narrows the search to one innovation;
//   data-placeholder, data-no-results, data-type-more, data-clear-label: the texts shown.
(function () {
  "use strict";
  var MIN_LENGTH = 2;

  function keepAccessibleName(select) {
    // tom-select moves the <label> to its own input: keep an accessible name on the hidden select.
    if (!select.getAttribute("aria-label") && select.id) {
      var label = document.querySelector("label[for='" + select.id + "']");
      if (label) { select.setAttribute("aria-label", label.textContent.replace(/\s*\*\s*$/, "").trim()); }
    }
  }

  function message(text) {
    var div = document.createElement("div");
    div.className = "no-results";
    div.textContent = text;
    return div;
  }

  function init(select) {
    if (select.tomselect || typeof TomSelect === "undefined") { return; }
    var url = select.getAttribute("data-structure-picker");
    var openOnly = select.getAttribute("data-open-to-support") === "1";
    var innovationId = select.getAttribute("data-innovation-field");
    var innovation = innovationId ? document.getElementById(innovationId) : null;
    var texts = {
      noResults: select.getAttribute("data-no-results") || "",
      typeMore: select.getAttribute("data-type-more") || "",
      clear: select.getAttribute("data-clear-label") || ""
    };
    var describedBy = select.getAttribute("aria-describedby");
    var invalid = select.getAttribute("aria-invalid");
    keepAccessibleName(select);

    var picker = new TomSelect(select, {
      valueField: "id",
      labelField: "text",
      searchField: ["text", "commune"],
      dataAttr: "data",  // the JSON of <option data-data="…"> (dataset key)
      maxOptions: 20,
      loadThrottle: 250,
      plugins: select.required ? {} : { clear_button: { title: texts.clear } },
      shouldLoad: function (query) { return query.length >= MIN_LENGTH; },
      load: function (query, callback) {
        var params = new URLSearchParams({ q: query });
        if (openOnly) { params.set("open", "1"); }
        if (innovation && innovation.value) { params.set("innovation", innovation.value); }
        fetch(url + "?" + params.toString(), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
          .then(function (response) {
            if (!response.ok) { throw new Error(response.status); }
            return response.json();
          })
          .then(function (data) { callback(data.results); })
          .catch(function () { callback(); });
      },
      render: {
        option: function (item, escape) {
          var place = [item.innovation, item.commune].filter(Boolean).map(escape).join(" · ");
          return "<div>" + escape(item.text) + (place ? "<br><small class=\"text-body-secondary\">" + place + "</small>" : "") + "</div>";
        },
        item: function (item, escape) {
          // The whole name as a tooltip: the filter's column may cut it (static/css/support.css).
          var whole = item.text + (item.innovation ? " – " + item.innovation : "");
          return "<div title=\"" + escape(whole) + "\">" + escape(item.text) + (item.innovation ? " <small class=\"text-body-secondary\">– " + escape(item.innovation) + "</small>" : "") + "</div>";
        },
        no_results: function () { return message(texts.noResults); },
        not_loading: function (data) {
          return data.input.length && data.input.length < MIN_LENGTH && texts.typeMore ? message(texts.typeMore) : null;
        }
      }
    });

    // The help text and the error state of the field, on the input people type in.
    if (describedBy) { picker.control_input.setAttribute("aria-describedby", describedBy); }
    if (invalid) { picker.control_input.setAttribute("aria-invalid", invalid); }
    // The clear button (optional fields) works with the keyboard too.
    var clear = picker.control.querySelector(".clear-button");
    if (clear) {
      clear.setAttribute("aria-label", texts.clear);
      clear.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); clear.click(); }
      });
    }
    // Another innovation chosen: the structures found for the previous one no longer apply.
    if (innovation) {
      innovation.addEventListener("change", function () { picker.clearOptions(); });
    }
  }

  function initAll(root) { (root || document).querySelectorAll("select[data-structure-picker]").forEach(init); }
  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { initAll(event.target); });
})();
