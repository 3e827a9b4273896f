// Section page enhancements: post and vote without reloading. Without this file everything works with
// plain forms (POST → redirect). Nothing here moves focus away from what the person is typing.
(function () {
  "use strict";

  function postForm(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" },
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, message: response.status === 429
          ? "Trop de demandes en peu de temps. Merci de patienter une minute avant de réessayer."
          : "Erreur inattendue : votre texte est conservé, réessayez." };
      });
    });
  }

  function showFieldErrors(form, errors) {
    form.querySelectorAll(".agora-js-error").forEach(function (el) { el.remove(); });
    Object.keys(errors || {}).forEach(function (name) {
      var field = form.querySelector("[name='" + name + "']");
      if (!field) return;
      var p = document.createElement("p");
      p.className = "fr-error-text agora-js-error";
      p.id = "error-" + name;
      p.textContent = errors[name].map(function (e) { return e.message; }).join(" ");
      var group = field.closest(".fr-input-group, .fr-fieldset, .fr-checkbox-group, .fr-select-group") || field.parentNode;
      group.appendChild(p);
      field.setAttribute("aria-describedby", p.id);
    });
  }

  var form = document.getElementById("contribution-form");
  if (form && form.closest("#threads") === null) {
    var status = document.getElementById("contribution-form-status");
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !status) return;  // plain POST
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      status.textContent = "Envoi en cours…";
      postForm(form).then(function (result) {
        button.disabled = false;
        if (!result.ok) {
          status.className = "fr-error-text fr-mt-2w";
          status.textContent = result.message || "Votre contribution n'a pas été acceptée.";
          showFieldErrors(form, result.errors);
          return;  // what was typed stays in the form
        }
        showFieldErrors(form, {});
        status.className = "fr-valid-text fr-mt-2w";
        status.textContent = result.message;
        form.reset();
        // A fresh key and timestamp for the next contribution (this one is done).
        form.querySelector("[name=idempotency_key]").value = result.next_form.idempotency_key;
        form.querySelector("[name=rendered_at]").value = result.next_form.rendered_at;
        insert(result.contribution, result.html);
      }).catch(function () {
        button.disabled = false;
        status.className = "fr-error-text fr-mt-2w";
        status.textContent = "Connexion interrompue : votre texte est conservé. Renvoyez-le, il ne sera pas publié deux fois.";
      });
    });
  }

  function insert(contribution, html) {
    if (!contribution || document.getElementById("contribution-" + contribution.id)) return;
    var threads = document.getElementById("threads");
    if (!threads) return;
    var empty = document.getElementById("threads-empty");
    if (empty) empty.remove();
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var node = holder.firstElementChild;
    var parent = contribution.parent_id && document.querySelector("[data-replies-for='" + contribution.parent_id + "']");
    if (parent) parent.appendChild(node); else threads.insertBefore(node, threads.firstChild);
    bindVotes(node);
  }

  function bindVotes(root) {
    root.querySelectorAll("form[data-vote-form]").forEach(function (voteForm) {
      if (voteForm.dataset.bound) return;
      voteForm.dataset.bound = "1";
      voteForm.addEventListener("submit", function (event) {
        if (!window.fetch) return;
        event.preventDefault();
        var submitter = event.submitter;
        postForm(voteForm, submitter).then(function (result) {
          if (!result.ok) { window.alert(result.message); return; }
          var article = voteForm.closest("article");
          article.querySelector("[data-votes-up]").textContent = result.votes_up;
          article.querySelector("[data-votes-down]").textContent = result.votes_down;
          var buttons = voteForm.querySelectorAll("button[name=value]");
          var up = buttons[0], down = buttons[1];
          up.setAttribute("aria-pressed", result.value === 1 ? "true" : "false");
          down.setAttribute("aria-pressed", result.value === -1 ? "true" : "false");
          up.value = result.value === 1 ? "0" : "1";
          down.value = result.value === -1 ? "0" : "-1";
        });
      });
    });
  }

  bindVotes(document);
  // The live client (live.js) may insert contributions too: bind their vote forms as they arrive.
  var threadsNode = document.getElementById("threads");
  if (threadsNode && window.MutationObserver) {
    new MutationObserver(function () { bindVotes(threadsNode); }).observe(threadsNode, { childList: true, subtree: true });
  }
})();
