/* Loading state: while an htmx request is on its way the page shows a progress bar
   (html.is-busy) and the region it will replace is marked aria-busy. Sending a form
   twice is prevented by htmx itself (hx-disabled-elt on the forms). */
(function () {
  "use strict";

  function busy(on, target) {
    document.documentElement.classList.toggle("is-busy", on);
    if (target && target.setAttribute) {
      if (on) target.setAttribute("aria-busy", "true"); else target.removeAttribute("aria-busy");
    }
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    busy(true, event.detail.target);
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    busy(false, event.detail.target);
  });
})();
