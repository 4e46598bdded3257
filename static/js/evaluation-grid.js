/* Pilote CTG – the entry grid of the indicators (templates/evaluation/grid.html).
   Each row is a small htmx form (data-ctg-grid-form); without this file it is saved with Enter or its button.
   With it:
   - a row whose inputs were changed is saved when the focus leaves it (event "ctg-grid-leave", one of the
     form's htmx triggers), never while the person is still typing in it;
   - after a row saved with Enter, the focus moves on to the next row's value, as in a spreadsheet (htmx
     itself gives the focus back to the element of the same id after a swap, so it is never lost). */
(function () {
  "use strict";

  var ROW = "[data-ctg-grid-row]";
  var submittedRow = null;

  function inputsOf(row) {
    return row.querySelectorAll("[data-ctg-grid-input]");
  }

  function isChanged(row) {
    return Array.prototype.some.call(inputsOf(row), function (input) {
      return input.value !== input.defaultValue;
    });
  }

  function formOf(row) {
    return row.querySelector("form[data-ctg-grid-form]");
  }

  document.addEventListener("focusout", function (event) {
    var row = event.target.closest && event.target.closest(ROW);
    if (!row || !row.isConnected || (event.relatedTarget && row.contains(event.relatedTarget))) return;
    var form = formOf(row);
    if (form && isChanged(row) && !form.classList.contains("htmx-request") && window.htmx) {
      window.htmx.trigger(form, "ctg-grid-leave");
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-ctg-grid-form]")) return;
    var row = form.closest(ROW);
    var typing = document.activeElement && document.activeElement.matches("[data-ctg-grid-input]");
    submittedRow = row && typing && row.contains(document.activeElement) ? row.id : null;
  }, true);

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || !submittedRow || target.id !== submittedRow) return;
    submittedRow = null;
    var row = document.getElementById(target.id);
    if (!row || row.querySelector("[aria-invalid='true']") || !row.contains(document.activeElement)) return;
    var rows = Array.prototype.slice.call(document.querySelectorAll(ROW));
    var next = rows[rows.indexOf(row) + 1];
    var input = next && next.querySelector("[data-ctg-grid-value]");
    if (input) input.focus();
  });
})();
