// Essaimage pages: reopen the decision dialog whose form came back with errors, and
// make long lists (select[data-searchable]) searchable with tom-select when it is loaded.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof bootstrap !== "undefined") {
      document.querySelectorAll(".modal[data-open-on-load]").forEach(function (element) {
        bootstrap.Modal.getOrCreateInstance(element).show();
      });
    }
    if (typeof TomSelect !== "undefined") {
      document.querySelectorAll("select[data-searchable]").forEach(function (select) {
        if (!select.tomselect) { new TomSelect(select, { allowEmptyOption: true, maxOptions: 500 }); }
      });
    }
  });
})();
