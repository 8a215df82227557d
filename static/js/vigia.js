// Small progressive enhancements; every screen still works with JavaScript off.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("select[data-autosubmit]")) el.form.requestSubmit();
    if (el.matches("input[type=file][data-max-bytes]")) checkFiles(el);
  });

  // Files over the request's limits are refused on choosing them, before a byte is sent;
  // the server applies the same limits (servicerequests.uploads) whatever the browser does.
  function checkFiles(input) {
    var total = 0;
    for (var i = 0; i < input.files.length; i++) total += input.files[i].size;
    var message = "";
    if (input.files.length > +input.dataset.maxFiles) message = input.dataset.tooMany;
    else if (total > +input.dataset.maxBytes) message = input.dataset.tooLarge;
    input.setCustomValidity(message);
    // The browser's bubble fades: the message also stays under the field until the choice
    // changes, as the server's would.
    var field = input.closest(".field") || input.parentNode;
    var shown = field.querySelector("p[data-files-refused]");
    if (message) {
      if (!shown) {
        shown = document.createElement("p");
        shown.className = "error";
        shown.setAttribute("data-files-refused", "");
        shown.setAttribute("role", "alert");
        field.appendChild(shown);
      }
      shown.textContent = message;
      input.reportValidity();
    } else if (shown) {
      shown.remove();
    }
  }

  // These forms are novalidate (the server's messages show instead of the browser's), so
  // the browser would send them anyway: a refused choice of files stops the submit here.
  document.addEventListener("submit", function (event) {
    var refused = event.target.querySelector("input[type=file][data-max-bytes]:invalid");
    if (refused) {
      event.preventDefault();
      refused.reportValidity();
      refused.focus();
    }
  });

  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) dismiss.closest(".toast").remove();
    // A dialog's Cancel (a link to the page behind it, for when JavaScript is off) closes it.
    var close = event.target.closest("[data-modal-close], [data-dialog-close]");
    if (close && close.closest("dialog")) {
      event.preventDefault();
      close.closest("dialog").close();
    }
    // − / + beside a number input (value "field:±1"): without JavaScript they post the form
    // and get the value moved back; here it moves in place, within the input's bounds, so
    // quick presses are never lost to a round trip still under way.
    var stepper = event.target.closest("button[data-stepper]");
    if (stepper) {
      event.preventDefault();
      var parts = stepper.value.split(":");
      var input = stepper.form.elements[parts[0]];
      var moved = (parseInt(input.value, 10) || 0) + parseInt(parts[1], 10) * parseInt(input.dataset.step, 10);
      input.value = Math.min(Math.max(moved, +input.min), +input.max);
    }
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var source = document.querySelector(copy.dataset.copy);
      navigator.clipboard.writeText(source.value || source.textContent).then(function () {
        copy.textContent = copy.dataset.copied || "✓";
      });
    }
  });

  // The <dialog> htmx puts in #modal: the browser moves focus into it and keeps it there
  // (showModal, below); focus goes back to what opened it when it closes and #modal empties.
  function watchModal() {
    var modal = document.getElementById("modal");
    if (!modal) return;
    var opener = null;
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      // A form inside the dialog posting back into #modal did not open it.
      if (event.detail.target !== modal || modal.contains(event.detail.elt)) return;
      // An item of a menu that closes as it is chosen: focus goes back to the menu's button.
      var menu = event.detail.elt.closest("details");
      opener = menu ? menu.querySelector("summary") : event.detail.elt;
    });
    new MutationObserver(function () {
      if (!modal.children.length && opener && opener.isConnected) {
        opener.focus();
        opener = null;
      }
    }).observe(modal, { childList: true });
  }
  document.addEventListener("DOMContentLoaded", watchModal);

  // Escape closes an open menu or panel (the user menu, the bell, the Novo and Ações menus:
  // all <details>) and gives focus back to its button; an open dialog the browser closes.
  var OPEN_MENUS = "details.menu[open], details.notif[open], details.row-menu[open], details[data-menu][open]";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menus = document.querySelectorAll(OPEN_MENUS);
    if (!menus.length) return;
    menus.forEach(function (menu) { menu.open = false; });
    menus[menus.length - 1].querySelector("summary").focus();
  });

  // Tabs (role="tab" links) answer the ARIA tabs keys: arrows move to the neighbouring tab,
  // Home and End to the first and last, and the tab reached opens. Only the selected tab is
  // in the Tab order.
  function rovingTabs(root) {
    root.querySelectorAll("[role=tablist]").forEach(function (list) {
      list.querySelectorAll("[role=tab]").forEach(function (tab) {
        tab.tabIndex = tab.getAttribute("aria-selected") === "true" ? 0 : -1;
      });
    });
  }
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest("[role=tab]");
    if (!tab || !tab.closest("[role=tablist]")) return;
    var tabs = Array.prototype.filter.call(
      tab.closest("[role=tablist]").querySelectorAll("[role=tab]"),
      function (t) { return t.getAttribute("aria-disabled") !== "true"; }
    );
    var index = tabs.indexOf(tab);
    var next = {
      ArrowRight: tabs[(index + 1) % tabs.length],
      ArrowLeft: tabs[(index - 1 + tabs.length) % tabs.length],
      Home: tabs[0],
      End: tabs[tabs.length - 1],
    }[event.key];
    if (!next) return;
    event.preventDefault();
    // The tab may be swapped by htmx: focus follows it by its label.
    var label = next.dataset.panel || next.getAttribute("href");
    next.click();
    next.focus();
    rovingTabs(document);
    window.setTimeout(function () {
      if (document.activeElement && document.activeElement.closest("[role=tablist]")) return;
      var again = Array.prototype.find.call(document.querySelectorAll("[role=tab]"), function (t) {
        return (t.dataset.panel || t.getAttribute("href")) === label;
      });
      if (again) again.focus();
    }, 300);
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[role=tab]")) window.setTimeout(function () { rovingTabs(document); }, 0);
  });
  document.addEventListener("DOMContentLoaded", function () { rovingTabs(document); });

  // A table.stack becomes stacked rows on a phone (vigia.css): each cell shows its
  // column's heading, taken from the table's own <th>s.
  function labelCells(root) {
    root.querySelectorAll("table.stack").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.replace(/[↑↓]/g, "").trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (heads[index]) cell.dataset.label = heads[index];
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { labelCells(document); });
  document.body.addEventListener("htmx:load", function () { labelCells(document); });

  // After an htmx swap that took focus away with the replaced element (focus fell to
  // <body>), focus goes to the updated region's first error or, failing that, the region
  // itself, so a keyboard or screen-reader user is not sent back to the top of the page.
  // Swaps that leave focus where it was (a search field typing on) are left alone.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    // An outerHTML swap (a form in a dialog sent back with its errors) settles on the
    // element that replaced the target.
    var target = event.detail.target && event.detail.target.isConnected ? event.detail.target : event.target;
    rovingTabs(document);
    if (!target || !target.isConnected || target.id === "modal" || target.closest("#notifications-bell, #toasts")) return;
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    var focusable = target.querySelector("[aria-invalid=true], .alert-error, .error");
    if (focusable && focusable.matches("input, select, textarea")) {
      focusable.focus();
      return;
    }
    var tab = target.querySelector("[role=tab][aria-selected=true]");
    var region = focusable || tab || target;
    if (!region.matches("a[href], button, input, select, textarea, [tabindex]")) region.tabIndex = -1;
    region.focus({ preventScroll: region === target });
  });

  function closeModal() {
    var modal = document.getElementById("modal");
    if (modal) modal.innerHTML = "";
  }

  // The export dialog's empty format is a plain post that downloads at once: the dialog
  // closes as the download starts (formats with data answer with the notification instead).
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-close-modal-on-variant]");
    if (form && form.elements.variant && form.elements.variant.value === form.dataset.closeModalOnVariant) {
      setTimeout(function () { form.closest("dialog").close(); }, 0);
    }
  });

  // Server responses trigger "vigia:close-modal" (HX-Trigger) after a successful save.
  document.body.addEventListener("vigia:close-modal", closeModal);

  // A filter left on its "all" choice (data-omit-empty) stays out of the request, and so
  // out of the address bar that htmx pushes.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt.closest ? event.detail.elt.closest("form") : null;
    if (!form) return;
    form.querySelectorAll("[data-omit-empty]").forEach(function (field) {
      if (!field.value) delete event.detail.parameters[field.name];
    });
  });

  // A dialog opens as a modal: the page behind is inert, Tab stays inside, Escape closes
  // it; after a refused form it comes back with focus on the first field in error.
  function showDialog(dialog) {
    dialog.showModal();
    var invalid = dialog.querySelector("[aria-invalid=true]");
    if (invalid) invalid.focus();
  }

  // A <dialog data-modal> swapped into #modal opens; however it closes (Escape, Cancel),
  // #modal empties.
  document.body.addEventListener("htmx:load", function () {
    var dialog = document.querySelector("#modal dialog[data-modal]:not([open])");
    if (!dialog) return;
    // The menu that opened it has done its job.
    document.querySelectorAll(OPEN_MENUS).forEach(function (menu) { menu.open = false; });
    dialog.addEventListener("close", closeModal);
    showDialog(dialog);
  });

  // A dialog's own address (the page it is open on without JavaScript) shows it as a modal too.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("dialog[data-modal][open]").forEach(function (dialog) {
      dialog.close();
      showDialog(dialog);
    });
  });

  // hx-confirm asks through the browser's confirm(); a refused switch (a checkbox that
  // submits its form) goes back to what it showed, since nothing was changed.
  document.body.addEventListener("htmx:confirm", function (event) {
    if (!event.detail.question) return;
    event.preventDefault();
    if (confirm(event.detail.question)) {
      event.detail.issueRequest(true);
    } else if (event.detail.elt.tagName === "FORM") {
      event.detail.elt.reset();
    }
  });

  // Toasts fade out on their own after a while.
  function scheduleToasts(root) {
    root.querySelectorAll(".toast:not([data-timed])").forEach(function (toast) {
      toast.dataset.timed = "1";
      setTimeout(function () { toast.remove(); }, 6000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { scheduleToasts(document); placeToasts(); });
  document.body.addEventListener("htmx:afterSettle", function () { scheduleToasts(document); placeToasts(); });

  // Toasts sit in a corner; when they would cover the control just used (a Save button at
  // the bottom right, say), they move to the top instead, so the next click still lands.
  var lastUsed = null;
  ["click", "focusin"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (!event.target.closest || !event.target.closest("#toasts")) lastUsed = event.target;
    }, true);
  });
  function placeToasts() {
    var box = document.getElementById("toasts");
    if (!box) return;
    box.classList.remove("toasts-top");
    var control = lastUsed && lastUsed.isConnected ? lastUsed : document.activeElement;
    if (!box.children.length || !control || control === document.body) return;
    var a = box.getBoundingClientRect();
    var b = control.getBoundingClientRect();
    var overlaps = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    if (overlaps) box.classList.add("toasts-top");
  }
})();
