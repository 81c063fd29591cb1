/* The export form's time and day: shown only for the schedules that use them (each field's
   data-schedules lists them: the time for daily and weekly, the day for weekly), none for
   hourly, every system refresh, or no schedule chosen yet. Without JavaScript both stay
   shown with a hint that says which schedules use them; here the hint goes. The server
   ignores a time or day the chosen schedule does not use. */
(function () {
  "use strict";

  function update(form) {
    var chosen = form.querySelector("input[name=schedule]:checked");
    var value = chosen ? chosen.value : "";
    form.querySelectorAll("[data-schedules]").forEach(function (field) {
      field.hidden = field.getAttribute("data-schedules").split(" ").indexOf(value) < 0;
    });
    form.querySelectorAll("[data-schedule-hint]").forEach(function (hint) {
      hint.hidden = true;
    });
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (form.querySelector("input[name=schedule]")) update(form);
  });
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.name === "schedule" && input.form) update(input.form);
  });
})();
