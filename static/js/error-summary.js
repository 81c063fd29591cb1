/* The error summary of a full-page form (templates/_error_summary.html). After a failed
   save the page comes back with it at the top: it takes the focus, so that screen readers
   read it out first. Its links put the focus on the field they name, with the field's
   label (or its group's legend, for radios and boxes) in view, not hidden above the top.
   Without JavaScript the summary is still at the top and its links still go to the fields. */
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();

  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var control = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!control) return;
    event.preventDefault();
    var group = control.matches("[type=radio], [type=checkbox]") && control.closest("fieldset");
    var caption = (group && group.querySelector("legend")) ||
      (control.id && document.querySelector("label[for='" + CSS.escape(control.id) + "']")) ||
      control;
    caption.scrollIntoView({block: "start"});
    control.focus({preventScroll: true});
  });
})();
