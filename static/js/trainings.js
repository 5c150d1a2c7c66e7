// Trainings: "all present" / "untick all" on the attendance page with a live tally,
// and a confirmation before the delete forms marked data-confirm="question".
(function () {
  "use strict";

  function updateTally(form) {
    var tally = form.querySelector("[data-attendance-tally]");
    if (!tally) { return; }
    var boxes = form.querySelectorAll("input[type=checkbox][name=present]");
    var present = 0;
    boxes.forEach(function (box) { if (box.checked) { present += 1; } });
    tally.textContent = tally.getAttribute("data-template")
      .replace("__present__", String(present))
      .replace("__total__", String(boxes.length));
  }

  function initAttendance(form) {
    form.querySelectorAll("[data-attendance-all]").forEach(function (button) {
      button.addEventListener("click", function () {
        var checked = button.getAttribute("data-attendance-all") === "on";
        form.querySelectorAll("input[type=checkbox][name=present]:not(:disabled)").forEach(function (box) {
          box.checked = checked;
        });
        updateTally(form);
      });
    });
    form.addEventListener("change", function () { updateTally(form); });
    updateTally(form);
  }

  function initConfirm(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.attendance-form").forEach(initAttendance);
    document.querySelectorAll("form[data-confirm]").forEach(initConfirm);
  });
})();
