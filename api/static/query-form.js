// Named-query forms: an optional parameter left empty is not sent at all (an empty value would be
// checked against the parameter's type and refused).
"use strict";
document.querySelectorAll("form[data-named-query]").forEach((form) => {
  form.addEventListener("submit", () => {
    form.querySelectorAll("input, select").forEach((field) => {
      if (field.value === "" && !field.required) field.disabled = true;
    });
  });
  // Coming back to the page (history): the fields are usable again.
  window.addEventListener("pageshow", () => form.querySelectorAll("[disabled]").forEach((f) => { f.disabled = false; }));
});
