// Check-in page: filter the list while typing, and toggle presence without reloading
// (the forms work without this script: each button posts and the page comes back).
(function () {
  "use strict";
  const list = document.querySelector(".checkin-list");
  if (!list) return;
  const filter = document.querySelector("[data-checkin-filter]");
  const tally = document.querySelector("[data-checkin-tally]");
  const rows = Array.from(list.querySelectorAll("[data-checkin-row]"));

  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  if (filter) {
    filter.addEventListener("input", function () {
      const wanted = normalise(filter.value.trim());
      rows.forEach(function (row) {
        row.hidden = wanted !== "" && !normalise(row.dataset.search || "").includes(wanted);
      });
    });
  }

  function updateTally(delta) {
    if (!tally) return;
    const numbers = tally.textContent.match(/\d+/g);
    if (!numbers || numbers.length < 2) return;
    const present = parseInt(numbers[0], 10) + delta;
    tally.textContent = tally.textContent.replace(numbers[0], String(present));
  }

  list.addEventListener("submit", function (event) {
    const form = event.target.closest("[data-checkin-form]");
    if (!form || !window.fetch) return;
    event.preventDefault();
    const button = form.querySelector("button");
    const input = form.querySelector("input[name=present]");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        const row = form.closest("[data-checkin-row]");
        row.classList.toggle("is-present", data.present);
        input.value = data.present ? "0" : "1";
        button.setAttribute("aria-pressed", data.present ? "true" : "false");
        button.classList.toggle("btn-success", data.present);
        button.classList.toggle("btn-outline-primary", !data.present);
        button.textContent = data.present ? list.dataset.presentLabel : list.dataset.absentLabel;
        updateTally(data.present ? 1 : -1);
      })
      .catch(function () {
        form.submit();
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
