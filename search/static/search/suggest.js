/* Header search box: accessible autocomplete (ARIA 1.2 combobox with a listbox popup).
 *
 * Markup (templates/includes/search_box.html): input#header-search-input[role=combobox][aria-controls]
 * [data-suggest-url] and an empty ul#header-search-suggestions[role=listbox][hidden].
 * Keys: ArrowDown/ArrowUp move through suggestions (aria-activedescendant), Enter opens the active one (or
 * submits the search when none is active), Escape closes the list (a second Escape clears the box), Tab
 * closes and moves on. Without JavaScript the form still submits to /rechercher/.
 */
(function () {
  "use strict";
  var input = document.getElementById("header-search-input");
  if (!input || !input.dataset.suggestUrl || input.dataset.suggestReady) { return; }
  input.dataset.suggestReady = "1";  // loaded once even if both the base template and a page include it
  var list = document.getElementById(input.getAttribute("aria-controls"));
  if (!list) { return; }

  // Styles for the popup, next to this script (no change needed in the base template's <head>).
  var me = document.currentScript;
  if (me && me.src) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = me.src.replace(/suggest\.js(\?.*)?$/, "suggest.css");
    document.head.appendChild(link);
  }

  var status = document.createElement("div");
  status.className = "fr-sr-only";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  status.id = "header-search-status";
  list.parentNode.insertBefore(status, list.nextSibling);

  var items = [];
  var active = -1;
  var timer = null;
  var lastQuery = "";
  var controller = null;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function open() {
    if (!items.length) { return; }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function setActive(index) {
    var options = list.querySelectorAll("[role=option]");
    options.forEach(function (el, i) { el.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (index >= 0 && options[index]) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function render(results) {
    items = results;
    list.textContent = "";
    results.forEach(function (item, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "header-search-option-" + i;
      li.setAttribute("aria-selected", "false");
      li.dataset.url = item.url;
      var title = document.createElement("span");
      title.textContent = item.title;
      var type = document.createElement("span");
      type.className = "agora-suggestions__type";
      type.textContent = item.type_label;
      li.appendChild(title);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(type);
      li.addEventListener("mousedown", function (event) { event.preventDefault(); });
      li.addEventListener("click", function () { window.location.assign(item.url); });
      list.appendChild(li);
    });
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (results.length) {
      open();
      status.textContent = results.length === 1 ? "1 suggestion disponible, flèches haut et bas pour parcourir."
        : results.length + " suggestions disponibles, flèches haut et bas pour parcourir.";
    } else {
      close();
      status.textContent = lastQuery.length >= 2 ? "Aucune suggestion." : "";
    }
  }

  function fetchSuggestions() {
    var q = input.value.trim();
    if (q === lastQuery) { open(); return; }
    lastQuery = q;
    if (q.length < 2) { render([]); return; }
    if (controller) { controller.abort(); }
    controller = typeof AbortController === "function" ? new AbortController() : null;
    var url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(q);
    fetch(url, { headers: { Accept: "application/json" }, signal: controller ? controller.signal : undefined })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (data.query === undefined || data.query === q) { render(data.results || []); } })
      .catch(function () { /* aborted or offline: keep the plain form */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 150);
  });

  input.addEventListener("keydown", function (event) {
    var count = items.length;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (list.hidden) { open(); if (event.altKey) { return; } }
        if (count) { setActive(active + 1 >= count ? 0 : active + 1); }
        break;
      case "ArrowUp":
        event.preventDefault();
        if (list.hidden) { open(); }
        if (count) { setActive(active <= 0 ? count - 1 : active - 1); }
        break;
      case "Enter":
        if (!list.hidden && active >= 0 && items[active]) {
          event.preventDefault();
          window.location.assign(items[active].url);
        }
        break;
      case "Escape":
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          lastQuery = "";
          render([]);
        }
        break;
      case "Tab":
        close();
        break;
      default:
        break;
    }
  });

  input.addEventListener("blur", function () { setTimeout(close, 150); });
  input.addEventListener("focus", function () { if (items.length && input.value.trim() === lastQuery) { open(); } });
})();
