// The project table's column groups: CSS hides a group as soon as its box is unticked; this
// keeps the choice in the address (as the form would send it), so a reload, a bookmark or a
// printout shows the same columns. Without JavaScript the form carries it the same way.
(function () {
  "use strict";
  function sync() {
    var boxes = document.querySelectorAll("input[data-column-group]");
    if (!boxes.length || !window.history.replaceState) { return; }
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        var params = new URLSearchParams(window.location.search);
        params.delete("show");
        params.append("show", "");
        boxes.forEach(function (b) { if (b.checked) { params.append("show", b.value); } });
        window.history.replaceState(null, "", window.location.pathname + "?" + params.toString());
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", sync);
  } else {
    sync();
  }
})();
