/* The focus when htmx replaces a region that has it (a tab, a sort link, the search, a
   row's menu button when the list refreshes): it stays on the element with the same id
   in the new content; htmx does that itself when that element can take the focus at
   once. Here: the cases it cannot, after the new content has settled (a menu button is
   shown by menus.js only then; a submit button was disabled while the request ran), and
   when no element has that id any more (a removed row) the region's tab panel or the
   main region takes the focus, so that it is never lost on the page's body.
   Elements that may have the focus when their region is replaced carry stable ids. */
(function () {
  "use strict";

  var wanted = {};  // region id -> id of the element in it that had the focus ("" if none)

  function lost() {
    var active = document.activeElement;
    return !active || active === document.body || !document.body.contains(active);
  }

  function note(target, elt) {
    if (!target || !target.id || target.id === "pane-body") return;
    var active = document.activeElement;
    var inside = !lost() && active !== target && target.contains(active) ? active
      : (elt && elt !== target && target.contains(elt) ? elt : null);
    if (inside) wanted[target.id] = inside.id || "";
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target && target.id) delete wanted[target.id];
    note(target, event.detail.elt);
  });
  // Again just before the swap: the focus may have come into the region meanwhile (a pane
  // closed and gave it back to its opener while the list's refresh was on its way).
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.shouldSwap) note(event.detail.target, null);
  });

  document.body.addEventListener("htmx:afterSettle", function (event) {
    var region = event.target;
    if (!region.id || !(region.id in wanted)) return;
    var id = wanted[region.id];
    delete wanted[region.id];
    if (!lost()) return;
    var el = (id && document.getElementById(id)) || region.querySelector("[role=tabpanel]") ||
      document.getElementById("main");
    if (!el) return;
    if (!el.hasAttribute("tabindex") && !el.matches("a[href], button, input, select, textarea")) el.tabIndex = -1;
    el.focus();
  });
})();
