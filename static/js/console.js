/* Progressive enhancement for the console. Every page works without this file:
   it adds the ellipsis menus, the pane dialog, tab keyboard navigation and
   announcements of htmx results. No inline script, no eval (see the CSP). */
(function () {
  "use strict";

  var dialog = null;
  var paneOpener = null;
  var pendingFocusId = null;  // opener to refocus once the refreshed list is in

  function announce(text) {
    var region = document.getElementById("messages");
    if (!region || !text) return;
    region.textContent = "";
    var p = document.createElement("p");
    p.className = "message message-success";
    p.textContent = text;
    region.appendChild(p);
  }

  /* Menu button pattern: Enter/Space/ArrowDown open on the first item, ArrowUp on
     the last; arrows move, Home/End jump, Escape closes and returns focus. */
  function initMenus(root) {
    root.querySelectorAll("[data-menu]").forEach(function (wrap) {
      if (wrap.dataset.menuReady) return;
      wrap.dataset.menuReady = "1";
      var button = wrap.querySelector(".menu-button");
      var menu = wrap.querySelector("[role=menu]");
      var items = function () { return Array.prototype.slice.call(menu.querySelectorAll("[role=menuitem]")); };
      button.hidden = false;
      menu.hidden = true;
      items().forEach(function (item) { item.tabIndex = -1; });

      function open(focusLast) {
        closeAllMenus(wrap);
        menu.hidden = false;
        button.setAttribute("aria-expanded", "true");
        var list = items();
        (focusLast ? list[list.length - 1] : list[0]).focus();
      }
      function close(returnFocus) {
        menu.hidden = true;
        button.setAttribute("aria-expanded", "false");
        if (returnFocus) button.focus();
      }
      wrap.closeMenu = close;

      button.addEventListener("click", function () {
        if (menu.hidden) open(false); else close(true);
      });
      button.addEventListener("keydown", function (event) {
        if (event.key === "ArrowDown") { event.preventDefault(); open(false); }
        if (event.key === "ArrowUp") { event.preventDefault(); open(true); }
      });
      menu.addEventListener("keydown", function (event) {
        var list = items();
        var index = list.indexOf(document.activeElement);
        if (event.key === "ArrowDown") { event.preventDefault(); list[(index + 1) % list.length].focus(); }
        else if (event.key === "ArrowUp") { event.preventDefault(); list[(index - 1 + list.length) % list.length].focus(); }
        else if (event.key === "Home") { event.preventDefault(); list[0].focus(); }
        else if (event.key === "End") { event.preventDefault(); list[list.length - 1].focus(); }
        else if (event.key === "Escape") { event.preventDefault(); close(true); }
        else if (event.key === "Tab") { close(false); }
        else if (event.key === " ") { event.preventDefault(); document.activeElement.click(); }
      });
      menu.addEventListener("click", function () {
        paneOpener = button;  // focus returns to the ellipsis button when the pane closes
        close(false);
      });
    });
  }

  function closeAllMenus(except) {
    document.querySelectorAll("[data-menu]").forEach(function (wrap) {
      if (wrap !== except && wrap.closeMenu) wrap.closeMenu(false);
    });
  }

  /* Tabs: the tabs are links (each tab is its own page); arrow keys move between
     them, Enter follows the focused one. */
  function initTabs(root) {
    root.querySelectorAll("[role=tablist]").forEach(function (tablist) {
      if (tablist.dataset.tabsReady) return;
      tablist.dataset.tabsReady = "1";
      tablist.addEventListener("keydown", function (event) {
        var tabs = Array.prototype.slice.call(tablist.querySelectorAll("[role=tab]"));
        var index = tabs.indexOf(document.activeElement);
        if (index < 0) return;
        var next = null;
        if (event.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
        if (event.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
        if (event.key === "Home") next = tabs[0];
        if (event.key === "End") next = tabs[tabs.length - 1];
        if (event.key === " ") { event.preventDefault(); document.activeElement.click(); }
        if (next) { event.preventDefault(); next.focus(); }
      });
    });
  }

  function openPane() {
    if (!dialog.open) dialog.showModal();
    var first = dialog.querySelector("[aria-invalid=true], .form-errors, input:not([type=hidden]), select, textarea, button, a[href]");
    if (first) {
      if (first.classList && first.classList.contains("form-errors")) first.tabIndex = -1;
      first.focus();
    }
  }

  function closePane() {
    if (dialog && dialog.open) dialog.close();
  }

  /* "Select all" checkboxes of the Remove dialog's lists (hidden without JavaScript). */
  function initSelectAll(root) {
    root.querySelectorAll("[data-select-all]").forEach(function (box) {
      if (box.dataset.selectReady) return;
      box.dataset.selectReady = "1";
      box.hidden = false;
      var form = box.form;  // also set through the form attribute, outside the form element
      var name = box.dataset.selectAll;
      box.addEventListener("change", function () {
        Array.prototype.forEach.call(form.elements, function (item) {
          if (item.type === "checkbox" && item.name === name) item.checked = box.checked;
        });
      });
    });
  }

  function init(root) {
    initMenus(root);
    initTabs(root);
    initSelectAll(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    dialog = document.getElementById("pane-dialog");
    init(document);

    document.addEventListener("click", function (event) {
      if (!event.target.closest("[data-menu]")) closeAllMenus(null);
      var closer = event.target.closest("[data-close-pane]");
      if (closer && dialog && dialog.contains(closer)) {
        event.preventDefault();
        closePane();
      }
    });

    if (dialog) {
      dialog.addEventListener("close", function () {
        document.getElementById("pane-body").innerHTML = "";
        if (paneOpener && document.body.contains(paneOpener)) {
          paneOpener.focus();
        } else if (paneOpener && paneOpener.id) {
          pendingFocusId = paneOpener.id;
        }
        paneOpener = null;
      });
    }

    document.body.addEventListener("htmx:beforeRequest", function (event) {
      var target = event.detail.target;
      if (target && target.id === "pane-body" && !(dialog && dialog.open)) {
        paneOpener = paneOpener || event.detail.elt;
      }
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      init(event.detail.target);
      if (event.detail.target.id === "pane-body") openPane();
      if (pendingFocusId && event.detail.target.id === "admin-connections") {
        // The opener was replaced by the refresh: focus its new copy, or the page if it is gone.
        var again = document.getElementById(pendingFocusId);
        (again || document.getElementById("main")).focus();
        pendingFocusId = null;
      }
    });
    document.body.addEventListener("pane:close", closePane);
    document.body.addEventListener("console:message", function (event) {
      announce(event.detail.text);
    });
    document.body.addEventListener("connections:changed", function () {
      if (document.getElementById("admin-connections")) {
        htmx.ajax("GET", window.location.pathname + window.location.search, {
          target: "#admin-connections", swap: "innerHTML"
        });
      }
    });
    document.body.addEventListener("htmx:responseError", function (event) {
      var status = event.detail.xhr.status;
      announce(status === 403
        ? document.body.dataset.msgForbidden || "You don't have permission to do that."
        : (document.body.dataset.msgError || "Something went wrong. Please try again.") + " (" + status + ")");
    });
  });
})();
