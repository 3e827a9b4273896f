// Living labs directory: the map and the accessible list follow the same filters without reloading.
// Without JavaScript the filter form is a plain GET form and the list is paginated server-side.
(function () {
  "use strict";
  var mapEl = document.getElementById("lab-map");
  var form = document.getElementById("lab-filters");
  var list = document.getElementById("lab-list");
  if (!mapEl || !form || !list) return;

  var map = null, cluster = null;
  if (window.L) {
    map = L.map(mapEl, { scrollWheelZoom: false }).setView([46.6, 2.4], 5);
    L.tileLayer(mapEl.dataset.tiles, { attribution: mapEl.dataset.attribution, maxZoom: 18 }).addTo(map);
    cluster = L.markerClusterGroup ? L.markerClusterGroup() : L.layerGroup();
    map.addLayer(cluster);
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function queryFromForm() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "" && key !== "page") params.append(key, value);
    });
    return params.toString();
  }

  function loadMap(query, fit) {
    if (!map) return Promise.resolve();
    return fetch(mapEl.dataset.jsonUrl + (query ? "?" + query : ""), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        cluster.clearLayers();
        var markers = data.features.map(function (f) {
          var c = f.geometry.coordinates, p = f.properties;
          var marker = L.marker([c[1], c[0]], { title: p.nom, alt: p.nom });
          marker.bindPopup('<div class="agora-lab-popup"><a href="' + escapeHtml(p.url) + '">' + escapeHtml(p.nom) +
            "</a><br>" + escapeHtml(p.commune) + (p.statut === "en_sommeil" ? " — en sommeil" : "") + "</div>");
          return marker;
        });
        if (cluster.addLayers) cluster.addLayers(markers); else markers.forEach(function (m) { cluster.addLayer(m); });
        mapEl.dataset.count = String(markers.length);
        if (fit && markers.length) {
          map.fitBounds(L.featureGroup(markers).getBounds().pad(0.2), { maxZoom: 11 });
        }
      });
  }

  function loadList(query) {
    return fetch(mapEl.dataset.listUrl + (query ? "?" + query : ""), { headers: { Accept: "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (html) { list.innerHTML = html; });
  }

  function updateExports(query) {
    document.querySelectorAll("#lab-exports a[data-base]").forEach(function (a) {
      a.href = a.dataset.base + (query ? "?" + query : "");
    });
  }

  function apply(extraPage) {
    var query = queryFromForm();
    var listQuery = query + (extraPage ? (query ? "&" : "") + "page=" + extraPage : "");
    history.replaceState(null, "", form.getAttribute("action") + (listQuery ? "?" + listQuery : ""));
    updateExports(query);
    list.setAttribute("aria-busy", "true");
    return Promise.all([loadMap(query, true), loadList(listQuery)]).then(function () {
      list.removeAttribute("aria-busy");
      // Announce the new count once (the list itself is not a live region: it would be read in full).
      var title = document.getElementById("lab-list-title");
      var status = document.getElementById("lab-status");
      if (title && status) status.textContent = title.textContent.trim();
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT") apply();
  });
  document.getElementById("lab-filters-reset").addEventListener("click", function (event) {
    event.preventDefault();
    form.reset();
    form.querySelectorAll("select, input[type=text], input[type=search]").forEach(function (el) { el.value = ""; });
    apply();
  });
  list.addEventListener("click", function (event) {
    var link = event.target.closest(".fr-pagination a[href]");
    if (!link) return;
    event.preventDefault();
    var page = new URL(link.href, location.href).searchParams.get("page");
    apply(page).then(function () {
      var title = document.getElementById("lab-list-title");
      if (title) { title.setAttribute("tabindex", "-1"); title.focus(); }
    });
  });

  loadMap(mapEl.dataset.query, !!mapEl.dataset.query);
})();
