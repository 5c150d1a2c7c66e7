// Irreversible steps (ais/core/confirm.py): a form, or its submit button, with
// data-confirm-step asks in a dialog first; once confirmed the form is posted with
// confirm=yes. Without this script the server shows a confirmation page instead.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var source = submitter && submitter.dataset.confirmStep ? submitter : form;
    var text = source.dataset.confirmStep;
    var dialog = document.getElementById("confirm-dialog");
    if (!text || !dialog || typeof bootstrap === "undefined" || form.dataset.confirmed === "yes") { return; }
    event.preventDefault();
    dialog.querySelector("[data-confirm-text]").textContent = text;
    var ok = dialog.querySelector("[data-confirm-ok]");
    if (!ok.dataset.label) { ok.dataset.label = ok.textContent; }
    ok.textContent = source.dataset.confirmAction || ok.dataset.label;
    var modal = bootstrap.Modal.getOrCreateInstance(dialog);
    ok.onclick = function () {
      ok.onclick = null;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "confirm";
      input.value = "yes";
      form.appendChild(input);
      form.dataset.confirmed = "yes";
      modal.hide();
      if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
    };
    modal.show();
  });
})();
