// The pupil type-ahead (R1): at least two letters; results are buttons, reachable with Tab or the Down key, and
// Enter chooses. Works for every picker on the page, including rows added later.
(function () {
  "use strict";

  function show(element, visible) {
    if (element) { element.classList.toggle("d-none", !visible); }
  }

  // --- Pupil type-ahead (R1): at least two letters; results are buttons, reachable with Tab or the Down key.
  var searchTimer = null;
  function pickerOf(element) { return element.closest(".pupil-picker"); }

  function search(input) {
    var picker = pickerOf(input);
    var results = picker.querySelector(".pupil-results");
    var query = input.value.trim();
    if (query.replace(/\s/g, "").length < 2) { results.innerHTML = ""; return; }
    var body = new FormData();
    body.append("q", query);
    var school = document.querySelector("input[name=school]");
    if (school) { body.append("school", school.value); }
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(picker.dataset.searchUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",  // signed out: the redirect to sign-in is a failure, not a page of results
      headers: { "X-Requested-With": "fetch", "X-CSRFToken": token ? token.value : "" }
    })
      .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.text(); })
      .then(function (html) { if (input.value.trim() === query) { results.innerHTML = html; } })
      .catch(function () {
        if (input.value.trim() === query) {
          results.innerHTML = '<p class="small text-danger mb-0" role="alert">Could not search just now. ' +
            "Type again in a moment; if you have been signed out, sign in again.</p>";
        }
      });
  }

  function choose(button) {
    var picker = pickerOf(button);
    var hidden = picker.querySelector("input[type=hidden]");
    hidden.value = button.dataset.pupilId;
    picker.querySelector(".pupil-chosen-label").textContent = button.dataset.label;
    show(picker.querySelector(".pupil-chosen"), true);
    var input = picker.querySelector(".pupil-search-input");
    show(input, false);
    input.value = "";
    picker.querySelector(".pupil-results").innerHTML = "";
    picker.querySelector(".pupil-change").focus();
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("input", function (event) {
    if (event.target.classList.contains("pupil-search-input")) {
      clearTimeout(searchTimer);
      var input = event.target;
      searchTimer = setTimeout(function () { search(input); }, 200);
    }
  });

  document.addEventListener("click", function (event) {
    var result = event.target.closest(".pupil-result");
    if (result) { choose(result); return; }
    var change = event.target.closest(".pupil-change");
    if (change) {
      var picker = pickerOf(change);
      var cleared = picker.querySelector("input[type=hidden]");
      cleared.value = "";
      cleared.dispatchEvent(new Event("change", { bubbles: true }));
      show(picker.querySelector(".pupil-chosen"), false);
      var input = picker.querySelector(".pupil-search-input");
      show(input, true);
      input.focus();
    }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target.classList.contains("pupil-search-input")) {
      if (event.key === "ArrowDown") {
        var first = pickerOf(target).querySelector(".pupil-result");
        if (first) { event.preventDefault(); first.focus(); }
      } else if (event.key === "Enter") {
        event.preventDefault();  // Enter in the search box never sends the form
        var only = pickerOf(target).querySelectorAll(".pupil-result");
        if (only.length === 1) { choose(only[0]); }
      }
    } else if (target.classList.contains("pupil-result")) {
      if (event.key === "ArrowDown" && target.nextElementSibling) { event.preventDefault(); target.nextElementSibling.focus(); }
      if (event.key === "ArrowUp") {
        event.preventDefault();
        (target.previousElementSibling || pickerOf(target).querySelector(".pupil-search-input")).focus();
      }
    }
  });

})();
