/* Accompaniment pages: add formset rows without a round trip, confirm removals.
   Everything works without this file (extra empty rows, plain forms). */
(function () {
  "use strict";

  function setUpFormset(name) {
    var body = document.querySelector('[data-formset-body="' + name + '"]');
    var template = document.querySelector('[data-formset-template="' + name + '"]');
    var button = document.querySelector('[data-formset-add="' + name + '"]');
    var hint = document.querySelector('[data-formset-hint="' + name + '"]');
    var total = document.querySelector('input[name="' + name + '-TOTAL_FORMS"]');
    var maximum = document.querySelector('input[name="' + name + '-MAX_NUM_FORMS"]');
    if (!body || !template || !button || !total) {
      return;
    }
    button.classList.remove("d-none");
    if (hint) {
      hint.classList.add("d-none");
    }
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (maximum && index >= parseInt(maximum.value, 10)) {
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var row = body.lastElementChild;
      var first = row && row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) {
        first.focus();
      }
    });
  }

  function setUpConfirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpFormset("targets");
    setUpConfirmations();
  });
})();
