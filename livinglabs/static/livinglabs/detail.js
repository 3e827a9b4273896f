// Small map on a living lab page (decorative: the address is written next to it).
(function () {
  "use strict";
  var el = document.getElementById("lab-detail-map");
  if (!el || !window.L) return;
  var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
  var map = L.map(el, { scrollWheelZoom: false, keyboard: false }).setView([lat, lon], 12);
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);
  L.marker([lat, lon], { keyboard: false }).addTo(map);
})();
