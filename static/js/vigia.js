// Small progressive enhancements; every screen still works with JavaScript off.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("select[data-autosubmit]")) el.form.requestSubmit();
  });

  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) dismiss.closest(".toast").remove();
    var close = event.target.closest("[data-modal-close]");
    if (close || event.target.classList.contains("modal-backdrop")) closeModal();
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var source = document.querySelector(copy.dataset.copy);
      navigator.clipboard.writeText(source.value || source.textContent).then(function () {
        copy.textContent = copy.dataset.copied || "✓";
      });
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeModal();
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
      setTimeout(closeModal, 0);
    }
  });

  // Server responses trigger "vigia:close-modal" (HX-Trigger) after a successful save.
  document.body.addEventListener("vigia:close-modal", closeModal);

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
  document.addEventListener("DOMContentLoaded", function () { scheduleToasts(document); });
  document.body.addEventListener("htmx:afterSettle", function () { scheduleToasts(document); });
})();
