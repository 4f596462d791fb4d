// Draws every chart on the page from its JSON data block: no inline script, so the
// Content-Security-Policy can forbid inline JavaScript entirely.
(function () {
  "use strict";
  function draw() {
    document.querySelectorAll(".dx-chart").forEach(function (el) {
      var data = document.getElementById(el.dataset.figure);
      if (!data || el.dataset.drawn) { return; }
      var spec = JSON.parse(data.textContent);
      el.dataset.drawn = "1";
      window.Plotly.newPlot(el, spec.data, spec.layout, spec.config);
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
