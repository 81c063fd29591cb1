/* Progressive enhancement for the console. Every page works without this file:
   it adds the ellipsis menus, the pane dialog, tab keyboard navigation, focus
   management around htmx swaps and announcements of htmx results.
   No inline script, no eval (see the CSP). */
(function () {
  "use strict";

  var dialog = null;
  var paneOpener = null;
  var focusAfterSwap = null;  // {targets: ids of regions whose swap may lose it, want: what had it}
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), " +
    "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

  /* Announcements: the page's live region, or the dialog's while it is open (the page
     behind a modal dialog is inert, so screen readers would not hear it). Written a
     moment later so that a dialog closing in the same response is closed by then. */
  function announce(text, kind) {
    if (!text) return;
    var region = dialog && dialog.open ? document.getElementById("pane-status")
      : document.getElementById("messages");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () {
      var current = dialog && dialog.open ? document.getElementById("pane-status")
        : document.getElementById("messages");
      var p = document.createElement("p");
      p.className = "message message-" + (kind || "success");
      p.textContent = text;
      (current || region).appendChild(p);
    }, 60);
  }

  /* Menu button pattern: Enter/Space/ArrowDown open on the first item, ArrowUp on
     the last; arrows move, Home/End jump, Escape closes and returns focus. */
  function initMenus(root) {
    root.querySelectorAll("[data-menu]").forEach(function (wrap) {
      if (wrap.dataset.menuReady) return;
      wrap.dataset.menuReady = "1";
      var button = wrap.querySelector(".menu-button");
      var menu = wrap.querySelector(".menu");
      /* Without JavaScript the menu is a plain list of links; the roles come with the behaviour. */
      menu.setAttribute("role", "menu");
      menu.setAttribute("aria-labelledby", button.id);
      menu.querySelectorAll("li").forEach(function (li) { li.setAttribute("role", "none"); });
      menu.querySelectorAll("a").forEach(function (a) { a.setAttribute("role", "menuitem"); });
      var items = function () { return Array.prototype.slice.call(menu.querySelectorAll("[role=menuitem]")); };
      button.hidden = false;
      menu.hidden = true;
      items().forEach(function (item) { item.tabIndex = -1; });

      function open(focusLast) {
        closeAllMenus(wrap);
        menu.hidden = false;
        menu.classList.remove("menu-up");
        var clip = wrap.closest(".table-wrap");
        if (clip && getComputedStyle(clip).overflowX !== "visible" &&
            menu.getBoundingClientRect().bottom > clip.getBoundingClientRect().bottom) {
          menu.classList.add("menu-up");
        }
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
        else if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); close(true); }
        else if (event.key === "Tab") { close(false); }
        else if (event.key === " ") { event.preventDefault(); document.activeElement.click(); }
      });
      menu.addEventListener("click", function () {
        paneOpener = button;  // focus returns to the ellipsis button when the pane closes
        close(false);
      });
      wrap.addEventListener("focusout", function (event) {
        if (!menu.hidden && event.relatedTarget && !wrap.contains(event.relatedTarget)) close(false);
      });
    });
  }

  function closeAllMenus(except) {
    document.querySelectorAll("[data-menu]").forEach(function (wrap) {
      if (wrap !== except && wrap.closeMenu) wrap.closeMenu(false);
    });
  }

  /* Tabs: the tabs are links (each tab is its own page); arrow keys move between
     them, Enter or Space follows the focused one (manual activation). */
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

  function focusables(root) {
    return Array.prototype.filter.call(root.querySelectorAll(FOCUSABLE), function (el) {
      return !el.hidden && el.getClientRects().length > 0;
    });
  }

  function focusElement(el) {
    if (!el) return;
    if (!el.matches(FOCUSABLE) && !el.hasAttribute("tabindex")) el.tabIndex = -1;
    el.focus();
  }

  function openPane() {
    if (!dialog.open) dialog.showModal();
    var body = document.getElementById("pane-body");
    var first = body.querySelector("[aria-invalid=true], .form-errors") || focusables(body)[0];
    focusElement(first);
    var notice = body.querySelector("[data-notice]");
    if (notice && notice !== first) announce(notice.textContent.trim(), notice.dataset.notice);
  }

  function closePane() {
    if (dialog && dialog.open) dialog.close();
  }

  /* Focus after htmx swaps: when the focused element was replaced, focus its new copy
     (same id, or same tag and text), else the region's panel or the main region. */
  function describe(el) {
    if (!el || el.nodeType !== 1 || el === document.body) return null;
    return {id: el.id, tag: el.tagName, text: (el.textContent || "").trim()};
  }

  function findLike(root, want) {
    if (!want) return null;
    if (want.id) {
      var byId = document.getElementById(want.id);
      if (byId && root.contains(byId)) return byId;
    }
    var same = Array.prototype.filter.call(root.getElementsByTagName(want.tag), function (el) {
      return (el.textContent || "").trim() === want.text;
    });
    return same.length === 1 ? same[0] : null;
  }

  function regionsOf(el) {
    var ids = [];
    for (var node = el.parentElement; node; node = node.parentElement) {
      if (node.id) ids.push(node.id);
    }
    return ids;
  }

  function focusLost() {
    var active = document.activeElement;
    return !active || active === document.body || !document.body.contains(active);
  }

  /* Keep Tab and Shift+Tab inside the open dialog. */
  function trapFocus(event) {
    if (event.key !== "Tab") return;
    var items = focusables(dialog);
    if (!items.length) return;
    var first = items[0];
    var last = items[items.length - 1];
    var active = document.activeElement;
    if (event.shiftKey && (active === first || !dialog.contains(active) || active === dialog)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
      event.preventDefault();
      first.focus();
    }
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

  function busy(on, target) {
    document.documentElement.classList.toggle("is-busy", on);
    if (target && target.setAttribute) {
      if (on) target.setAttribute("aria-busy", "true"); else target.removeAttribute("aria-busy");
    }
  }

  /* A form being sent cannot be sent twice: its submit buttons are disabled until the
     answer is in (htmx has already read the values, the clicked button's included). */
  function lockForm(form, locked) {
    if (!form || form.tagName !== "FORM") return;
    form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (button) {
      if (locked && !button.disabled) { button.disabled = true; button.dataset.lockedBusy = "1"; }
      if (!locked && button.dataset.lockedBusy) { button.disabled = false; delete button.dataset.lockedBusy; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    dialog = document.getElementById("pane-dialog");
    init(document);

    // Messages already on the page when it loads (after a whole-page redirect) are not
    // announced by screen readers: put them in the live region again, a moment later.
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

    document.addEventListener("click", function (event) {
      if (!event.target.closest("[data-menu]")) closeAllMenus(null);
      var closer = event.target.closest("[data-close-pane]");
      if (closer && dialog && dialog.contains(closer)) {
        event.preventDefault();
        closePane();
      }
    });

    if (dialog) {
      dialog.addEventListener("keydown", trapFocus);
      dialog.addEventListener("close", function () {
        document.getElementById("pane-body").innerHTML = "";
        var status = document.getElementById("pane-status");
        if (status) status.textContent = "";
        if (paneOpener) {
          // The opener, or its copy if a refresh replaced it meanwhile, or the main region
          // if it is gone (a removed row); a refresh still on its way may replace it again.
          var want = describe(paneOpener);
          var opener = document.body.contains(paneOpener) ? paneOpener : findLike(document.body, want);
          focusElement(opener || document.getElementById("main"));
          if (opener) focusAfterSwap = {targets: regionsOf(opener), want: want};
        }
        paneOpener = null;
      });
    }

    document.body.addEventListener("htmx:beforeRequest", function (event) {
      var target = event.detail.target;
      var elt = event.detail.elt;
      busy(true, target);
      lockForm(elt, true);
      if (!target) return;
      if (target.id === "pane-body") {
        if (!(dialog && dialog.open)) paneOpener = paneOpener || elt;
        return;
      }
      var active = document.activeElement;
      var origin = target.contains(active) && active !== target ? active
        : (target.contains(elt) && elt !== target ? elt : null);
      if (origin) focusAfterSwap = {targets: [target.id], want: describe(origin)};
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      busy(false, event.detail.target);
      lockForm(event.detail.elt, false);
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      var target = event.detail.target;
      init(target);
      if (target.id === "pane-body") {
        openPane();
        return;
      }
      if (focusAfterSwap && target.id && focusAfterSwap.targets.indexOf(target.id) >= 0) {
        if (focusLost()) {
          focusElement(findLike(target, focusAfterSwap.want) ||
            target.querySelector("[role=tabpanel]") || document.getElementById("main"));
        }
        focusAfterSwap = null;
      }
    });
    document.body.addEventListener("pane:close", closePane);
    document.body.addEventListener("console:message", function (event) {
      announce(event.detail.text);
    });
    document.body.addEventListener("connections:changed", function () {
      if (document.getElementById("admin-connections")) {
        htmx.ajax("GET", window.location.pathname + window.location.search, {
          source: "#admin-connections", target: "#admin-connections", swap: "innerHTML"
        });
      }
    });
    document.body.addEventListener("htmx:responseError", function (event) {
      var status = event.detail.xhr.status;
      announce(status === 403
        ? document.body.dataset.msgForbidden || "You don't have permission to do that."
        : (document.body.dataset.msgError || "Something went wrong. Please try again.") + " (" + status + ")",
        "error");
    });
    document.body.addEventListener("htmx:sendError", function () {
      announce(document.body.dataset.msgOffline || "The console could not be reached. Check the connection and try again.", "error");
    });
  });
})();
