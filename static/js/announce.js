/* Announcements: results of htmx requests are written into a live region, so that
   screen readers say them. The region is the page's (#messages), or the dialog's
   (#pane-status) while the dialog is open: the page behind a modal dialog is inert,
   so screen readers would not hear it.

   Anything can ask for one with the "console:message" event ({text, kind}): the server
   through HX-Trigger after a pane closes, dialog.js for a notice in a pane. The wording
   of the error messages comes from the page (data-msg-* of <body>), so it is translated. */
(function () {
  "use strict";

  function region() {
    var dialog = document.getElementById("pane-dialog");
    return document.getElementById(dialog && dialog.open ? "pane-status" : "messages");
  }

  /* Written a moment later: a dialog closing in the same response is closed by then, and
     a region emptied first is announced again even when the text is the same. */
  function announce(text, kind) {
    var first = region();
    if (!text || !first) return;
    first.textContent = "";
    window.setTimeout(function () {
      var p = document.createElement("p");
      p.className = "message message-" + (kind || "success");
      p.textContent = text;
      (region() || first).appendChild(p);
    }, 60);
  }

  var body = document.body;
  var say = body.dataset;

  body.addEventListener("console:message", function (event) {
    announce(event.detail.text, event.detail.kind);
  });
  body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    announce(status === 403
      ? say.msgForbidden || "You don't have permission to do that."
      : (say.msgError || "Something went wrong. Please try again.") + " (" + status + ")",
      "error");
  });
  body.addEventListener("htmx:sendError", function () {
    announce(say.msgOffline || "The console could not be reached. Check the connection and try again.", "error");
  });

  /* Messages already on the page when it loads (after a whole-page redirect) are not
     announced by screen readers: put them in the live region again, a moment later. */
  var messages = document.getElementById("messages");
  if (messages && messages.children.length) {
    var shown = Array.prototype.slice.call(messages.children);
    window.setTimeout(function () {
      messages.textContent = "";
      window.setTimeout(function () {
        shown.forEach(function (p) { messages.appendChild(p); });
      }, 50);
    }, 250);
  }
})();
