// Filters the contacts directory as the person types; the same filter works without JavaScript (the form submits).
(function () {
  "use strict";
  var input = document.getElementById("contact-filter");
  if (!input) { return; }
  var cards = Array.prototype.slice.call(document.querySelectorAll(input.dataset.filterTarget));
  var groups = Array.prototype.slice.call(document.querySelectorAll(".contact-group"));
  var counter = document.getElementById("contact-filter-count");

  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    cards.forEach(function (card) {
      var text = (card.dataset.search || "").toLowerCase();
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      card.classList.toggle("is-hidden", !match);
      if (match) { shown += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = group.querySelectorAll(".contact-card:not(.is-hidden)").length === 0;
    });
    counter.textContent = words.length ? shown + (shown === 1 ? " contact matches." : " contacts match.") : "";
  }

  input.addEventListener("input", apply);
})();
