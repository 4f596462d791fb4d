// Accessible names for admin widgets that Django and select2 render without one (WCAG 4.1.2,
// 1.3.1): select2 comboboxes take their <select>'s label; inputs of tabular inlines take
// their column's header and row number. Runs again whenever widgets are added (inline rows,
// select2 opening), so no form field is ever left nameless.
(function () {
  "use strict";
  function labelFor(id) {
    if (!id) { return null; }
    var label = document.querySelector('label[for="' + id + '"]');
    if (label && !label.id) { label.id = id + "-label"; }
    return label;
  }
  function nameComboboxes(root) {
    root.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
      var container = box.closest(".select2");
      var select = container && container.previousElementSibling;
      var label = select && labelFor(select.id);
      if (label) {
        // the field's label, then the chosen value select2 shows
        var rendered = box.querySelector(".select2-selection__rendered");
        var ids = [label.id].concat(rendered && rendered.id ? [rendered.id] : []);
        box.setAttribute("aria-labelledby", ids.join(" "));
        if (rendered && rendered.getAttribute("role") === "textbox") {
          rendered.setAttribute("aria-labelledby", ids.join(" "));
        }
      } else if (select && select.name && !box.getAttribute("aria-label")) {
        box.setAttribute("aria-label", select.name);
      }
    });
    root.querySelectorAll(".select2-search__field").forEach(function (field) {
      if (!field.getAttribute("aria-label")) { field.setAttribute("aria-label", "検索"); }
    });
    root.querySelectorAll("ul.select2-selection__rendered").forEach(function (list) {
      list.setAttribute("role", "list");
      list.querySelectorAll(":scope > li").forEach(function (li) { li.setAttribute("role", "listitem"); });
    });
  }
  function nameInlineCells(root) {
    root.querySelectorAll(".tabular table").forEach(function (table) {
      var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row, rowIndex) {
        Array.prototype.forEach.call(row.cells, function (cell, i) {
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
            if (field.getAttribute("aria-label") || (field.id && document.querySelector('label[for="' + field.id + '"]'))) { return; }
            var header = field.name && /DELETE$/.test(field.name) ? "削除" : headers[i];
            field.setAttribute("aria-label", (header || field.name) + "（" + (rowIndex + 1) + "行目）");
          });
        });
      });
    });
  }
  function run() {
    nameComboboxes(document);
    nameInlineCells(document);
  }
  document.addEventListener("DOMContentLoaded", function () {
    run();
    new MutationObserver(run).observe(document.body, { childList: true, subtree: true });
  });
})();
