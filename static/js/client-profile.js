// The client's page: a chosen location fills in the Address tab, and the Geolocation map
// (Leaflet) places the client's point. The coordinates are ordinary inputs of the form: with
// no tiles, or no JavaScript, they are typed, and the server checks them.
(function () {
  "use strict";

  var DEFAULT_CENTER = [-14.235, -51.925]; // Brazil, the whole country in view
  var DEFAULT_ZOOM = 4;
  var POINT_ZOOM = 16;

  function locationAddresses() {
    var data = document.getElementById("location-addresses");
    return data ? JSON.parse(data.textContent) : {};
  }

  // Choosing a location replaces the address with the location's; the operator may then
  // adjust it on the Address tab before saving.
  document.addEventListener("change", function (event) {
    if (event.target.name !== "location") return;
    var address = locationAddresses()[event.target.value];
    var form = event.target.form;
    if (!address || !form) return;
    Object.keys(address).forEach(function (name) {
      var input = form.elements[name];
      if (input) input.value = address[name];
    });
  });

  function readPoint(lat, lng) {
    var la = parseFloat(String(lat.value).replace(",", "."));
    var ln = parseFloat(String(lng.value).replace(",", "."));
    if (isNaN(la) || isNaN(ln) || Math.abs(la) > 90 || Math.abs(ln) > 180) return null;
    return [la, ln];
  }

  function setup(box) {
    if (box.dataset.ready) return;
    box.dataset.ready = "1";
    var form = box.closest("form");
    var lat = form.querySelector("[data-map-lat]");
    var lng = form.querySelector("[data-map-lng]");
    var status = box.querySelector("[data-map-status]");
    var results = box.querySelector("[data-map-results]");
    var query = box.querySelector("[data-map-query]");
    var map = null;
    var marker = null;

    function place(point, zoom) {
      lat.value = point[0].toFixed(6);
      lng.value = point[1].toFixed(6);
      show(point, zoom);
    }

    function show(point, zoom) {
      if (!map) return;
      if (!point) {
        if (marker) map.removeLayer(marker);
        marker = null;
        return;
      }
      if (!marker) {
        marker = window.L.marker(point, { draggable: true, keyboard: true }).addTo(map);
        marker.on("dragend", function () {
          var p = marker.getLatLng();
          place([p.lat, p.lng]);
        });
      } else {
        marker.setLatLng(point);
      }
      map.setView(point, zoom || Math.max(map.getZoom(), POINT_ZOOM - 3));
    }

    if (window.L) {
      var start = readPoint(lat, lng);
      map = window.L.map(box.querySelector("[data-map-canvas]"), { scrollWheelZoom: false });
      if (box.dataset.tiles) {
        window.L.tileLayer(box.dataset.tiles, {
          maxZoom: 19,
          attribution: "&copy; OpenStreetMap contributors",
        }).addTo(map);
      }
      map.setView(start || DEFAULT_CENTER, start ? POINT_ZOOM : DEFAULT_ZOOM);
      if (start) show(start, POINT_ZOOM);
      map.on("click", function (event) {
        place([event.latlng.lat, event.latlng.lng]);
      });
      box._map = map;
    }

    [lat, lng].forEach(function (input) {
      input.addEventListener("change", function () {
        show(readPoint(lat, lng));
      });
    });

    box.querySelector("[data-map-clear]").addEventListener("click", function () {
      lat.value = "";
      lng.value = "";
      show(null);
    });

    function search() {
      var q = query.value.trim();
      if (!q) return;
      status.textContent = "…";
      results.replaceChildren();
      fetch(box.dataset.searchUrl + "?q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json();
        })
        .then(function (answer) {
          status.textContent = answer.geocoder ? "" : box.dataset.fallback;
          if (!answer.results.length) {
            status.textContent = (status.textContent + " " + box.dataset.noResults).trim();
          }
          answer.results.forEach(function (found) {
            var item = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button";
            button.className = "btn btn-small";
            button.textContent = found.label;
            button.addEventListener("click", function () {
              place([found.lat, found.lng], POINT_ZOOM);
              results.replaceChildren();
            });
            item.appendChild(button);
            results.appendChild(item);
          });
        })
        .catch(function () {
          status.textContent = box.dataset.noResults;
        });
    }

    box.querySelector("[data-map-search]").addEventListener("click", search);
    // Enter in the search box searches instead of saving the whole form.
    query.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        search();
      }
    });
  }

  function setupAll(root) {
    (root || document).querySelectorAll("[data-client-map]").forEach(setup);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupAll(document);
  });
  // The Details tab comes back through htmx after a save or from another tab.
  document.addEventListener("htmx:load", function (event) {
    setupAll(event.target);
  });
  // A map drawn while its tab was hidden has no size: redraw it when the tab shows.
  document.addEventListener("click", function (event) {
    if (!event.target.closest("a[data-panel='details']")) return;
    document.querySelectorAll("[data-client-map]").forEach(function (box) {
      if (box._map) {
        window.setTimeout(function () {
          box._map.invalidateSize();
        }, 0);
      }
    });
  });
})();
