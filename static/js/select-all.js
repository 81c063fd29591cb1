/* "Select all" checkboxes (data-select-all="<name of the boxes>"): hidden without
   JavaScript, shown here. They tick or clear every box of that name in their form
   (the form attribute counts: the box may sit outside the form element). */
(function () {
  "use strict";

  htmx.onLoad(function (root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("[data-select-all]").forEach(function (box) { box.hidden = false; });
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches("[data-select-all]") || !box.form) return;
    Array.prototype.forEach.call(box.form.elements, function (item) {
      if (item.type === "checkbox" && item.name === box.dataset.selectAll) item.checked = box.checked;
    });
  });
})();
