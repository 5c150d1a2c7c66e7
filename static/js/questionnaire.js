// The questionnaire page: what htmx does not do by itself around autosave.
// - after a successful save, the field loses its error state;
// - when the network or the server fails, the field says its text was not saved;
// - leaving the page while a save is in flight asks for confirmation.
(function () {
  "use strict";

  var form = document.getElementById("questionnaire-form");
  if (!form) {
    return;
  }

  function questionOf(element) {
    return element && element.closest ? element.closest(".question") : null;
  }

  function clearInvalid(question) {
    question.classList.remove("question-invalid");
    question.querySelectorAll(".is-invalid").forEach(function (input) {
      input.classList.remove("is-invalid");
    });
    question.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
    });
  }

  function showFailure(question, message) {
    var status = question.querySelector(".save-status");
    if (!status) {
      return;
    }
    status.textContent = "";
    var text = document.createElement("span");
    text.className = "text-danger";
    text.textContent = message;
    status.appendChild(text);
  }

  form.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("save-status")) {
      var question = questionOf(target);
      if (question) {
        clearInvalid(question);
      }
    }
  });

  form.addEventListener("htmx:sendError", function (event) {
    var question = questionOf(event.detail.elt);
    if (question) {
      showFailure(question, form.dataset.offlineMessage);
    }
  });

  form.addEventListener("htmx:responseError", function (event) {
    var question = questionOf(event.detail.elt);
    if (question) {
      showFailure(question, form.dataset.errorMessage);
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (form.querySelector(".question.htmx-request")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Sending the whole form (save or submit) is a normal navigation: no warning then.
  form.addEventListener("submit", function () {
    form.querySelectorAll(".question.htmx-request").forEach(function (question) {
      question.classList.remove("htmx-request");
    });
  });
})();
