// Formula Jury: progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Forms that ask before a destructive action: <form data-confirm="…">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // Live character counters: <textarea data-limit="…" data-count="id-of-counter"> (maxlength too).
  function updateCount(input) {
    var counter = document.getElementById(input.getAttribute("data-count"));
    if (!counter) { return; }
    var limit = parseInt(input.getAttribute("data-limit") || input.getAttribute("maxlength"), 10);
    var used = input.value.length;
    var over = used > limit;
    // Nothing is cut: past the limit the counter says so (its translated words in data-over).
    counter.textContent = used + " / " + limit + (over && counter.getAttribute("data-over") ? " · " + counter.getAttribute("data-over") : "");
    counter.classList.toggle("over", over);
    counter.classList.toggle("text-danger", over);
  }
  document.querySelectorAll("[data-count]").forEach(function (input) {
    updateCount(input);
    input.addEventListener("input", function () { updateCount(input); });
  });

  // A table wider than the screen scrolls inside its wrapper; keyboard users can only scroll
  // it if the wrapper takes focus, so it does whenever it actually scrolls (phones, mostly).
  function focusableWhenScrolling() {
    document.querySelectorAll(".table-responsive").forEach(function (wrapper) {
      if (wrapper.scrollWidth > wrapper.clientWidth) {
        wrapper.setAttribute("tabindex", "0");
      } else {
        wrapper.removeAttribute("tabindex");
      }
    });
  }
  focusableWhenScrolling();
  window.addEventListener("resize", focusableWhenScrolling);
})();
