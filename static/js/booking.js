// Booking pages: after htmx swaps in another week of times, move focus to its heading so
// keyboard and screen-reader users hear where they are. Works without this file too.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target) { return; }
    var heading = document.getElementById("slot-week-title");
    if (heading) { heading.focus(); }
  });
})();
