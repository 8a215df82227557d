// The Clientes and Especialistas lists: ticking rows for a bulk action (Associar,
// Desassociar), the "Novo" menu, and the dialogs those open. Without JavaScript the row
// checkboxes still post with their form, the menu is a plain <details>, and the bulk action
// asks for its confirmation on a page of its own.
(function () {
  "use strict";

  // --- Selection -------------------------------------------------------------------------

  var anchor = null; // the last row ticked by hand: one end of a shift-click range

  function table() {
    return document.querySelector("table[data-selectable]");
  }

  function boxes() {
    var t = table();
    return t ? Array.prototype.slice.call(t.querySelectorAll("tbody input[name=codes]")) : [];
  }

  function setRange(from, to, checked) {
    var all = boxes();
    var a = all.indexOf(from), b = all.indexOf(to);
    if (a < 0 || b < 0) return false;
    all.slice(Math.min(a, b), Math.max(a, b) + 1).forEach(function (box) { box.checked = checked; });
    return true;
  }

  function update() {
    var all = boxes();
    var ticked = all.filter(function (box) { return box.checked; });
    var header = document.querySelector("[data-select-page]");
    var matching = document.querySelector("[data-select-matching]");
    var bar = document.querySelector("[data-select-matching-bar]");
    var everyRow = all.length > 0 && ticked.length === all.length;
    if (header) {
      header.checked = everyRow;
      header.indeterminate = ticked.length > 0 && !everyRow;
    }
    // Unticking any row leaves "every match": the selection is what is ticked again.
    if (matching && !everyRow) matching.checked = false;
    if (bar) {
      bar.hidden = !everyRow;
      var whole = matching && matching.checked;
      bar.querySelector("[data-select-matching-page]").hidden = whole;
      bar.querySelector("[data-select-matching-all]").hidden = !whole;
    }
    all.forEach(function (box) { box.closest("tr").classList.toggle("is-selected", box.checked); });
    var count = document.querySelector("[data-selection-count]");
    var form = document.querySelector("[data-selection-form]");
    if (count) {
      if (matching && matching.checked) count.textContent = count.dataset.textAll || "";
      else if (ticked.length === 0) count.textContent = count.dataset.textNone || "";
      else if (ticked.length === 1) count.textContent = count.dataset.textOne || "";
      else count.textContent = (count.dataset.textMany || "").replace("%(count)s", ticked.length);
    }
    if (form) {
      var empty = ticked.length === 0;
      form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = empty; });
    }
  }

  document.addEventListener("click", function (event) {
    var t = table();
    if (!t || !t.contains(event.target)) return;
    var box = event.target.closest("input[name=codes]");
    if (box) {
      // Shift-click: the whole range from the last ticked row takes this row's new state.
      if (event.shiftKey && anchor && anchor !== box && anchor.isConnected) setRange(anchor, box, box.checked);
      anchor = box;
      update();
      return;
    }
    // A click on a row (not on its links or buttons): ctrl/cmd toggles it, shift extends
    // the range to it.
    if (event.target.closest("a, button, input, label, select, textarea")) return;
    var row = event.target.closest("tbody tr");
    var rowBox = row && row.querySelector("input[name=codes]");
    if (!rowBox || !(event.ctrlKey || event.metaKey || event.shiftKey)) return;
    event.preventDefault();
    if (event.shiftKey && anchor && anchor.isConnected) {
      setRange(anchor, rowBox, anchor.checked);
    } else {
      rowBox.checked = !rowBox.checked;
      anchor = rowBox;
    }
    update();
  });

  // A shift-click on a row would also select its text.
  document.addEventListener("mousedown", function (event) {
    if (event.shiftKey && event.target.closest("table[data-selectable] tbody tr")) event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-select-page]")) {
      var checked = event.target.checked;
      boxes().forEach(function (box) { box.checked = checked; });
      var matching = document.querySelector("[data-select-matching]");
      if (matching && !checked) matching.checked = false;
      anchor = null;
      update();
    } else if (event.target.matches("[data-select-matching]")) {
      update();
    }
  });

  // --- Dialogs -----------------------------------------------------------------------------

  // A native <dialog data-modal> swapped in (the bulk action's confirmation) opens as a
  // modal: the browser moves focus into it and keeps it there, Escape closes it. Closed, it
  // leaves the page and focus goes back where it was.
  function openDialogs(root) {
    root.querySelectorAll("dialog[data-modal]:not([open])").forEach(function (dialog) {
      var opener = document.activeElement;
      dialog.addEventListener("close", function () {
        dialog.remove();
        if (opener && opener.isConnected) opener.focus();
      });
      dialog.showModal();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    update();
    document.body.addEventListener("htmx:afterSwap", function (event) {
      openDialogs(event.detail.target);
      update();
    });
    // The server closes the dialog after the change (HX-Trigger).
    document.body.addEventListener("vigia:close-dialog", function () {
      document.querySelectorAll("dialog[data-modal][open]").forEach(function (dialog) { dialog.close(); });
    });
  });

  // --- Menus and the mode switch -----------------------------------------------------------

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
        menu.open = false;
        menu.querySelector("summary").focus();
      });
    }
    // A link with role="switch" is toggled with Space too, as a switch is.
    if (event.key === " " && event.target.matches("a[role=switch]")) {
      event.preventDefault();
      event.target.click();
    }
  });

  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      // A click outside closes the menu; so does choosing one of its items.
      if (!menu.contains(event.target) || event.target.closest(".menu-panel a")) menu.open = false;
    });
  });
})();
