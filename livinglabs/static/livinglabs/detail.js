// Small map on a living lab page (decorative: the address is written next to it).
(function () {
  "use strict";
  var el = document.getElementById("lab-detail-map");
  if (!el || !window.L) return;
  var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
  // Static map: no controls, no focusable element (the container is aria-hidden; attribution is in the page).
  var map = L.map(el, {
    zoomControl: false, attributionControl: false, keyboard: false, dragging: false, touchZoom: false,
    scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false
  }).setView([lat, lon], 12);
  L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map);
  L.marker([lat, lon], { keyboard: false, interactive: false }).addTo(map);
})();
