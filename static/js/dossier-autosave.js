// A dossier step's autosave: mark the answers the server could not save (with their
// message), and clear the marks of the answers it saved.
document.addEventListener("htmx:afterSwap", (event) => {
  const status = event.detail.target;
  if (status.id !== "save-status") return;
  const form = status.closest("form");
  if (!form) return;
  const errors = new Map();
  status.querySelectorAll("[data-autosave-error]").forEach((item) => {
    errors.set(item.dataset.autosaveError, item.textContent);
  });
  form.querySelectorAll("[id^='div_id_']").forEach((wrapper) => {
    const name = wrapper.id.slice("div_id_".length);
    if (name === "version") return;
    const inputs = wrapper.querySelectorAll("input, textarea, select");
    wrapper.querySelectorAll(".invalid-feedback").forEach((old) => old.remove());
    inputs.forEach((input) => {
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
    });
    if (!errors.has(name)) return;
    const feedback = document.createElement("div");
    feedback.className = "invalid-feedback d-block";
    feedback.id = `autosave-error-${name}`;
    feedback.textContent = errors.get(name);
    wrapper.append(feedback);
    inputs.forEach((input) => {
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", feedback.id);
    });
  });
});
