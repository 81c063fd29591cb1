/* The Connections / Discover tabs follow the ARIA tabs pattern: only the selected tab is
   in the Tab sequence (roving tabindex, set by the template), so the arrow keys are
   what reaches the other one. Home and End jump; Enter (the link's own behaviour) or
   Space opens the focused tab (manual activation). Without JavaScript every tab is a
   plain link to its page. */
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest("[role=tablist] [role=tab]");
    if (!tab) return;
    var tabs = Array.prototype.slice.call(tab.closest("[role=tablist]").querySelectorAll("[role=tab]"));
    var index = tabs.indexOf(tab);
    var next = {
      ArrowRight: tabs[(index + 1) % tabs.length],
      ArrowLeft: tabs[(index - 1 + tabs.length) % tabs.length],
      Home: tabs[0],
      End: tabs[tabs.length - 1]
    }[event.key];
    if (next) {
      event.preventDefault();
      next.focus();
    } else if (event.key === " ") {
      event.preventDefault();
      tab.click();
    }
  });
})();
