// The application form: checks file sizes before they are sent (a too large request would be
// refused whole), warns before leaving with unsaved changes, and focuses the list of problems.
// The values themselves are kept on the server: drafts, and a stash when the session expired.
(function () {
  "use strict";

  var form = document.getElementById("application-form");
  if (!form) { return; }

  var dirty = false;
  var submitting = false;

  function humanSize(bytes) {
    if (bytes >= 1048576) { return (Math.round(bytes / 104857.6) / 10) + " MB"; }
    if (bytes >= 1024) { return (Math.round(bytes / 102.4) / 10) + " KB"; }
    return bytes + " B";
  }

  function fileMessage(input) {
    var limit = parseInt(input.getAttribute("data-max-size"), 10);
    var template = form.getAttribute("data-too-large") || "";
    var problems = [];
    Array.prototype.forEach.call(input.files || [], function (file) {
      if (limit && file.size > limit) {
        problems.push(template.replace("{name}", file.name)
          .replace("{limit}", input.getAttribute("data-max-size-label") || humanSize(limit)));
      }
    });
    return problems.join(" ");
  }

  function showFileProblem(input, message) {
    var id = input.id + "-client-error";
    var box = document.getElementById(id);
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      box.className = "invalid-feedback d-block";
      box.setAttribute("role", "alert");
      input.closest(".input-group").insertAdjacentElement("afterend", box);
    }
    box.textContent = message;
    input.classList.toggle("is-invalid", !!message);
  }

  form.querySelectorAll("input[type=file]").forEach(function (input) {
    input.addEventListener("change", function () { showFileProblem(input, fileMessage(input)); });
  });

  form.addEventListener("input", function () {
    dirty = true;
  });

  form.addEventListener("submit", function (event) {
    var blocked = false;
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      var message = fileMessage(input);
      showFileProblem(input, message);
      if (message) { blocked = true; }
    });
    if (blocked) {
      event.preventDefault();
      return;
    }
    submitting = true;
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = form.getAttribute("data-unsaved") || "";
    }
  });

  // Move the keyboard focus to the list of problems, so screen readers announce it.
  var problems = document.getElementById("form-problems");
  if (problems) { problems.focus(); }
})();
