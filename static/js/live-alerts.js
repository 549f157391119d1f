// In-app alerts without a reload (R19; issue 18, item 9). On every page of someone who watches the alert queue,
// asks the server every 4 seconds how many concerns wait for acknowledgement (concerns/live.py), and:
// - shows the number on the menu's Alert queue badge;
// - says in a polite live region when it goes up ("1 new concern waiting"), never on an unchanged answer;
// - on the queue page, refreshes the live part (htmx's "queue-changed" trigger) only when the queue's token differs
//   from the one the live part was drawn with, so the filters, the page and the person's place stay.
// A hidden tab does not ask; it asks as soon as it is shown again. Signed out (401), no longer allowed (403, 404)
// or sent to another page: it stops quietly. Any other failure: it waits 30 seconds before asking again.
(function () {
  "use strict";
  var badge = document.querySelector("[data-live-badge]");
  if (!badge || !badge.dataset.pollUrl || !window.fetch) { return; }
  var POLL_MS = 4000;
  var RETRY_MS = 30000;
  var url = badge.dataset.pollUrl;
  var announcer = document.getElementById("live-alerts-announcer");
  var count = badge.firstChild;  // the number; the visually hidden " waiting" follows it
  var known = parseInt(count.nodeValue, 10) || 0;
  var asking = false;
  var stopped = false;
  var resumeAt = 0;

  function announce(text) {
    if (!announcer) { return; }
    // A new node each time, so a screen reader reads the same words again if they come again.
    var line = document.createElement("p");
    line.textContent = text;
    announcer.textContent = "";
    announcer.appendChild(line);
  }

  function show(waiting) {
    count.nodeValue = String(waiting);
    badge.hidden = waiting === 0;
    if (waiting > known) {
      var added = waiting - known;
      announce(added + (added === 1 ? " new concern waiting" : " new concerns waiting"));
    }
    known = waiting;
  }

  function refreshQueue(token) {
    var live = document.getElementById("queue-live");
    if (live && token && live.dataset.liveToken !== token) {
      live.dispatchEvent(new CustomEvent("queue-changed"));
    }
  }

  // A steady beat, so a concern is on screen within 4 seconds and the answer's own time. A beat is skipped while
  // the last question is unanswered, while the tab is hidden, or for a while after a failure.
  function ask() {
    if (stopped || asking || Date.now() < resumeAt || document.visibilityState === "hidden") { return; }
    asking = true;
    window.fetch(url, {
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.ok) {
        return response.json().then(function (answer) {
          if (typeof answer.waiting === "number") {
            show(answer.waiting);
            refreshQueue(answer.token);
          }
        });
      }
      if (response.type === "opaqueredirect" || [401, 403, 404].indexOf(response.status) !== -1) {
        stopped = true;
        window.clearInterval(beat);
        return null;
      }
      resumeAt = Date.now() + RETRY_MS;
      return null;
    }).catch(function () {
      resumeAt = Date.now() + RETRY_MS;
    }).then(function () {
      asking = false;
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { ask(); }  // a tab shown again asks at once
  });
  var beat = window.setInterval(ask, POLL_MS);
})();
