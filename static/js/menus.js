/* Row menus ([data-menu]) follow the menu button pattern. Without JavaScript they are a
   plain list of links; here the button is shown and the roles come with the behaviour.
   Enter, Space or ArrowDown open the menu on its first item, ArrowUp on its last; the
   arrows move (and wrap), Home and End jump, Escape closes it and gives the focus back
   to the button; leaving the menu (Tab, a click elsewhere) closes it. Which element gets
   the focus after a pane opened from an item closes is dialog.js's business (the menu
   is labelled by its button). */
(function () {
  "use strict";

  function setUp(wrap) {
    var button = wrap.querySelector(".menu-button");
    var menu = wrap.querySelector(".menu");
    menu.setAttribute("role", "menu");
    menu.setAttribute("aria-labelledby", button.id);
    menu.querySelectorAll("li").forEach(function (li) { li.setAttribute("role", "none"); });
    menu.querySelectorAll("a").forEach(function (a) {
      a.setAttribute("role", "menuitem");
      a.tabIndex = -1;
    });
    var items = function () { return Array.prototype.slice.call(menu.querySelectorAll("[role=menuitem]")); };
    button.hidden = false;
    menu.hidden = true;

    function open(focusLast) {
      closeAll(wrap);
      menu.hidden = false;
      // The last rows' menus open upwards when the table's scroll box would cut them off.
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

    // Enter and Space on a button are a click.
    button.addEventListener("click", function () { if (menu.hidden) open(false); else close(true); });
    button.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        open(event.key === "ArrowUp");
      }
    });
    menu.addEventListener("keydown", function (event) {
      var list = items();
      var index = list.indexOf(document.activeElement);
      var next = {
        ArrowDown: list[(index + 1) % list.length],
        ArrowUp: list[(index - 1 + list.length) % list.length],
        Home: list[0],
        End: list[list.length - 1]
      }[event.key];
      if (next) { event.preventDefault(); next.focus(); }
      else if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); close(true); }
      else if (event.key === " ") { event.preventDefault(); document.activeElement.click(); }
      else if (event.key === "Tab") { close(false); }  // the focus moves on from where it is
    });
    menu.addEventListener("click", function () { close(false); });
    // The focus goes elsewhere on the page (a click, a script): the menu closes.
    wrap.addEventListener("focusout", function (event) {
      if (!menu.hidden && event.relatedTarget && !wrap.contains(event.relatedTarget)) close(false);
    });
  }

  function closeAll(except) {
    document.querySelectorAll("[data-menu]").forEach(function (wrap) {
      if (wrap !== except && wrap.closeMenu) wrap.closeMenu(false);
    });
  }

  htmx.onLoad(function (root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("[data-menu]").forEach(function (wrap) {
      if (!wrap.closeMenu) setUp(wrap);
    });
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-menu]")) closeAll(null);
  });
})();
