/* The pane dialog. A link or form with hx-target="#pane-body" puts a pane there; this
   opens it as a modal dialog with showModal(), so the page behind is inert (Tab stays
   out of it, screen readers do not read it) and Escape closes it: the platform does that.
   What is left here: the focus goes into the pane (its first error, else its first
   control), a notice in the pane is announced, [data-close-pane] links close it, the
   "pane:close" event (sent by the server after a success) closes it, and on closing the
   focus goes back to what opened it. Without JavaScript every pane is a whole page. */
(function () {
  "use strict";

  var dialog = document.getElementById("pane-dialog");
  var pane = document.getElementById("pane-body");
  if (!dialog || !pane) return;
  var opener = null;
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), " +
    "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

  function focusOn(el) {
    if (!el) return;
    if (!el.matches(FOCUSABLE) && !el.hasAttribute("tabindex")) el.tabIndex = -1;
    el.focus();
  }

  function firstControl() {
    return Array.prototype.find.call(pane.querySelectorAll(FOCUSABLE), function (el) {
      return !el.hidden && el.getClientRects().length > 0;
    });
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (event.detail.target !== pane || dialog.open || !elt.closest) return;
    // An item of a row menu: the focus goes back to the menu's button (its label).
    var menu = elt.closest("[role=menu]");
    opener = menu ? document.getElementById(menu.getAttribute("aria-labelledby")) : elt;
  });

  // After settling: htmx has given the new content its behaviour by then (select-all boxes).
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.target !== pane) return;
    if (!dialog.open) dialog.showModal();
    // A question asked before removing or moving (an alertdialog step) takes the focus, so
    // that it is read out whole; else the first error, else the first control.
    var first = pane.querySelector("[role=alertdialog], [aria-invalid=true], .form-errors") ||
      firstControl();
    focusOn(first);
    var notice = pane.querySelector("[data-notice]");
    if (notice && notice !== first) {
      htmx.trigger(document.body, "console:message",
        {text: notice.textContent.trim(), kind: notice.dataset.notice});
    }
  });

  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-close-pane]");
    if (closer && dialog.contains(closer)) {
      event.preventDefault();
      dialog.close();
    }
  });
  // Escape in a question step goes back to the step before it (its Back link), not out.
  dialog.addEventListener("cancel", function (event) {
    var back = pane.querySelector("[role=alertdialog] [data-confirm-back]");
    if (!back) return;
    event.preventDefault();
    back.click();
  });
  document.body.addEventListener("pane:close", function () {
    if (dialog.open) dialog.close();
  });

  /* Closed (Escape, Cancel, or a success): the focus goes back to the opener, or to the
     element with its id when a refresh replaced it meanwhile, or to the main region when
     it is gone (a removed row). A refresh still on its way is focus.js's business. */
  dialog.addEventListener("close", function () {
    pane.innerHTML = "";
    var status = document.getElementById("pane-status");
    if (status) status.textContent = "";
    if (opener) {
      var back = document.body.contains(opener) ? opener : opener.id && document.getElementById(opener.id);
      focusOn(back || document.getElementById("main"));
    }
    opener = null;
  });
})();
