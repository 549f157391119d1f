// The Raise a Concern form: pupil type-ahead, warnings as the person types and extra rows (draft.js saves the
// draft as they go). Everything here is a help: the server checks every rule again, and the form works without it.
(function () {
  "use strict";
  var form = document.getElementById("raise-form");
  if (!form) { return; }

  function show(element, visible) {
    if (element) { element.classList.toggle("d-none", !visible); }
  }

  // --- Extra rows for quotes and other children.
  form.querySelectorAll(".formset-add").forEach(function (button) {
    button.addEventListener("click", function () {
      var prefix = button.dataset.prefix;
      var total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
      var template = form.querySelector("template.formset-template[data-prefix=" + prefix + "]");
      var rows = form.querySelector(".formset-rows[data-prefix=" + prefix + "]");
      var index = parseInt(total.value, 10);
      var max = parseInt(form.querySelector("#id_" + prefix + "-MAX_NUM_FORMS").value, 10);
      if (index >= max) { return; }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var firstField = rows.lastElementChild.querySelector("input:not([type=hidden]), textarea, select");
      if (firstField) { firstField.focus(); }
    });
  });

  // --- Warnings and guidance that follow the answers.
  // R8: the server's own pattern (concerns/forms/checks.py INITIALS), so the warning and the check never disagree.
  var initials = new RegExp(form.dataset.initialsPattern || "(?!)");
  var immediateCodes = (form.querySelector(".category-picker").dataset.immediateCodes || "").split(" ");

  function checkedCategories() {
    return Array.prototype.map.call(form.querySelectorAll("input[name=categories]:checked"), function (box) {
      return box.value;
    });
  }

  function isLate() {
    var day = form.querySelector("[name=happened_on]").value;
    var time = form.querySelector("[name=happened_time]").value;
    if (!day) { return false; }
    var now = new Date();
    var today = now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" + String(now.getDate()).padStart(2, "0");
    if (day < today) { return true; }
    var hhmm = String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
    return day === today && hhmm > form.dataset.dayEndsAt && Boolean(time);
  }

  function refresh() {
    var source = form.querySelector("input[name=source_type]:checked");
    show(document.getElementById("second-hand-fields"), source && source.value === "second_hand");
    var chosen = checkedCategories();
    show(document.getElementById("other-category-field"), chosen.indexOf("other") !== -1);
    show(document.getElementById("nudes-warning"), chosen.indexOf("nudes") !== -1);
    var immediate = form.querySelector("[name=is_immediate]").checked;
    show(document.getElementById("immediate-guidance"), immediate);
    var suggests = chosen.some(function (code) { return immediateCodes.indexOf(code) !== -1; });
    show(document.getElementById("immediate-suggestion"), suggests && !immediate);
    show(document.getElementById("adult-guidance"), form.querySelector("[name=involves_adult]").checked);
    show(document.getElementById("late-warning"), isLate());
    var names = form.querySelectorAll("textarea, input[type=text]");
    var found = Array.prototype.some.call(names, function (field) { return initials.test(field.value); });
    show(document.getElementById("initials-warning"), found);
  }

  form.addEventListener("change", refresh);
  form.addEventListener("input", function (event) {
    if (event.target.matches("textarea, input[type=text]")) { refresh(); }
  });
  refresh();

  // --- One click sends once (the server also refuses a second concern from the same form).
  form.addEventListener("submit", function () {
    var button = document.getElementById("send-button");
    if (button) {
      setTimeout(function () { button.disabled = true; button.textContent = "Sending…"; }, 0);
    }
  });
})();
