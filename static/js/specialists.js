// Specialist profile: the Details, Address and Additional tabs are one form, so switching
// between them must not reload the page and lose what was typed. Without JavaScript the
// tab links reload the page on that tab.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-panel]");
    var form = document.getElementById("profile-form");
    if (!link || !form) return;
    event.preventDefault();
    var name = link.dataset.panel;
    form.querySelectorAll("[data-tab-panel]").forEach(function (panel) {
      panel.hidden = panel.dataset.tabPanel !== name;
    });
    link.closest(".tabs").querySelectorAll("a[role=tab]").forEach(function (tab) {
      tab.setAttribute("aria-selected", tab === link ? "true" : "false");
    });
    form.querySelector("[data-current-tab]").value = name;
    history.replaceState(null, "", link.href);
  });

  // A token shown once: one click selects all of it, ready to copy by hand. Listening on
  // the document keeps working after htmx swaps the tab in.
  document.addEventListener("click", function (event) {
    if (event.target.matches("input[data-select-on-click]")) event.target.select();
  });
})();
