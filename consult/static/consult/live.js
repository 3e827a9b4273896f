/* Live threads of a consultation section (progressive enhancement: the page works fully without it).
 *
 * Connects to ws(s)://<host>/ws/consultations/<id>/ and keeps the id of the last event seen (first from
 * #threads[data-last-event-id], then from the events). After every (re)connection it sends
 * {"type": "catch_up", "last_event_id": N}: the server replays what was missed from the database, in one
 * {"type": "synced", "events": [...]} message, so a network cut or a server restart loses nothing. Reconnection
 * backs off exponentially, with jitter.
 *
 * New contributions are never inserted on their own: they queue behind the button #live-new-button
 * ("3 nouvelles contributions — afficher"), announced politely through #live-announcer. Nothing here moves the
 * focus while the reader is busy, or touches #contribution-form or a field being typed in. Edits, hides,
 * withdrawals and vote counts update the contribution in place.
 */
(function () {
  "use strict";

  var threads = document.getElementById("threads");
  if (!threads || !window.WebSocket || !window.fetch) return;

  var T = {
    newOne: "1 nouvelle contribution — afficher",
    newMany: function (n) { return n + " nouvelles contributions — afficher"; },
    announceOne: "1 nouvelle contribution est disponible : bouton « afficher » au-dessus des fils de discussion.",
    announceMany: function (n) {
      return n + " nouvelles contributions sont disponibles : bouton « afficher » au-dessus des fils de discussion.";
    },
    inserted: function (n) { return n === 1 ? "1 contribution affichée." : n + " contributions affichées."; },
    readersOne: "1 personne lit cette consultation en ce moment",
    readersMany: function (n) { return n + " personnes lisent cette consultation en ce moment"; },
    hidden: "Contribution masquée par la modération",
    withdrawn: "Contribution retirée par son auteur·rice"
  };

  var consultationId = threads.getAttribute("data-consultation-id");
  var sectionAnchor = threads.getAttribute("data-section-anchor");
  var fragmentUrl = threads.getAttribute("data-fragment-url") || "/participation/contribution/0/fragment/";
  var sort = threads.getAttribute("data-sort") || "";
  var lastEventId = parseInt(threads.getAttribute("data-last-event-id"), 10) || 0;
  var button = document.getElementById("live-new-button");
  var announcer = document.getElementById("live-announcer");
  var params = new URLSearchParams(window.location.search);
  var stanceFilter = params.get("position") || "";
  var current = document.querySelector(".fr-pagination__link[aria-current='page']");
  var pageNumber = current ? parseInt(current.textContent, 10) || 1 : 1;

  var seen = new Set();
  // Event ids are allocated before commit, so a smaller id can commit after a larger one was seen: every
  // catch-up starts a little before the last id seen, and `seen` drops what was already applied.
  var CATCH_UP_OVERLAP = 50;
  // A broadcast can still be lost while the socket stays open (the server's layer connection broke and came
  // back between two of our reads): a cheap catch-up about every minute bounds how long such a gap can last.
  // Each interval is drawn between 45 and 75 s, so the pages opened together (or reconnected together after a
  // server restart) do not all ask in the same second forever after.
  var PERIODIC_CATCH_UP_MS = 60000;
  var PERIODIC_JITTER_MS = 15000;
  var periodicTimer = null;
  var queue = []; // [{id, parent_id}] new contributions waiting behind the button
  var socket = null;
  var attempts = 0;
  var stopped = false;
  var announceTimer = null;
  var presence = null;

  // --- connection ------------------------------------------------------------------------------------
  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + "/ws/consultations/" + consultationId + "/";
  }

  function connect() {
    if (stopped) return;
    try {
      socket = new WebSocket(socketUrl());
    } catch (e) {
      return scheduleReconnect();
    }
    socket.addEventListener("open", function () {
      catchUp();
      schedulePeriodicCatchUp();
    });
    socket.addEventListener("message", function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      receive(data);
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      window.clearTimeout(periodicTimer);
      if (event.code === 4404) { stopped = true; return; } // consultation gone: nothing to follow
      // 4429: too many messages; 1013: the server is overloaded ("try again later"): come back later.
      scheduleReconnect(event.code === 4429 ? 5 : event.code === 1013 ? 2 : 0);
    });
  }

  function scheduleReconnect(extraAttempts) {
    if (stopped) return;
    attempts += 1 + (extraAttempts || 0);
    var ceiling = Math.min(30000, 1000 * Math.pow(2, Math.min(attempts, 10)));
    var delay = ceiling / 2 + Math.random() * ceiling / 2; // jitter: clients do not all come back at once
    window.setTimeout(connect, delay);
  }

  function schedulePeriodicCatchUp() {
    window.clearTimeout(periodicTimer);
    var delay = PERIODIC_CATCH_UP_MS - PERIODIC_JITTER_MS + Math.random() * 2 * PERIODIC_JITTER_MS;
    periodicTimer = window.setTimeout(function () {
      catchUp();
      schedulePeriodicCatchUp();
    }, delay);
  }

  function catchUp() {
    send({ type: "catch_up", last_event_id: Math.max(0, lastEventId - CATCH_UP_OVERLAP) });
  }

  function send(data) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(data));
  }

  // Coming back to a sleeping tab or a network: reconnect now rather than at the end of the back-off.
  window.addEventListener("online", function () { if (!socket) { attempts = 0; connect(); } });

  // --- messages --------------------------------------------------------------------------------------
  function receive(data) {
    if (data.type === "event") return handleEvent(data);
    if (data.type === "synced") {
      attempts = 0;
      (data.events || []).forEach(handleEvent);
      if (data.last_event_id > lastEventId) lastEventId = data.last_event_id;
      // The next page starts where this one ended, not at lastEventId: live events that arrived while the
      // catch-up was answered can be far ahead of it, and starting there would skip the rest of the backlog.
      if (data.has_more) send({ type: "catch_up", last_event_id: data.last_event_id });
      return;
    }
    if (data.type === "presence") return showPresence(data.count);
  }

  function handleEvent(event) {
    if (typeof event.id !== "number" || seen.has(event.id)) return;
    seen.add(event.id);
    if (event.id > lastEventId) lastEventId = event.id;
    var article = event.contribution_id ? document.getElementById("contribution-" + event.contribution_id) : null;

    if (event.kind === "contribution.votes") {
      if (article) updateVotes(article, event);
      return;
    }
    if (event.kind === "contribution.created" || event.kind === "contribution.published") {
      if (article) return event.kind === "contribution.published" ? refresh(article, event) : undefined;
      if (belongsHere(event)) enqueue(event);
      return;
    }
    // edited, hidden, withdrawn
    if (article) refresh(article, event);
    else if (event.status !== "published") dropFromQueue(event.contribution_id);
  }

  /* Would this contribution appear on the page as it is shown (section, filter, page, sort)? */
  function belongsHere(event) {
    if (event.section !== sectionAnchor) return false;
    if (event.status !== "published" && event.status !== "pending") return false;
    if (event.parent_id) return !!document.getElementById("contribution-" + event.parent_id);
    if (stanceFilter && event.stance && event.stance !== stanceFilter) return false;
    if (newestFirst()) return pageNumber === 1;
    return !document.querySelector(".fr-pagination__link--next[href]"); // other sorts: new ones come last
  }

  function newestFirst() {
    return sort === "" || sort === "recentes"; // the page's default sort (consult/threads.py)
  }

  // --- the queue behind the button -------------------------------------------------------------------
  function enqueue(event) {
    if (queue.some(function (item) { return item.id === event.contribution_id; })) return;
    queue.push({ id: event.contribution_id, parent_id: event.parent_id });
    updateButton(true);
  }

  function dropFromQueue(id) {
    queue = queue.filter(function (item) { return item.id !== id; });
    updateButton(false);
  }

  function prune() {
    // Posted from this page (section.js inserts it itself) or already shown: not "new" any more.
    queue = queue.filter(function (item) { return !document.getElementById("contribution-" + item.id); });
  }

  function updateButton(announce) {
    if (!button) return;
    prune();
    var n = queue.length;
    if (n === 0) {
      button.hidden = true;
      return;
    }
    button.textContent = n === 1 ? T.newOne : T.newMany(n);
    button.hidden = false;
    if (announce && announcer) {
      // One polite announcement for a burst of arrivals, not one per contribution.
      window.clearTimeout(announceTimer);
      announceTimer = window.setTimeout(function () {
        prune();
        if (queue.length) announcer.textContent = queue.length === 1 ? T.announceOne : T.announceMany(queue.length);
      }, 1200);
    }
  }

  if (button) {
    button.addEventListener("click", function () {
      var items = queue.slice();
      queue = [];
      window.clearTimeout(announceTimer);
      Promise.all(items.map(function (item) { return fetchFragment(item.id); })).then(function (nodes) {
        var first = null;
        var count = 0;
        nodes.forEach(function (node, i) {
          if (!node || document.getElementById(node.id)) return;
          insert(node, items[i]);
          count += 1;
          first = first || node;
        });
        button.hidden = true;
        if (announcer && count) announcer.textContent = T.inserted(count);
        // The reader asked for them and the button is gone: take the focus to the first one shown.
        if (first && document.activeElement === button) {
          first.setAttribute("tabindex", "-1");
          first.focus();
        }
      });
    });
  }

  function insert(node, item) {
    var empty = document.getElementById("threads-empty");
    if (empty) empty.remove();
    if (item.parent_id) {
      var replies = document.querySelector('[data-replies-for="' + item.parent_id + '"]');
      if (replies) return replies.appendChild(node);
    }
    if (newestFirst()) {
      // Newest first: each goes on top, so the last one inserted (the newest) ends up first.
      threads.insertBefore(node, threads.firstChild);
    } else {
      threads.appendChild(node);
    }
  }

  // --- in-place updates ------------------------------------------------------------------------------
  function fetchFragment(id) {
    var at = fragmentUrl.lastIndexOf("/0/"); // the URL is reversed with 0 in place of the id
    var url = fragmentUrl.slice(0, at) + "/" + id + "/" + fragmentUrl.slice(at + 3);
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return null;
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        var node = template.content.querySelector("article[id^='contribution-']");
        return node || null;
      })
      .catch(function () { return null; });
  }

  function ownChildren(article) {
    return Array.prototype.filter.call(article.children, function (child) {
      return !child.classList.contains("agora-replies");
    });
  }

  /* Replace the article's own content (not its replies) with a fresh rendering. */
  function refresh(article, event) {
    fetchFragment(event.contribution_id).then(function (fresh) {
      if (!fresh) return tombstone(article, event);
      var active = document.activeElement;
      var keep = null;
      ownChildren(article).forEach(function (child) {
        if (active && child.contains(active) && child !== article) keep = child;
      });
      var freshChildren = ownChildren(fresh);
      var replies = article.querySelector(":scope > .agora-replies");
      ownChildren(article).forEach(function (child) {
        if (child !== keep) child.remove();
      });
      freshChildren.forEach(function (child) {
        // The part holding the focus (e.g. a vote button) stays as it is when the new rendering has one too.
        if (keep && child.className === keep.className) return;
        article.insertBefore(child, replies || keep || null);
      });
      if (keep && !freshChildren.some(function (c) { return c.className === keep.className; })) keep.remove();
      article.className = fresh.className;
      article.setAttribute("data-status", fresh.getAttribute("data-status") || event.status || "");
    });
  }

  /* Without a fragment (e.g. no longer visible to this reader): a tombstone built from the event. */
  function tombstone(article, event) {
    if (event.status !== "hidden" && event.status !== "withdrawn") return;
    var text = event.status === "hidden"
      ? T.hidden + (event.hidden_reason ? " : " + event.hidden_reason : "")
      : T.withdrawn;
    var p = document.createElement("p");
    p.className = "agora-tombstone";
    var em = document.createElement("em");
    em.textContent = text;
    p.appendChild(em);
    var header = article.querySelector(":scope > header");
    ownChildren(article).forEach(function (child) {
      if (child !== header && !child.contains(document.activeElement)) child.remove();
    });
    article.insertBefore(p, header ? header.nextSibling : article.firstChild);
    article.classList.add("agora-contribution--tombstone");
    article.setAttribute("data-status", event.status);
  }

  function updateVotes(article, event) {
    var actions = article.querySelector(":scope > .agora-contribution__actions");
    if (!actions) return;
    actions.querySelectorAll("[data-votes-up]").forEach(function (n) { n.textContent = event.votes_up; });
    actions.querySelectorAll("[data-votes-down]").forEach(function (n) { n.textContent = event.votes_down; });
  }

  // --- presence --------------------------------------------------------------------------------------
  function showPresence(count) {
    if (typeof count !== "number") return;
    if (!presence) {
      presence = document.createElement("p");
      presence.id = "live-presence";
      presence.className = "fr-text--xs fr-mb-1w agora-live-presence";
      var anchor = announcer || button || threads;
      anchor.parentNode.insertBefore(presence, anchor);
    }
    presence.hidden = count < 1;
    presence.textContent = count === 1 ? T.readersOne : T.readersMany(count);
  }

  connect();
})();
