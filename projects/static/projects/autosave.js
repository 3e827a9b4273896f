// Autosave of an application step: posts the form fields every few seconds when they changed.
// Idempotent on the server (the same payload changes nothing). Without JavaScript the
// "Enregistrer" buttons save the draft all the same.
(function () {
  "use strict";
  var form = document.getElementById("step-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-autosave-url");
  var interval = parseInt(form.getAttribute("data-autosave-interval"), 10) || 5000;
  var status = document.getElementById("autosave-status");
  var last = serialize();
  var busy = false;

  function serialize() {
    return new URLSearchParams(new FormData(form)).toString();
  }

  function say(text) {
    if (status) { status.textContent = text; }
  }

  function save() {
    var payload = serialize();
    if (busy || payload === last) { return; }
    busy = true;
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (data) {
        if (response.ok && data.saved) {
          last = payload;
          say("Brouillon enregistré automatiquement à " + data.at + ".");
        } else {
          say(data.error || "Enregistrement automatique impossible pour le moment.");
        }
      });
    }).catch(function () {
      say("Enregistrement automatique impossible (connexion interrompue). Votre saisie reste dans la page.");
    }).then(function () { busy = false; });
  }

  window.setInterval(save, interval);
  // Closing or leaving the tab: sendBeacon survives the page unload (fetch may be cancelled).
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "hidden") { return; }
    var payload = serialize();
    if (payload === last) { return; }
    if (navigator.sendBeacon && navigator.sendBeacon(url, new FormData(form))) {
      last = payload;
    } else {
      save();
    }
  });

  // Budget step: live total of the expense lines (the server recomputes it anyway).
  var total = document.querySelector("[data-total=expenses]");
  if (total) {
    var update = function () {
      var sum = 0;
      form.querySelectorAll("[data-budget-line]").forEach(function (input) {
        var value = parseFloat((input.value || "").replace(",", "."));
        if (!isNaN(value)) { sum += value; }
      });
      total.textContent = sum.toFixed(2);
    };
    form.addEventListener("input", update);
  }
})();
