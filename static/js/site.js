/* Heelwise public site: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // 1. The main menu is a <details> element: a "Menu" button on phones, a row of links on wider
  //    screens. CSS (::details-content) shows the links on wide screens; for browsers without
  //    it we also keep the element open there.
  var menu = document.querySelector("[data-nav-menu]");
  if (menu) {
    var wide = window.matchMedia("(min-width: 56em)");
    var sync = function () {
      if (wide.matches) {
        menu.setAttribute("open", "");
      } else {
        menu.removeAttribute("open");
      }
    };
    sync();
    if (wide.addEventListener) {
      wide.addEventListener("change", sync);
    }
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !wide.matches && menu.hasAttribute("open")) {
        menu.removeAttribute("open");
        var summary = menu.querySelector("summary");
        if (summary) {
          summary.focus();
        }
      }
    });
  }

  // 2. Forms with errors: move focus to the error summary so screen-reader users hear it first,
  //    and make its links focus the field they point at (not just scroll to it).
  var summaryBox = document.querySelector("[data-error-summary], .error-summary");
  if (summaryBox) {
    summaryBox.focus();
    summaryBox.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) {
        return;
      }
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (field) {
        event.preventDefault();
        var group = field.closest(".field") || field;
        group.scrollIntoView();
        field.focus({ preventScroll: true });
      }
    });
  }
})();
