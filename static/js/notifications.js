// Keeps the notifications panel open while the bell refreshes itself, and closes it on an
// outside click. Without JavaScript the <details> still opens and closes.
(function () {
  "use strict";
  var wasOpen = false;
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target.id !== "notifications-bell") return;
    var details = event.detail.target.querySelector("details");
    wasOpen = Boolean(details && details.open);
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "notifications-bell" || !wasOpen) return;
    var details = event.detail.target.querySelector("details");
    if (details) details.open = true;
  });
  document.addEventListener("click", function (event) {
    var details = document.querySelector("#notifications-bell details[open]");
    if (details && !details.contains(event.target)) details.open = false;
  });
})();
