// A draft saved as the person types, for any form that names where to save it (data-draft-url): Raise a Concern
// and the two forms about adults. Files are never sent with a draft. If the session has ended the text stays on
// the page, and sending it leads through sign-in back to the form with everything kept.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-url]");
  if (!form) { return; }
  var status = document.getElementById("draft-status");
  var draftTimer = null;
  var dirty = false;

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(text) {
    if (status) { status.textContent = text; }
  }

  function saveDraft() {
    if (!dirty) { return; }
    dirty = false;
    var data = new FormData(form);
    form.querySelectorAll("input[type=file]").forEach(function (input) { data.delete(input.name); });
    fetch(form.dataset.draftUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      if (response.ok) {
        return response.json().then(function (body) { if (body.saved) { say("Draft saved at " + body.at + "."); } });
      }
      say("You may have been signed out. What you typed is still here: press Send and sign in again to keep it.");
      return null;
    }).catch(function () {
      say("Could not save a draft just now. What you typed is still on this page.");
    });
  }

  function scheduleDraft() {
    dirty = true;
    clearTimeout(draftTimer);
    draftTimer = setTimeout(saveDraft, 1500);
  }

  form.addEventListener("input", function (event) {
    if (!event.target.classList.contains("pupil-search-input") && event.target.type !== "file") { scheduleDraft(); }
  });
  form.addEventListener("change", function (event) {
    if (event.target.type !== "file") { scheduleDraft(); }
  });
  form.addEventListener("submit", function () { clearTimeout(draftTimer); });
})();
