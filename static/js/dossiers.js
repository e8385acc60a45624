// Dossier intake: show the parts of the form that the chosen service form needs (send the
// dossier, return the result, or both), and the result address only when it differs from
// the applicant's. Progressive: without JavaScript every part stays visible and the server
// ignores what the service form does not use. No inline script (CSP).
(function () {
  const form = document.querySelector(".intake-form");
  if (!form) return;

  function chosenServiceForm() {
    const checked = form.querySelector('input[name="service_form"]:checked');
    return checked ? checked.value : "both";
  }

  function update() {
    const chosen = chosenServiceForm();
    form.querySelectorAll("[data-service-forms]").forEach((part) => {
      part.hidden = !part.dataset.serviceForms.split(" ").includes(chosen);
    });
    const same = form.querySelector('input[name="same_address"]');
    const ownAddress = !same || !same.checked;
    form.querySelectorAll('[name="delivery_commune_q"], [name="delivery_street"]').forEach((input) => {
      const field = input.closest(".field");
      if (field) field.hidden = !ownAddress;
    });
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "service_form" || event.target.name === "same_address") update();
  });
  update();
})();
