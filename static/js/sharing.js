/* Who can use a connection (the Set up and Edit panes): the lists of chosen contributors
   and groups are shown only while "Administrators and chosen users or groups" is picked
   (data-shown-for), and each list gets its filter box, which hides the names that do not
   contain what is typed. Without JavaScript the lists are always shown, with a note that
   they count only for that choice, and there is no filter box. */
(function () {
  "use strict";

  function update(root) {
    root.querySelectorAll("[data-shown-for]").forEach(function (part) {
      var form = part.closest("form");
      var chosen = form && form.querySelector("input[name=who_can_use]:checked");
      part.hidden = !chosen || chosen.value !== part.getAttribute("data-shown-for");
    });
  }

  function init(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("[data-checklist-filter]").forEach(function (box) { box.hidden = false; });
    root.querySelectorAll("[data-shown-without-js]").forEach(function (note) { note.hidden = true; });
    update(root);
  }

  document.addEventListener("change", function (event) {
    if (event.target.name === "who_can_use" && event.target.form) update(event.target.form);
  });
  document.addEventListener("input", function (event) {
    var box = event.target;
    var list = box.matches("[data-checklist-filter] input") &&
      document.getElementById(box.getAttribute("aria-controls"));
    if (!list) return;
    var wanted = box.value.trim().toLowerCase();
    list.querySelectorAll("li").forEach(function (item) {
      item.hidden = wanted !== "" && item.textContent.toLowerCase().indexOf(wanted) < 0;
    });
  });
  // Enter in a filter box would submit the pane's form: it only filters.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-checklist-filter] input")) {
      event.preventDefault();
    }
  });
  document.body.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
  init(document);
})();
